// An event reads its branch review and the cycle in one statement: the join names every column of
// the cycle, finds the cycle as findCycle does (a year names its annual review), and a missing cycle
// or branch still gets its own NOT_FOUND.
import { afterEach, describe, expect, it } from 'vitest';
import { CYCLE_COLUMNS, findCycle } from '../../src/store/cycles';
import { findBranchWithCycle } from '../../src/store/branchReviews';
import { actorByEmail } from '../../src/engine/actors';
import { driver, OFFICE } from '../support/cycle';
import { dialects, makeTestEnv, type TestEnv } from '../support/db';

let env: TestEnv | undefined;
afterEach(async () => {
  await env?.cleanup();
  env = undefined;
});

describe.each(dialects)('a branch review with its cycle on %s', (dialect) => {
  it('names every column of cycles and gives the rows findCycle and the branch read give', async () => {
    env = await makeTestEnv(dialect);
    const { db } = env.services;
    expect([...CYCLE_COLUMNS].sort()).toEqual(Object.keys(await db('cycles').columnInfo()).sort());
    const d = driver(env.services);
    await d.create();
    await d.launch('2020-11-20T02:00:00Z');
    const cycle = (await findCycle(db, 2020))!;
    const branch = await db('branch_reviews').where({ cycle_id: cycle.id, code: 'B01' }).first();
    for (const ref of [2020, '2020', cycle.id, String(cycle.id)]) {
      const found = await db.transaction((trx) => findBranchWithCycle(trx, ref, 'B01', true));
      expect(found?.cycle).toEqual(cycle);
      expect(found?.branch).toEqual(branch);
    }
    expect(await findBranchWithCycle(db, 2020, 'NOPE', false)).toBeUndefined();
    expect(await findBranchWithCycle(db, 2019, 'B01', false)).toBeUndefined();
    expect(await findBranchWithCycle(db, 'x', 'B01', false)).toBeUndefined();
    const office = await actorByEmail(db, OFFICE);
    await expect(env.services.engine.sendBranchEvent({ cycle: 2019, branch: 'B01', type: 'ACKNOWLEDGE', actor: office, now: '2020-11-21T00:00:00Z' })).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('周期') });
    await expect(env.services.engine.sendBranchEvent({ cycle: 2020, branch: 'NOPE', type: 'ACKNOWLEDGE', actor: office, now: '2020-11-21T00:00:00Z' })).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('NOPE') });
  });
});
