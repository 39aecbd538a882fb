// An office types in a stack of paper score sheets: one result line per event, refused lines reported, the rest applied.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli';
import { exampleBranchesCsv, exampleConfigPath, OFFICE, sheet } from '../support/cycle';
import { cliEnv, dialects, makeTestEnv, type TestEnv } from '../support/db';

describe.each(dialects)('the CLI on %s', (dialect) => {
  let env: TestEnv;
  let e: NodeJS.ProcessEnv;
  beforeAll(async () => {
    env = await makeTestEnv(dialect);
    e = cliEnv(env);
  });
  afterAll(async () => env?.cleanup());

  it('creates a cycle with branches from CSV and applies a JSONL batch line by line', async () => {
    await cli(e, 'user', 'add', '--email', OFFICE, '--role', 'office', '--name', '党委办公室', '--password', 'correct horse');
    const created = await cli(e, 'cycle', 'create', '--config', exampleConfigPath, '--branches', exampleBranchesCsv);
    expect(created.out.cycle).toMatchObject({ year: 2020, state: 'draft' });
    const launched = await cli(e, 'cycle', 'launch', '--cycle', String(created.out.cycle.id), '--now', '2020-11-20T02:00:00Z');
    expect(launched.out).toMatchObject({ cycle: { state: 'launched' }, created: 3 });

    const at = '2020-11-25T02:00:00Z';
    const lines = [
      { branch: 'B01', type: 'ACKNOWLEDGE', as: 'b01@example.org' },
      { branch: 'B01', type: 'SUBMIT_MATERIALS', data: { summary: '述职报告' }, as: 'b01@example.org' },
      { branch: 'B01', type: 'ACCEPT_MATERIALS' },
      { branch: 'B01', type: 'START_PRESENTATION' },
      { branch: 'B01', type: 'END_PRESENTATION' },
      { branch: 'B01', type: 'SUBMIT_SCORE', data: { scores: sheet(90) }, as: 'panel1@example.org' },
      { branch: 'B01', type: 'SUBMIT_SCORE', data: { scores: { ...sheet(90), highlights: 16 } }, as: 'panel2@example.org' },
      { branch: 'B02', type: 'ACCEPT_MATERIALS' },
      { branch: 'B01', type: 'SUBMIT_SCORE', data: { scores: sheet(88) }, as: 'panel2@example.org' },
    ];
    const file = path.join(env.dataDir, 'sheets.jsonl');
    fs.writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n\n{not json\n');
    const res = await cli(e, 'event', 'send', '--cycle', '2020', '--file', file, '--now', at);
    expect(res.code).toBe(0);
    expect(res.lines.map((l) => l.error?.code ?? l.state)).toEqual([
      'preparing',
      'materialsReview',
      'awaitingReview',
      'liveReview.presenting',
      'scoring',
      'scoring',
      'INVALID_INPUT', // 16 > 15 on 特色亮点
      'EVENT_NOT_ALLOWED', // B02 has not submitted
      'scoring',
      'INVALID_INPUT', // the malformed line
    ]);
    expect(res.lines[6].error.message).toContain('data.scores.highlights');
    expect(res.lines[7].error.details.allowedEvents).toContain('ACKNOWLEDGE');
    const status = await cli(e, 'status', '--cycle', '2020', '--branch', 'B01');
    expect(status.out.branch).toMatchObject({ phase: 'scoring', version: 8 });
    expect(status.out.branch.history.find((h: { event: string }) => h.event === 'SUBMIT_SCORE').data).toBeNull();
  });

  it('refuses a CSV with bad rows, naming each row, and creates nothing', async () => {
    const bad = path.join(env.dataDir, 'bad.csv');
    fs.writeFileSync(bad, 'code,name,secretaryName,secretaryEmail\nC01,一支部,王,c01@example.org\nC 02,二支部,李,not-an-email\nC03,,张,c03@example.org\n');
    const cfg = path.join(env.dataDir, 'cfg.json');
    fs.writeFileSync(cfg, JSON.stringify({ ...JSON.parse(fs.readFileSync(exampleConfigPath, 'utf8')), year: 2021 }));
    const res = await cli(e, 'cycle', 'create', '--config', cfg, '--branches', bad);
    expect(res.code).not.toBe(0);
    const fields = res.out.error.details.issues.map((i: { field: string }) => i.field);
    expect(fields).toEqual(['branches[row 3].code', 'branches[row 3].secretaryEmail', 'branches[row 4].name']);
    expect((await cli(e, 'status')).out.cycles.map((c: { year: number }) => c.year)).toEqual([2020]);
  });
});
