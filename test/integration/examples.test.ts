// The repository's examples/ read back through the project's own roster parsers: the CSVs, and the
// Excel templates made from them by `npm run templates` (examples/make-templates.ts).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBranchesCsv, parsePanelCsv, rosterText } from '../../src/domain/roster';
import { cycleConfigSchema } from '../../src/domain/schemas';
import { exampleConfig, examplesDir } from '../support/cycle';

const read = async (name: string) => rosterText(name, fs.readFileSync(path.join(examplesDir, name)));

describe('examples/', () => {
  it('holds a valid 2020 cycle configuration', () => {
    const config = cycleConfigSchema.parse(exampleConfig());
    expect(config.year).toBe(2020);
    expect(config.branches[0].code).toBe('B01');
  });

  it('branches.csv and branches.xlsx give the same branches', async () => {
    const csv = parseBranchesCsv(await read('branches.csv'));
    const xlsx = parseBranchesCsv(await read('branches.xlsx'));
    expect(csv).toHaveLength(3);
    expect(csv[0]).toMatchObject({ code: 'B01', name: '机关第一党支部', secretaryEmail: 'b01@example.org', segment: '机关' });
    expect(xlsx).toHaveLength(3);
    expect(xlsx[0].code).toBe('B01');
    expect(xlsx).toEqual(csv);
  });

  it('panel.csv and panel.xlsx give the panel of the 2020 cycle', async () => {
    const csv = parsePanelCsv(await read('panel.csv'));
    const xlsx = parsePanelCsv(await read('panel.xlsx'));
    expect(csv).toHaveLength(5);
    expect(csv[0].email).toBe('panel1@example.org');
    expect(csv[4]).toMatchObject({ email: 'b06@example.org', branchCode: 'B06' });
    expect(xlsx).toHaveLength(5);
    expect(xlsx[0].email).toBe('panel1@example.org');
    expect(xlsx).toEqual(csv);
    expect(csv).toEqual(cycleConfigSchema.parse(exampleConfig()).panel);
  });

  it('the templates carry exactly the CSV headers', async () => {
    for (const name of ['branches', 'panel']) {
      const header = (text: string) => text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0];
      expect(header(await read(`${name}.xlsx`))).toBe(header(await read(`${name}.csv`)));
    }
  });
});
