// 民主测评: anonymous one-time ballots counted into the score (70 % panel + 30 % rate).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorByEmail } from '../../src/engine/actors';
import { cli } from '../support/cli';
import { driver, exampleConfig, OFFICE, sheet } from '../support/cycle';
import { cliEnv, dialects, makeTestEnv, type TestEnv } from '../support/db';

describe.each(dialects)('democratic appraisal on %s', (dialect) => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await makeTestEnv(dialect);
  });
  afterAll(async () => env?.cleanup());

  it('issues one-time ballots, refuses a used or unknown one, and weighs the rate into the result', async () => {
    const s = env.services;
    const d = driver(s);
    await d.create(); // bootstraps the office user
    const office = await actorByEmail(s.db, OFFICE);
    const cfg = { ...exampleConfig(), year: 2021, title: '2021年度述评', democratic: { enabled: true, weightPercent: 30 }, branches: (exampleConfig().branches as unknown[]).slice(0, 1) };
    await s.engine.createCycle(cfg, office, '2021-11-19T02:00:00Z');
    await s.engine.launchCycle(2021, office, { now: '2021-11-20T02:00:00Z' });

    const issued = await cli(cliEnv(env), 'ballots', 'issue', '--cycle', '2021', '--branch', 'B01', '--count', '4');
    expect(issued.out.ballots).toHaveLength(4);
    expect(issued.out.ballots[0].url).toBe(`http://shuping.test/ballot/${issued.out.ballots[0].token}`);
    const [a, b, c, unused] = issued.out.ballots.map((x: { token: string }) => x.token);
    for (const [token, choice] of [[a, '满意'], [b, '满意'], [c, '基本满意']]) {
      expect((await cli(cliEnv(env), 'ballot', 'cast', '--token', token, '--choice', choice)).out).toEqual({ cast: true });
    }
    const again = await cli(cliEnv(env), 'ballot', 'cast', '--token', a, '--choice', '不满意');
    expect(again.code).not.toBe(0);
    expect(again.out.error.code).toBe('BALLOT_USED');
    // A token that cannot be one is refused as input (as by the API); a well-formed unknown one is not found.
    expect((await cli(cliEnv(env), 'ballot', 'cast', '--token', 'nope', '--choice', '满意')).out.error.code).toBe('INVALID_INPUT');
    expect((await cli(cliEnv(env), 'ballot', 'cast', '--token', 'no-such-ballot-token', '--choice', '满意')).out.error.code).toBe('NOT_FOUND');
    expect((await cli(cliEnv(env), 'ballot', 'cast', '--token', b, '--choice', '很好')).out.error.code).toBe('INVALID_INPUT');

    const at = '2021-12-12T02:00:00Z';
    const send = async (as: string, type: string, data?: unknown) =>
      s.engine.sendBranchEvent({ cycle: 2021, branch: 'B01', type, data, actor: await actorByEmail(s.db, as), now: at });
    await send('b01@example.org', 'ACKNOWLEDGE');
    await send('b01@example.org', 'SUBMIT_MATERIALS', { summary: '报告' });
    await send(OFFICE, 'ACCEPT_MATERIALS');
    await send(OFFICE, 'START_PRESENTATION');
    await send(OFFICE, 'END_PRESENTATION');
    for (const [i, email] of ['panel1', 'panel2', 'panel3', 'panel4', 'b06'].entries()) await send(`${email}@example.org`, 'SUBMIT_SCORE', { scores: sheet([80, 85, 90, 95, 70][i]) });
    await s.engine.publishResults(2021, office, at);
    const st = await s.engine.branchStatus(2021, 'B01', await actorByEmail(s.db, OFFICE), at);
    // panel (80+85+90)/3 = 85; rate (2 + 0.5×1)/3 × 100 = 83.33; base 0.7×85 + 0.3×83.33 = 59.5 + 24.999 = 84.5
    expect(st.branch.scoreSheet).toMatchObject({ panel: 85, rate: 83.33, base: 84.5, final: 84.5 });
    // Once published, no more ballots.
    expect((await cli(cliEnv(env), 'ballot', 'cast', '--token', unused, '--choice', '满意')).out.error.code).toBe('BALLOT_USED');
  });
});
