// Bulk events: many events in one transaction with a savepoint each. A refused event in the middle
// is reported on its own line and changes nothing; the others are applied.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli';
import { driver, OFFICE } from '../support/cycle';
import { cliEnv, dialects, makeTestEnv, type TestEnv } from '../support/db';
import { call, setPasswords, signIn, startServer, type HttpServer } from '../support/http';

describe.each(dialects)('bulk events on %s', (dialect) => {
  let env: TestEnv;
  let http: HttpServer;
  beforeAll(async () => {
    env = await makeTestEnv(dialect);
    const d = driver(env.services);
    await d.create();
    await d.launch('2020-11-20T02:00:00Z');
    await setPasswords(env.services);
    http = await startServer(env.services);
  });
  afterAll(async () => {
    await http?.close();
    await env?.cleanup();
  });

  const state = async (code: string) => env.services.db('branch_reviews').where({ code }).first('phase', 'version');
  const audits = async () => Number((await env.services.db('audit').count({ n: '*' }))[0].n);

  it('applies the batch over HTTP, reporting the refused line in the middle and rolling back only it', async () => {
    const office = await signIn(http.base, OFFICE);
    const before = await audits();
    const r = await call(http.base, 'POST', '/api/cycles/2020/events/batch', {
      session: office,
      body: {
        events: [
          { branch: 'B01', type: 'EXTEND_DEADLINE', data: { deadline: 'materials', until: '2099-12-10T18:00:00+08:00' } },
          { branch: 'B02', type: 'ACCEPT_MATERIALS' },
          { branch: 'B03', type: 'EXEMPT', data: { reason: '撤并' } },
        ],
      },
    });
    expect(r.status).toBe(200);
    expect(r.json.results.map((x: { line: number; error?: { code: string }; version?: number }) => [x.line, x.error?.code ?? x.version])).toEqual([
      [1, 2],
      [2, 'EVENT_NOT_ALLOWED'],
      [3, 2],
    ]);
    expect(await state('B02')).toEqual({ phase: 'notified', version: 1 });
    expect((await state('B03')).phase).toBe('exempted');
    expect((await audits()) - before).toBe(2);
  });

  it('applies a file of events from the CLI the same way, one result line for each', async () => {
    const file = `${env.dataDir}/events.jsonl`;
    fs.writeFileSync(
      file,
      [
        { branch: 'B04', type: 'ACKNOWLEDGE', as: 'b04@example.org' },
        { branch: 'B05', type: 'ACKNOWLEDGE', as: 'b04@example.org' },
        'not json',
        { branch: 'B05', type: 'ACKNOWLEDGE', as: 'b05@example.org' },
      ]
        .map((l) => (typeof l === 'string' ? l : JSON.stringify(l)))
        .join('\n'),
    );
    const r = await cli(cliEnv(env), 'event', 'send', '--cycle', '2020', '--file', file, '--now', '2020-11-22T02:00:00Z');
    expect(r.lines.map((l: { line: number; error?: { code: string }; state?: string }) => [l.line, l.error?.code ?? l.state])).toEqual([
      [1, 'preparing'],
      [2, 'FORBIDDEN'],
      [3, 'INVALID_INPUT'],
      [4, 'preparing'],
    ]);
    expect((await state('B05')).version).toBe(2);
  });
});
