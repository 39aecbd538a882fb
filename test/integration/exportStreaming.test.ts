// Exports stream: 10,000 published branches are written by a CLI process whose heap is capped far
// below what the whole document would take in memory.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorByEmail } from '../../src/engine/actors';
import { driver, OFFICE, sheet } from '../support/cycle';
import { cliEnv, dialects, makeTestEnv, type TestEnv } from '../support/db';

const N = 10_000;
/** The heap a 10,000-branch export may use: the process itself takes most of it. */
const HEAP_MB = 72;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe.each(dialects)('streamed exports on %s', (dialect) => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await makeTestEnv(dialect);
    const s = env.services;
    const d = driver(s);
    await d.create();
    await d.launch('2020-11-20T02:00:00Z');
    // One branch runs to a published result; its row is the template of 10,000 more (a fixture,
    // written directly: running 10,000 branches through the meeting would only slow the test).
    await d.secretary('B01', 'ACKNOWLEDGE', undefined, '2020-11-21T02:00:00Z');
    await d.secretary('B01', 'SUBMIT_MATERIALS', { summary: '述职报告' }, '2020-11-22T02:00:00Z');
    await d.office('B01', 'ACCEPT_MATERIALS', undefined, '2020-11-23T02:00:00Z');
    await d.office('B01', 'START_PRESENTATION', undefined, '2020-12-12T02:00:00Z');
    await d.office('B01', 'END_PRESENTATION', undefined, '2020-12-12T02:00:00Z');
    for (const e of ['panel1', 'panel2', 'panel3', 'panel4', 'b06']) await d.send(`${e}@example.org`, 'B01', 'SUBMIT_SCORE', { scores: sheet(91), comment: '' }, '2020-12-12T03:00:00Z');
    for (const code of ['B02', 'B03', 'B04', 'B05', 'B06']) await d.office(code, 'EXEMPT', { reason: '撤并' }, '2020-12-12T03:00:00Z');
    await s.engine.publishResults(2020, await actorByEmail(s.db, OFFICE), '2020-12-20T02:00:00Z');
    const template = await s.db('branch_reviews').where({ code: 'B01' }).first();
    const snapshot = JSON.parse(template.snapshot);
    snapshot.context.planItems = [{ id: 'I1', problem: '党建与业务融合不够', measure: '设立党员先锋岗', owner: '书记', dueDate: '2021-06-30', status: 'open', progress: [] }];
    const rows = Array.from({ length: N }, (_, i) => {
      const { id: _id, ...rest } = template;
      const ctx = { ...snapshot.context, result: { ...snapshot.context.result, rank: i + 2, of: N + 1 } };
      return { ...rest, code: `X${String(i).padStart(5, '0')}`, name: `第${i + 1}党支部`, rank: i + 2, snapshot: JSON.stringify({ ...snapshot, context: ctx }) };
    });
    for (let i = 0; i < rows.length; i += 200) await s.db('branch_reviews').insert(rows.slice(i, i + 200));
  }, 180_000);
  afterAll(async () => env?.cleanup());

  const exportInCappedProcess = (kind: string, out: string) =>
    spawnSync(process.execPath, [`--max-old-space-size=${HEAP_MB}`, '--import', 'tsx', 'src/cli/main.ts', 'export', '--cycle', '2020', '--kind', kind, '--out', out, '--json'], {
      cwd: root,
      env: cliEnv(env),
      encoding: 'utf8',
      timeout: 120_000,
    });

  it(`writes the results of ${N + 1} branches as .xlsx with a ${HEAP_MB} MB heap`, async () => {
    const out = path.join(env.dataDir, 'results.xlsx');
    const r = exportInCappedProcess('results', out);
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(JSON.parse(r.stdout).file.bytes).toBe(fs.statSync(out).size);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(out);
    const ws = wb.getWorksheet('评议结果')!;
    expect(ws.rowCount).toBe(N + 2);
    expect(ws.getRow(2).getCell(3).value).toBe('机关第一党支部');
    expect(ws.getRow(N + 2).getCell(2).value).toBe(`X${String(N - 1).padStart(5, '0')}`);
  }, 150_000);

  it(`writes ${N + 1} letters and the ledger the same way`, async () => {
    const letters = path.join(env.dataDir, 'letters.html');
    expect(exportInCappedProcess('letters', letters).status).toBe(0);
    const text = fs.readFileSync(letters, 'utf8');
    expect(text.match(/class="letter"/g)).toHaveLength(N + 1);
    expect(text.trimEnd().endsWith('</html>')).toBe(true);
    const ledger = path.join(env.dataDir, 'ledger.xlsx');
    expect(exportInCappedProcess('ledger', ledger).status).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(ledger);
    expect(wb.getWorksheet('整改台账')!.rowCount).toBe(N + 1);
  }, 150_000);
});
