// Versioned workflows: a snapshot made under v1 keeps running on v1 after v2 is registered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setup } from 'xstate';
import { branchReviewMachine, type BranchReviewInput } from '../../workflows/branchReview';
import { latestVersion, registerWorkflow } from '../../workflows/index';
import { actorByEmail } from '../../src/engine/actors';
import { findBranchReview } from '../../src/store/branchReviews';
import { driver, exampleConfig, OFFICE } from '../support/cycle';
import { dialects, makeTestEnv, type Dialect, type TestEnv } from '../support/db';

// Version 2 adds a pre-check (材料预审) after acknowledging: a structural change v1 snapshots must not see.
const branchReviewV2 = setup({ types: { input: {} as BranchReviewInput } }).createMachine({
  id: 'branchReview',
  context: branchReviewMachine.config.context as never,
  initial: 'notified',
  states: {
    notified: { on: { ACKNOWLEDGE: 'precheck' } },
    precheck: {},
  },
});

// The registry is per process: every database gets its v1 cycle before v2 is registered.
const envs = new Map<Dialect, TestEnv>();
beforeAll(async () => {
  for (const dialect of dialects) {
    const env = await makeTestEnv(dialect);
    envs.set(dialect, env);
    const d = driver(env.services);
    await d.create();
    await d.launch('2020-11-20T02:00:00Z');
    expect((await findBranchReview(env.services.db, 1, 'B01'))!.workflow_version).toBe(1);
  }
  registerWorkflow('branchReview', 2, branchReviewV2);
});
afterAll(async () => {
  for (const env of envs.values()) await env.cleanup();
});

describe.each(dialects)('workflow versions on %s', (dialect) => {
  it('restores a v1 snapshot after v2 is registered and keeps it on v1', async () => {
    const s = envs.get(dialect)!.services;
    const d = driver(s);
    expect(latestVersion('branchReview')).toBe(2);

    const res = await d.secretary('B01', 'ACKNOWLEDGE', undefined, '2020-11-21T02:00:00Z');
    expect(res.state).toBe('preparing'); // v1's transition, not v2's precheck
    const submitted = await d.secretary('B01', 'SUBMIT_MATERIALS', { summary: '述职报告' }, '2020-11-21T02:00:00Z');
    expect(submitted.state).toBe('materialsReview');
    expect((await findBranchReview(s.db, 1, 'B01'))!.workflow_version).toBe(1);

    // A cycle launched now pins v2.
    const office = await actorByEmail(s.db, OFFICE);
    await s.engine.createCycle({ ...exampleConfig(), year: 2021, title: '2021年度述评' }, office);
    await s.engine.launchCycle(2021, office, { now: '2021-11-20T02:00:00Z' });
    const b = (await findBranchReview(s.db, (await s.engine.requireCycle(2021)).id, 'B01'))!;
    expect(b.workflow_version).toBe(2);
    const v2 = await s.engine.sendBranchEvent({
      cycle: 2021,
      branch: 'B01',
      type: 'ACKNOWLEDGE',
      actor: await actorByEmail(s.db, 'b01@example.org'),
      now: '2021-11-21T02:00:00Z',
    });
    expect(v2.state).toBe('precheck');
  });
});
