// Refusals change nothing and say why; roles and branches are checked; retries and races lose nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorByEmail } from '../../src/engine/actors';
import { driver, OFFICE, sheet } from '../support/cycle';
import { dialects, makeTestEnv, type TestEnv } from '../support/db';

const NOW = '2020-11-25T02:00:00Z';

describe.each(dialects)('engine rules on %s', (dialect) => {
  let env: TestEnv;
  let d: ReturnType<typeof driver>;

  beforeAll(async () => {
    env = await makeTestEnv(dialect);
    d = driver(env.services);
    await d.create();
    await d.launch('2020-11-20T02:00:00Z');
  });
  afterAll(async () => env?.cleanup());

  const snapshotOf = async (code: string) => {
    const st = await env.services.engine.branchStatus(2020, code, await actorByEmail(env.services.db, OFFICE), NOW);
    const db = env.services.db;
    return {
      version: st.branch.version,
      state: st.branch.state,
      audit: (await db('audit').count({ n: '*' }).first())!.n,
      outbox: (await db('outbox').count({ n: '*' }).first())!.n,
    };
  };

  it('refuses an event the state does not allow, with the allowed list, changing nothing', async () => {
    const before = await snapshotOf('B01');
    const err = await d.office('B01', 'ACCEPT_MATERIALS', undefined, NOW).catch((e) => e);
    expect(err).toMatchObject({ code: 'EVENT_NOT_ALLOWED', details: { allowedEvents: ['ACKNOWLEDGE', 'ADJUST_SCORE', 'EXEMPT', 'EXTEND_DEADLINE', 'VETO'] } });
    expect(await snapshotOf('B01')).toEqual(before);
  });

  it('refuses bad data naming the field, changing nothing', async () => {
    await d.secretary('B01', 'ACKNOWLEDGE', undefined, NOW);
    const before = await snapshotOf('B01');
    await expect(d.secretary('B01', 'SUBMIT_MATERIALS', { summary: '' }, NOW)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      details: { issues: [{ field: 'data.summary' }] },
    });
    await expect(d.secretary('B01', 'NO_SUCH_EVENT', {}, NOW)).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { issues: [{ field: 'type' }] } });
    await expect(d.office('B01', 'EXTEND_DEADLINE', { deadline: 'materials', until: 'tomorrow' }, NOW)).rejects.toMatchObject({
      details: { issues: [{ field: 'data.until' }] },
    });
    expect(await snapshotOf('B01')).toEqual(before);
  });

  it('lets a secretary act on their own branch only, and a leader change nothing', async () => {
    await expect(d.send('b02@example.org', 'B01', 'SUBMIT_MATERIALS', { summary: '冒名提交' }, NOW)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(d.send('secretary.party@example.org', 'B01', 'SUBMIT_MATERIALS', { summary: 'x' }, NOW)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(d.send('b01@example.org', 'B01', 'EXEMPT', { reason: '自行免除' }, NOW)).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('refuses a score outside 0..max, or not in half points, naming the criterion', async () => {
    await d.secretary('B03', 'ACKNOWLEDGE', undefined, NOW);
    await d.secretary('B03', 'SUBMIT_MATERIALS', { summary: '报告' }, NOW);
    await d.office('B03', 'ACCEPT_MATERIALS', undefined, NOW);
    await d.office('B03', 'START_PRESENTATION', undefined, NOW);
    await d.office('B03', 'END_PRESENTATION', undefined, NOW);
    const before = await snapshotOf('B03');
    await expect(d.send('panel1@example.org', 'B03', 'SUBMIT_SCORE', { scores: { ...sheet(90), effectiveness: 31 } }, NOW)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      details: { issues: [expect.objectContaining({ field: 'data.scores.effectiveness' })] },
    });
    await expect(d.send('panel1@example.org', 'B03', 'SUBMIT_SCORE', { scores: { ...sheet(90), presentation: 9.3 } }, NOW)).rejects.toMatchObject({
      details: { issues: [expect.objectContaining({ field: 'data.scores.presentation' })] },
    });
    expect(await snapshotOf('B03')).toEqual(before);
  });

  it('answers a retried request with the same Idempotency-Key once, and refuses the key for another request', async () => {
    const office = await actorByEmail(env.services.db, OFFICE);
    const req = { cycle: 2020, branch: 'B04', type: 'ADJUST_SCORE', data: { points: 1, reason: '先进' }, actor: office, idempotencyKey: 'k-1', now: NOW };
    const first = await env.services.engine.sendBranchEvent(req);
    const again = await env.services.engine.sendBranchEvent(req);
    expect(again).toEqual(first);
    expect((await snapshotOf('B04')).version).toBe(2);
    await expect(env.services.engine.sendBranchEvent({ ...req, data: { points: 2, reason: '先进' } })).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
  });

  it('answers a stale expectedVersion with VERSION_CONFLICT and changes nothing', async () => {
    const office = await actorByEmail(env.services.db, OFFICE);
    const before = await snapshotOf('B05');
    await expect(
      env.services.engine.sendBranchEvent({ cycle: 2020, branch: 'B05', type: 'VETO', data: { reason: 'x' }, actor: office, expectedVersion: before.version - 1, now: NOW }),
    ).rejects.toMatchObject({ code: 'VERSION_CONFLICT' });
    expect(await snapshotOf('B05')).toEqual(before);
  });

  it('never loses an update between concurrent writers', async () => {
    const office = await actorByEmail(env.services.db, OFFICE);
    const before = await snapshotOf('B06');
    const adjust = (n: number) =>
      env.services.engine.sendBranchEvent({ cycle: 2020, branch: 'B06', type: 'ADJUST_SCORE', data: { points: 0.5, reason: `加分${n}` }, actor: office, now: NOW });
    const results = await Promise.all(Array.from({ length: 8 }, (_, n) => adjust(n)));
    expect(results.map((r) => r.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 8 }, (_, n) => before.version + n + 1));
    const st = await env.services.engine.branchStatus(2020, 'B06', await actorByEmail(env.services.db, OFFICE), NOW);
    expect(st.branch.history.filter((h) => h.event === 'ADJUST_SCORE')).toHaveLength(8);

    // With the same expected version, exactly one of two racing writers wins.
    const v = st.branch.version;
    const race = await Promise.allSettled(
      [1, 2].map((n) =>
        env.services.engine.sendBranchEvent({ cycle: 2020, branch: 'B06', type: 'ADJUST_SCORE', data: { points: 1, reason: `r${n}` }, actor: office, expectedVersion: v, now: NOW }),
      ),
    );
    expect(race.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(race.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'VERSION_CONFLICT' } });
  });

  it('lets the secretary delegate to a deputy, who is invited, acts for the branch and gets its mails', async () => {
    const s = env.services;
    const secretary = await actorByEmail(s.db, 'b02@example.org');
    await expect(s.engine.setDeputy(2020, 'B02', { email: 'deputy@example.org', name: '副书记' }, await actorByEmail(s.db, 'b01@example.org'), NOW)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(s.engine.setDeputy(2020, 'B02', { email: 'b02@example.org', name: '李华' }, secretary, NOW)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await s.engine.setDeputy(2020, 'B02', { email: 'deputy@example.org', name: '副书记' }, secretary, NOW);
    const mails = async () => (await env.services.db('outbox').where({ to_email: 'deputy@example.org' }).orderBy('id').select('template')).map((m: { template: string }) => m.template);
    expect(await mails()).toEqual(['invitation']);
    const res = await d.send('deputy@example.org', 'B02', 'ACKNOWLEDGE', undefined, NOW);
    expect(res.phase).toBe('preparing');
    await d.office('B02', 'EXTEND_DEADLINE', { deadline: 'materials', until: '2020-12-20T18:00:00+08:00' }, NOW);
    expect(await mails()).toEqual(['invitation', 'deadlineExtended']);
    const history = (await s.engine.branchStatus(2020, 'B02', await actorByEmail(s.db, OFFICE), NOW)).branch.history.map((h) => h.event);
    expect(history).toContain('SET_DEPUTY');
  });
});
