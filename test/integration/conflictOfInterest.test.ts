// 回避: whoever acts for a branch never scores it, however they came to act for it; naming an expected
// evaluator as deputy is refused; removing a deputy takes back what naming gave.
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { actorByEmail } from '../../src/engine/actors';
import { rolesOf } from '../../src/store/users';
import { driver, OFFICE, sheet } from '../support/cycle';
import { dialects, makeTestEnv, type TestEnv } from '../support/db';
import { call, setPasswords, signIn, startServer, type HttpServer } from '../support/http';

const MEETING = '2020-12-12T02:00:00Z';

describe.each(dialects)('回避 on %s', (dialect) => {
  let env: TestEnv;
  const envs: TestEnv[] = [];
  const servers: HttpServer[] = [];

  beforeEach(async () => {
    env = await makeTestEnv(dialect);
    envs.push(env);
    const d = driver(env.services);
    await d.create();
    await d.launch('2020-11-20T02:00:00Z');
  });

  afterAll(async () => {
    for (const s of servers) await s.close();
    for (const e of envs) await e.cleanup();
  });

  const versionOf = async (code: string) => (await env.services.db('branch_reviews').where({ code }).first('version')).version as number;

  it('refuses to name an expected evaluator of the branch as its deputy, and changes nothing', async () => {
    const s = env.services;
    const before = await versionOf('B01');
    const audits = (await s.db('audit').count({ n: '*' }))[0].n;
    for (const as of ['b01@example.org', OFFICE]) {
      await expect(s.engine.setDeputy(2020, 'B01', { email: 'panel1@example.org', name: '考评组成员一' }, await actorByEmail(s.db, as))).rejects.toMatchObject({
        code: 'CONFLICT_OF_INTEREST',
      });
    }
    expect(await versionOf('B01')).toBe(before);
    expect((await s.db('audit').count({ n: '*' }))[0].n).toBe(audits);
    // Over HTTP it is a 409 with the error shape.
    await setPasswords(s);
    const http = await startServer(s);
    servers.push(http);
    const b01 = await signIn(http.base, 'b01@example.org');
    const r = await call(http.base, 'PUT', '/api/cycles/2020/branches/B01/deputy', { session: b01, body: { deputy: { email: 'panel2@example.org', name: '考评组成员二' } } });
    expect(r.status).toBe(409);
    expect(r.json.error.code).toBe('CONFLICT_OF_INTEREST');
  });

  it('an evaluator who acts for the branch by any route cannot score it or keep a draft', async () => {
    const s = env.services;
    const d = driver(s);
    for (const type of ['ACKNOWLEDGE', 'SUBMIT_MATERIALS', 'ACCEPT_MATERIALS', 'START_PRESENTATION', 'END_PRESENTATION']) {
      const data = type === 'SUBMIT_MATERIALS' ? { summary: '述职报告' } : undefined;
      if (['ACKNOWLEDGE', 'SUBMIT_MATERIALS'].includes(type)) await d.secretary('B01', type, data, MEETING);
      else await d.office('B01', type, data, MEETING);
    }
    // A route around the naming check (a row written before it existed, or by hand): panel1 acts for B01.
    const panel1 = await actorByEmail(s.db, 'panel1@example.org');
    await s.db('branch_reviews').where({ code: 'B01' }).update({ deputy_id: panel1.id });
    await expect(d.send('panel1@example.org', 'B01', 'SUBMIT_SCORE', { scores: sheet(95), comment: '' }, MEETING)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(s.engine.saveScoreDraft({ cycle: 2020, branch: 'B01', draft: { scores: { effectiveness: 20 } }, actor: panel1 })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    // Without the deputy row the same evaluator scores B01 as expected.
    await s.db('branch_reviews').where({ code: 'B01' }).update({ deputy_id: null });
    const answer = await d.send('panel1@example.org', 'B01', 'SUBMIT_SCORE', { scores: sheet(95), comment: '' }, MEETING);
    expect(answer.phase).toBe('scoring');
  });

  it('removing a deputy takes back every right the naming gave, and leaves no global role', async () => {
    const s = env.services;
    const b01 = await actorByEmail(s.db, 'b01@example.org');
    await s.engine.setDeputy(2020, 'B01', { email: 'deputy@example.org', name: '李副书记' }, b01);
    const deputy = await actorByEmail(s.db, 'deputy@example.org');
    expect(deputy.roles).not.toContain('secretary');
    const view = await s.engine.branchView(2020, 'B01', deputy);
    expect(view.branch.allowedEvents).toEqual(['ACKNOWLEDGE']);
    await s.engine.setDeputy(2020, 'B01', null, b01);
    await expect(s.engine.branchView(2020, 'B01', deputy)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(s.engine.sendBranchEvent({ cycle: 2020, branch: 'B01', type: 'ACKNOWLEDGE', actor: deputy })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await rolesOf(s.db, deputy.id!)).toEqual([]);
    expect(await s.engine.tasks(deputy)).toEqual([]);
  });
});
