// Creating and launching a large cycle: in memory bounded by a few hundred branches, not by the
// roster (a CLI process with a capped heap creates and launches thousands of branches), and a launch
// cut short resumes where it stopped.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { actorByEmail } from '../../src/engine/actors';
import { driver, exampleConfig, OFFICE } from '../support/cycle';
import { cliEnv, dialects, makeTestEnv, type TestEnv } from '../support/db';

const N = 6_000;
/**
 * The heap the CLI may use for 6,000 branches. Creating and launching them a few hundred at a time
 * fits in it at 20,000 branches too; holding every new person's rendered invitation at once (as
 * creating a cycle once did) runs out of it at 6,000.
 */
const HEAP_MB = 56;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe.each(dialects)('a large cycle on %s', (dialect) => {
  let env: TestEnv | undefined;
  afterEach(async () => {
    await env?.cleanup();
    env = undefined;
  });

  it('resumes a launch cut short after its first batches, each branch launched once', async () => {
    env = await makeTestEnv(dialect);
    const s = env.services;
    await driver(s).create();
    const office = await actorByEmail(s.db, OFFICE);
    const cutShort = await s.engine
      .launchCycle(2020, office, {
        now: '2020-11-20T02:00:00Z',
        batchSize: 2,
        onProgress: ({ done }) => {
          if (done >= 4) throw new Error('killed');
        },
      })
      .catch((err: Error) => err.message);
    expect(cutShort).toBe('killed');
    expect(Number((await s.db('branch_reviews').count({ n: '*' }).first())!.n)).toBe(4);
    const { created, cycle } = await s.engine.launchCycle(2020, office, { now: '2020-11-20T02:00:00Z', batchSize: 2 });
    expect(created).toBe(2);
    expect(cycle.state).toBe('launched');
    const codes = (await s.db('branch_reviews').orderBy('code').select('code')).map((r: { code: string }) => r.code);
    expect(codes).toEqual(['B01', 'B02', 'B03', 'B04', 'B05', 'B06']);
    const notices = await s.db('outbox').where({ template: 'notice' }).select('branch_review_id');
    expect(notices).toHaveLength(6);
    expect(new Set(notices.map((n: { branch_review_id: number }) => n.branch_review_id)).size).toBe(6);
    await expect(s.engine.launchCycle(2020, office, { now: '2020-11-20T02:00:00Z' })).rejects.toMatchObject({ code: 'EVENT_NOT_ALLOWED' });
    expect((await s.engine.verifyAudit(office)).ok).toBe(true);
  });

  it(`creates and launches ${N} branches in a CLI process with a ${HEAP_MB} MB heap`, async () => {
    env = await makeTestEnv(dialect);
    const config = exampleConfig() as { branches: unknown[]; panel: { email: string; branchCode?: string }[] };
    const pad = (i: number) => String(i).padStart(5, '0');
    config.branches = Array.from({ length: N }, (_, i) => ({
      code: `X${pad(i)}`, name: `第${pad(i)}党支部`, secretaryName: `王${pad(i)}`, secretaryEmail: `x${pad(i)}@example.org`, segment: `板块${i % 7}`,
      ...(i % 10 === 0 ? { deputyEmail: `deputy${pad(i)}@example.org` } : {}),
    }));
    config.panel = config.panel.filter((p) => !p.branchCode);
    const file = path.join(env.dataDir, 'cycle.json');
    fs.writeFileSync(file, JSON.stringify(config));
    const capped = (...args: string[]) =>
      spawnSync(process.execPath, [`--max-old-space-size=${HEAP_MB}`, '--import', 'tsx', 'src/cli/main.ts', ...args, '--json'], {
        cwd: root,
        env: cliEnv(env!),
        encoding: 'utf8',
        timeout: 240_000,
      });
    const created = capped('cycle', 'create', '--config', file, '--now', '2020-11-19T02:00:00Z');
    expect(created.status, created.stderr + created.stdout).toBe(0);
    // Every secretary, a deputy for one branch in ten, the office, the leader and the panel: each invited once.
    const people = N + N / 10 + 1 + 1 + 4;
    expect(JSON.parse(created.stdout).newUsers).toBe(people);
    const launched = capped('cycle', 'launch', '--cycle', '2020', '--now', '2020-11-20T02:00:00Z');
    expect(launched.status, launched.stderr + launched.stdout).toBe(0);
    expect(JSON.parse(launched.stdout).created).toBe(N);
    const db = env.services.db;
    const count = async (table: string, where: Record<string, unknown> = {}) => Number((await db(table).where(where).count({ n: '*' }).first())!.n);
    expect(await count('outbox', { template: 'invitation' })).toBe(people);
    expect(await count('password_tokens')).toBe(people);
    expect(await count('cycle_branches')).toBe(N);
    // The notice goes to the secretary and, where there is one, the deputy.
    expect(await count('outbox', { template: 'notice' })).toBe(N + N / 10);
    const last = await db('branch_reviews').where({ code: `X${pad(N - 1)}` }).first();
    expect(last.segment).toBe(`板块${(N - 1) % 7}`);
  }, 300_000);
});
