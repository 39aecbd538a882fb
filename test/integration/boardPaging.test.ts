// The board and the dashboard read small: counts aggregated in SQL, one page of rows sorted and
// filtered by the server, and a 304 for a poll when nothing changed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorByEmail } from '../../src/engine/actors';
import { bootstrapOffice, exampleConfig, OFFICE } from '../support/cycle';
import { dialects, makeTestEnv, type TestEnv } from '../support/db';
import { call, setPasswords, signIn, startServer, type HttpServer, type Session } from '../support/http';

const N = 120;

describe.each(dialects)('board paging on %s', (dialect) => {
  let env: TestEnv;
  let http: HttpServer;
  let office: Session;
  let leader: Session;

  beforeAll(async () => {
    env = await makeTestEnv(dialect);
    const s = env.services;
    const config = exampleConfig();
    config.branches = Array.from({ length: N }, (_, i) => {
      const code = `B${String(i + 1).padStart(3, '0')}`;
      return { code, name: `第${i + 1}党支部${i % 10 === 0 ? '（机关）' : ''}`, secretaryName: `书记${i + 1}`, secretaryEmail: `${code.toLowerCase()}@example.org` };
    });
    config.panel = (config.panel as { branchCode?: string }[]).filter((p) => !p.branchCode);
    const o = await bootstrapOffice(s);
    await s.engine.createCycle(config, o, '2020-11-19T02:00:00Z');
    await s.engine.launchCycle(2020, o, { now: '2020-11-20T02:00:00Z' });
    // Ten branches acknowledge (preparing); three are exempted.
    for (let i = 1; i <= 10; i++) {
      const code = `B${String(i).padStart(3, '0')}`;
      await s.engine.sendBranchEvent({ cycle: 2020, branch: code, type: 'ACKNOWLEDGE', actor: await actorByEmail(s.db, `${code.toLowerCase()}@example.org`), now: '2020-11-21T02:00:00Z' });
    }
    for (const code of ['B011', 'B012', 'B013']) {
      await s.engine.sendBranchEvent({ cycle: 2020, branch: code, type: 'EXEMPT', data: { reason: '撤并' }, actor: o, now: '2020-11-21T02:00:00Z' });
    }
    await setPasswords(s);
    http = await startServer(s);
    office = await signIn(http.base, OFFICE);
    leader = await signIn(http.base, 'secretary.party@example.org');
  }, 120_000);

  afterAll(async () => {
    await http?.close();
    await env?.cleanup();
  });

  const api = (q: string, session = leader, headers: Record<string, string> = {}) => call(http.base, 'GET', `/api/cycles/2020${q}`, { session, headers });

  it('counts every branch in SQL but sends one page of rows', async () => {
    const r = await api('?limit=25');
    expect(r.status).toBe(200);
    expect(r.json.total).toBe(N);
    expect(r.json.counts).toMatchObject({ notified: N - 13, preparing: 10, exempted: 3, closed: 0 });
    expect(r.json.branches).toHaveLength(25);
    expect(r.json.page).toMatchObject({ offset: 0, limit: 25, total: N });
    expect(r.json.branches.map((b: { code: string }) => b.code).slice(0, 3)).toEqual(['B001', 'B002', 'B003']);
    // Every deadline of 2020 has long passed: the open branches are all overdue, counted in SQL.
    expect(r.json.overdueCount).toBe(N - 3);
    expect(r.json.overdue).toHaveLength(10);
  });

  it('pages, sorts and filters on the server', async () => {
    const second = await api('?limit=50&offset=50');
    expect(second.json.branches[0].code).toBe('B051');
    const last = await api('?limit=50&offset=100');
    expect(last.json.branches).toHaveLength(20);
    const desc = await api('?sort=code&dir=desc&limit=5');
    expect(desc.json.branches.map((b: { code: string }) => b.code)).toEqual(['B120', 'B119', 'B118', 'B117', 'B116']);
    const byPhase = await api('?phase=preparing');
    expect(byPhase.json.page.total).toBe(10);
    expect(new Set(byPhase.json.branches.map((b: { phase: string }) => b.phase))).toEqual(new Set(['preparing']));
    const named = await api(`?q=${encodeURIComponent('机关')}`);
    expect(named.json.page.total).toBe(12);
    const phaseOrder = await api('?sort=phase&dir=desc&limit=3');
    expect(phaseOrder.json.branches.map((b: { phase: string }) => b.phase)).toEqual(['exempted', 'exempted', 'exempted']);
    // A LIKE wildcard in the filter is a character, not a wildcard.
    expect((await api(`?q=${encodeURIComponent('%')}`)).json.page.total).toBe(0);
    expect((await api('?limit=500')).status).toBe(422);
  });

  it('answers an unchanged poll with 304, and a changed one with the new data', async () => {
    const first = await api('?limit=10');
    const etag = first.headers.get('etag');
    expect(etag).toBeTruthy();
    const again = await api('?limit=10', leader, { 'if-none-match': etag! });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    // Another page or another viewer is another answer.
    expect((await api('?limit=11', leader, { 'if-none-match': etag! })).status).toBe(200);
    // A branch moves: the same poll now gets 200.
    await env.services.engine.sendBranchEvent({ cycle: 2020, branch: 'B050', type: 'ACKNOWLEDGE', actor: await actorByEmail(env.services.db, 'b050@example.org') });
    const changed = await api('?limit=10', leader, { 'if-none-match': etag! });
    expect(changed.status).toBe(200);
    expect(changed.json.counts.preparing).toBe(11);
  });

  it('renders the office board one page at a time, with sort links and a filter form', async () => {
    const page = await call(http.base, 'GET', '/cycles/2020', { session: office });
    expect(page.status).toBe(200);
    expect((page.text.match(/<tr data-phase=/g) ?? []).length).toBe(50);
    expect(page.text).toContain('1–50 / 120');
    expect(page.text).toContain('offset=50');
    const filtered = await call(http.base, 'GET', '/cycles/2020?phase=exempted&sort=name&dir=desc', { session: office });
    expect((filtered.text.match(/<tr data-phase="exempted"/g) ?? []).length).toBe(3);
    expect(filtered.text).toContain('1–3 / 3');
  });
});
