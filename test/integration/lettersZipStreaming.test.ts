// The letters as a zip of one .docx per branch are streamed: each letter is packed and written before
// the next row is read, so a CLI process with a small heap exports thousands of them. (The single
// .docx of every letter is packed in memory by the docx library: fine for a few thousand branches.)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorByEmail } from '../../src/engine/actors';
import { driver, OFFICE, sheet } from '../support/cycle';
import { cliEnv, makeTestEnv, type TestEnv } from '../support/db';
import { documentXml, paragraphsOf, unzip } from '../support/docx';

const N = 1500;
/** The same heap as the other streamed exports' test (test/integration/exportStreaming.test.ts). */
const HEAP_MB = 72;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('letters as a streamed zip of .docx files', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await makeTestEnv('sqlite');
    const s = env.services;
    const d = driver(s);
    await d.create();
    await d.launch('2020-11-20T02:00:00Z');
    await d.secretary('B01', 'ACKNOWLEDGE', undefined, '2020-11-21T02:00:00Z');
    await d.secretary('B01', 'SUBMIT_MATERIALS', { summary: '述职报告' }, '2020-11-22T02:00:00Z');
    await d.office('B01', 'ACCEPT_MATERIALS', undefined, '2020-11-23T02:00:00Z');
    await d.office('B01', 'START_PRESENTATION', undefined, '2020-12-12T02:00:00Z');
    await d.office('B01', 'END_PRESENTATION', undefined, '2020-12-12T02:00:00Z');
    for (const e of ['panel1', 'panel2', 'panel3', 'panel4', 'b06']) await d.send(`${e}@example.org`, 'B01', 'SUBMIT_SCORE', { scores: sheet(91), comment: `${e} 的意见` }, '2020-12-12T03:00:00Z');
    for (const code of ['B02', 'B03', 'B04', 'B05', 'B06']) await d.office(code, 'EXEMPT', { reason: '撤并' }, '2020-12-12T03:00:00Z');
    await s.engine.publishResults(2020, await actorByEmail(s.db, OFFICE), '2020-12-20T02:00:00Z');
    // B01's published row is the template of N more (a fixture: N branches through the meeting would only slow the test).
    const template = await s.db('branch_reviews').where({ code: 'B01' }).first();
    const snapshot = JSON.parse(template.snapshot);
    const rows = Array.from({ length: N }, (_, i) => {
      const { id: _id, ...rest } = template;
      const ctx = { ...snapshot.context, result: { ...snapshot.context.result, rank: i + 2, of: N + 1 } };
      return { ...rest, code: `X${String(i).padStart(5, '0')}`, name: `第${i + 1}党支部`, rank: i + 2, snapshot: JSON.stringify({ ...snapshot, context: ctx }) };
    });
    for (let i = 0; i < rows.length; i += 200) await s.db('branch_reviews').insert(rows.slice(i, i + 200));
  }, 180_000);
  afterAll(async () => env?.cleanup());

  it(`writes ${N + 1} letters, one .docx each, with a ${HEAP_MB} MB heap`, async () => {
    const out = path.join(env.dataDir, 'letters.zip');
    const r = spawnSync(process.execPath, [`--max-old-space-size=${HEAP_MB}`, '--import', 'tsx', 'src/cli/main.ts', 'export', '--cycle', '2020', '--kind', 'letters', '--format', 'zip', '--out', out, '--json'], {
      cwd: root,
      env: cliEnv(env),
      encoding: 'utf8',
      timeout: 280_000,
    });
    expect(r.status, r.stderr.slice(-2000) + r.stdout).toBe(0);
    const entries = unzip(fs.readFileSync(out));
    const names = Object.keys(entries);
    expect(names).toHaveLength(N + 1);
    expect(names[0]).toBe('B01-机关第一党支部-结果告知书.docx');
    const last = paragraphsOf(documentXml(Buffer.from(entries[`X${String(N - 1).padStart(5, '0')}-第${N}党支部-结果告知书.docx`])));
    expect(last).toContain(`第${N}党支部：`);
    expect(last.join('\n')).toContain(`在 ${N + 1} 个参评支部中排名第 ${N + 1} 位`);
  }, 300_000);
});
