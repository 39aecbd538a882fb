// Every route, for every kind of principal: the set allowed is exactly what the rules say, and a
// denied attempt changes nothing. The expectations are written by hand from the rules (docs/rules.md:
// Roles), not derived from the routes' own declarations, so a new route fails until judged.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorByEmail } from '../../src/engine/actors';
import { apiRoutes } from '../../src/web/api';
import { driver, exampleConfig, OFFICE } from '../support/cycle';
import { dialects, makeTestEnv, type TestEnv } from '../support/db';
import { call, fileForm, setPasswords, signIn, startServer, TINY_PDF, type Answer, type HttpServer, type Session } from '../support/http';

type Principal = 'none' | 'office' | 'leader' | 'secretary' | 'otherSecretary' | 'evaluator';
const PRINCIPALS: Principal[] = ['none', 'office', 'leader', 'secretary', 'otherSecretary', 'evaluator'];
const EMAIL: Record<Exclude<Principal, 'none'>, string> = {
  office: OFFICE,
  leader: 'secretary.party@example.org',
  secretary: 'b01@example.org', // B01's secretary
  otherSecretary: 'b02@example.org', // B02's secretary, acting on B01
  evaluator: 'panel1@example.org', // expected to score B01
};

const EVERYONE: Principal[] = PRINCIPALS;
const SIGNED_IN: Principal[] = ['office', 'leader', 'secretary', 'otherSecretary', 'evaluator'];
const OFFICE_ONLY: Principal[] = ['office'];
const OFFICE_AND_LEADER: Principal[] = ['office', 'leader'];
/** Who may read branch B01: the office, leaders, its own secretary, an evaluator expected to score it. */
const READERS_OF_B01: Principal[] = ['office', 'leader', 'secretary', 'evaluator'];

interface Ctx {
  cycleId: number;
  fileId: string;
  mailId: number;
  ballotToken: string;
}

/** A request per principal: allowed principals get a body the business rules refuse (or a harmless one), denied ones a body that would change something. */
interface Case {
  allowed: Principal[];
  path: (c: Ctx, p?: Principal) => string;
  body?: (p: Principal, c: Ctx) => unknown;
}

const configOf = (year: number) => ({ ...exampleConfig(), year, title: `${year}年度述职评议` });
const configForm = (year: number) => {
  const form = new FormData();
  form.append('config', new Blob([JSON.stringify(configOf(year))], { type: 'application/json' }), 'cycle.json');
  return form;
};

// Keyed `${METHOD} ${path}` as declared. Written from the rules, one line each.
const API: Record<string, Case> = {
  'GET /api/health': { allowed: EVERYONE, path: () => '/api/health' },
  'GET /api/openapi.json': { allowed: EVERYONE, path: () => '/api/openapi.json' },
  // Public: an empty body is refused as invalid without counting as a failed sign-in.
  'POST /api/session': { allowed: EVERYONE, path: () => '/api/session', body: () => ({}) },
  'GET /api/session': { allowed: SIGNED_IN, path: () => '/api/session' },
  'DELETE /api/session': { allowed: SIGNED_IN, path: () => '/api/session' },
  'POST /api/password/forgot': { allowed: EVERYONE, path: () => '/api/password/forgot', body: () => ({ email: 'nobody@example.org' }) },
  'POST /api/password/reset': { allowed: EVERYONE, path: () => '/api/password/reset', body: () => ({ token: 'no-such-link', password: 'short' }) },
  'PUT /api/me/locale': { allowed: SIGNED_IN, path: () => '/api/me/locale', body: () => ({ locale: 'zh-CN' }) },
  'GET /api/tasks': { allowed: SIGNED_IN, path: () => '/api/tasks' },
  // Every signed-in person sees the cycles they take part in (all of them for the office and leaders).
  'GET /api/cycles': { allowed: SIGNED_IN, path: () => '/api/cycles' },
  // The office's: 2020 exists already (refused as invalid); anyone else would create 2031.
  'POST /api/cycles': { allowed: OFFICE_ONLY, path: () => '/api/cycles', body: (p) => configOf(p === 'office' ? 2020 : 2031) },
  'POST /api/cycles/import': { allowed: OFFICE_ONLY, path: () => '/api/cycles/import', body: (p) => (p === 'office' ? {} : configForm(2032)) },
  // Already launched: 409 for the office.
  'POST /api/cycles/:cycle/launch': { allowed: OFFICE_ONLY, path: () => '/api/cycles/2020/launch' },
  // Not every branch is scored: 409 for the office.
  'POST /api/cycles/:cycle/events': { allowed: OFFICE_ONLY, path: () => '/api/cycles/2020/events', body: () => ({ type: 'PUBLISH_RESULTS' }) },
  // Cycle status is the office's and the leaders'; not a secretary's nor an evaluator's.
  'GET /api/cycles/:cycle': { allowed: OFFICE_AND_LEADER, path: () => '/api/cycles/2020' },
  // Documents (results, ledger, bulletin, letters): the office's and the leaders'.
  'GET /api/cycles/:cycle/export': { allowed: OFFICE_AND_LEADER, path: () => '/api/cycles/2020/export?kind=ledger' },
  'GET /api/cycles/:cycle/branches/:branch': { allowed: READERS_OF_B01, path: () => '/api/cycles/2020/branches/B01' },
  // Acting on a branch: the office, its own secretary, an evaluator of the cycle. Leaders change nothing.
  'POST /api/cycles/:cycle/branches/:branch/events': {
    allowed: ['office', 'secretary', 'evaluator'],
    path: () => '/api/cycles/2020/branches/B01/events',
    body: (p) =>
      ({
        none: { type: 'ACKNOWLEDGE' },
        office: { type: 'EXEMPT', data: { reason: '合并' }, expectedVersion: -1 },
        leader: { type: 'EXEMPT', data: { reason: '领导越权免除' } },
        secretary: { type: 'ACKNOWLEDGE', expectedVersion: -1 },
        otherSecretary: { type: 'ACKNOWLEDGE' },
        evaluator: { type: 'RECORD_QA', data: { question: '问', answer: '答', askedBy: '考评组成员一' }, expectedVersion: -1 },
      })[p],
  },
  // A batch is open to every signed-in person; each line is judged by the policy (a stale version here, so nothing changes).
  'POST /api/cycles/:cycle/events/batch': {
    allowed: SIGNED_IN,
    path: () => '/api/cycles/2020/events/batch',
    body: () => ({ events: [{ branch: 'B01', type: 'ACKNOWLEDGE', expectedVersion: 999 }] }),
  },
  // Only an evaluator expected to score the branch keeps a draft.
  'PUT /api/cycles/:cycle/branches/:branch/score-draft': {
    allowed: ['evaluator'],
    path: () => '/api/cycles/2020/branches/B01/score-draft',
    body: () => ({ scores: { effectiveness: 25, integration: null }, comment: '草稿' }),
  },
  // Delegation: the office or B01's own secretary; an invalid email keeps the allowed calls from changing anything.
  'PUT /api/cycles/:cycle/branches/:branch/deputy': {
    allowed: ['office', 'secretary'],
    path: () => '/api/cycles/2020/branches/B01/deputy',
    body: (p) => (p === 'office' || p === 'secretary' ? { deputy: { email: 'not-an-email', name: '副书记' } } : { deputy: { email: 'deputy@example.org', name: '副书记' } }),
  },
  'POST /api/cycles/:cycle/branches/:branch/resend-notice': { allowed: OFFICE_ONLY, path: () => '/api/cycles/2020/branches/B01/resend-notice' },
  // Unlocking a sign-in is the office's: an unknown address for it (404), a real one for anyone else.
  'POST /api/users/unlock': { allowed: OFFICE_ONLY, path: () => '/api/users/unlock', body: (p) => ({ email: p === 'office' ? 'nobody@example.org' : 'b01@example.org' }) },
  // Verifying the audit chain reads everything: the office's.
  'GET /api/audit/verify': { allowed: OFFICE_ONLY, path: () => '/api/audit/verify' },
  // Upload on B01: its secretary and the office (with no file: refused as invalid); anyone else sends a real PDF.
  'POST /api/cycles/:cycle/branches/:branch/files': {
    allowed: ['office', 'secretary'],
    path: () => '/api/cycles/2020/branches/B01/files',
    body: (p) => (p === 'office' || p === 'secretary' ? new FormData() : fileForm('file', 'intruder.pdf', TINY_PDF, 'application/pdf')),
  },
  // A file of B01 is read by whoever may read B01.
  'GET /api/files/:id': { allowed: READERS_OF_B01, path: (c) => `/api/files/${c.fileId}` },
  // Removing a file of B01 (to replace it): who may upload there. The allowed ones name a file that is not there (404), so B01's stays.
  'DELETE /api/files/:id': {
    allowed: ['office', 'secretary'],
    path: (c, p) => (p === 'office' || p === 'secretary' ? '/api/files/0123456789abcdef0123456789abcdef' : `/api/files/${c.fileId}`),
  },
  'GET /api/mail': { allowed: OFFICE_ONLY, path: () => '/api/mail' },
  // Not a dead letter: 404 for the office.
  'POST /api/mail/:id/retry': { allowed: OFFICE_ONLY, path: (c) => `/api/mail/${c.mailId}/retry` },
  'POST /api/cycles/:cycle/branches/:branch/ballots': {
    allowed: OFFICE_ONLY,
    path: () => '/api/cycles/2020/branches/B01/ballots',
    body: (p) => ({ count: p === 'office' ? 0 : 1 }),
  },
  // Anyone holding a token votes, without signing in (an invalid choice: refused, the ballot stays unused).
  'POST /api/ballots/:token': { allowed: EVERYONE, path: (c) => `/api/ballots/${c.ballotToken}`, body: () => ({ choice: '非常满意' }) },
  // First run: public, and shut (409 ALREADY_SET_UP) once anyone has an account.
  'POST /api/setup': { allowed: EVERYONE, path: () => '/api/setup', body: () => ({ email: 'first@example.org', name: '首位', password: 'First-Password-1' }) },
  // The users page is the office's: an invalid email or an unknown id for it, a real change for anyone else.
  'GET /api/users': { allowed: OFFICE_ONLY, path: () => '/api/users' },
  // The cycle wizard is the office's: templates; 2020 is launched, so its draft is 409 for the office.
  'GET /api/templates/branches.xlsx': { allowed: OFFICE_ONLY, path: () => '/api/templates/branches.xlsx' },
  'GET /api/templates/panel.xlsx': { allowed: OFFICE_ONLY, path: () => '/api/templates/panel.xlsx' },
  'GET /api/cycles/:cycle/draft': { allowed: OFFICE_ONLY, path: () => '/api/cycles/2020/draft' },
  'PUT /api/cycles/:cycle/draft': { allowed: OFFICE_ONLY, path: () => '/api/cycles/2020/draft', body: () => configForm(2033) },
  'DELETE /api/cycles/:cycle': { allowed: OFFICE_ONLY, path: () => '/api/cycles/2020' },
  'POST /api/users': { allowed: OFFICE_ONLY, path: () => '/api/users', body: (p) => ({ email: p === 'office' ? 'not-an-email' : 'intruder@example.org', name: '新人', roles: ['office'] }) },
  'PUT /api/users/:id/roles': { allowed: OFFICE_ONLY, path: () => '/api/users/999999/roles', body: () => ({ roles: ['office'] }) },
  'POST /api/users/:id/deactivate': { allowed: OFFICE_ONLY, path: () => '/api/users/999999/deactivate' },
  'POST /api/users/:id/reactivate': { allowed: OFFICE_ONLY, path: () => '/api/users/999999/reactivate' },
  'POST /api/users/:id/invitation': { allowed: OFFICE_ONLY, path: () => '/api/users/999999/invitation' },
  // The meeting day (issue 10): the runner is the office's; a display link reads, for anyone holding it.
  'GET /api/cycles/:cycle/meeting': { allowed: OFFICE_ONLY, path: () => '/api/cycles/2020/meeting' },
  'POST /api/cycles/:cycle/meeting': { allowed: OFFICE_ONLY, path: () => '/api/cycles/2020/meeting', body: (p) => (p === 'office' ? { command: 'select', code: 'B99' } : { command: 'start' }) },
  // (A cycle that does not exist: the office's stream answers 404 at once instead of staying open.)
  'GET /api/cycles/:cycle/meeting/stream': { allowed: OFFICE_ONLY, path: () => '/api/cycles/2099/meeting/stream' },
  'POST /api/cycles/:cycle/meeting/displays': { allowed: OFFICE_ONLY, path: (_c, p) => `/api/cycles/${p === 'office' ? 2099 : 2020}/meeting/displays` },
  'DELETE /api/cycles/:cycle/meeting/displays': { allowed: OFFICE_ONLY, path: (_c, p) => `/api/cycles/${p === 'office' ? 2099 : 2020}/meeting/displays` },
  'GET /api/hall/:token': { allowed: EVERYONE, path: () => '/api/hall/no-such-display-link' },
  'GET /api/hall/:token/stream': { allowed: EVERYONE, path: () => '/api/hall/no-such-display-link/stream' },
  // Problems: read with the branch; raised and withdrawn by the office; evidence checks the office's; repeats with the board.
  'GET /api/cycles/:cycle/branches/:branch/problems': { allowed: READERS_OF_B01, path: () => '/api/cycles/2020/branches/B01/problems' },
  'POST /api/cycles/:cycle/branches/:branch/problems': {
    allowed: OFFICE_ONLY, path: () => '/api/cycles/2020/branches/B01/problems', body: (p) => ({ category: p === 'office' ? '不存在的类别' : '三会一课', text: '越权登记' }),
  },
  'DELETE /api/cycles/:cycle/branches/:branch/problems/:id': { allowed: OFFICE_ONLY, path: () => '/api/cycles/2020/branches/B01/problems/999999' },
  'GET /api/cycles/:cycle/evidence/duplicates': { allowed: OFFICE_ONLY, path: () => '/api/cycles/2020/evidence/duplicates' },
  'GET /api/cycles/:cycle/repeats': { allowed: OFFICE_AND_LEADER, path: () => '/api/cycles/2020/repeats' },
  // Scoring links: issued and revoked by the office; the link itself is the evaluator (an unknown one is 404 to anybody).
  'POST /api/cycles/:cycle/panel-links': { allowed: OFFICE_ONLY, path: (_c, p) => `/api/cycles/${p === 'office' ? 2099 : 2020}/panel-links`, body: () => ({}) },
  'GET /api/cycles/:cycle/panel-links': { allowed: OFFICE_ONLY, path: () => '/api/cycles/2020/panel-links' },
  'DELETE /api/cycles/:cycle/panel-links/:id': { allowed: OFFICE_ONLY, path: (_c, p) => `/api/cycles/${p === 'office' ? 2099 : 2020}/panel-links/1` },
  'GET /api/panel/:token': { allowed: EVERYONE, path: () => '/api/panel/no-such-scoring-link' },
  'GET /api/panel/:token/branches/:branch': { allowed: EVERYONE, path: () => '/api/panel/no-such-scoring-link/branches/B01' },
  'POST /api/panel/:token/branches/:branch/score': { allowed: EVERYONE, path: () => '/api/panel/no-such-scoring-link/branches/B01/score', body: () => ({ scores: { effectiveness: 30 } }) },
  'PUT /api/panel/:token/branches/:branch/draft': { allowed: EVERYONE, path: () => '/api/panel/no-such-scoring-link/branches/B01/draft', body: () => ({ scores: { effectiveness: 30 } }) },
};

// Pages (GET). Signed out, a page that needs a session redirects to /login.
const PAGES: Record<string, Case> = {
  '/': { allowed: SIGNED_IN, path: () => '/' },
  '/login': { allowed: EVERYONE, path: () => '/login' },
  '/forgot': { allowed: EVERYONE, path: () => '/forgot' },
  '/password/:token': { allowed: EVERYONE, path: () => '/password/some-link-token' },
  '/ballot/:token': { allowed: EVERYONE, path: (c) => `/ballot/${c.ballotToken}` },
  // The office's cycle list (create, import, launch); leaders read cycles on the dashboard and the board.
  '/cycles': { allowed: OFFICE_ONLY, path: () => '/cycles' },
  '/cycles/:cycle': { allowed: OFFICE_AND_LEADER, path: (c) => `/cycles/${c.cycleId}` },
  '/cycles/:cycle/branches/:branch': { allowed: READERS_OF_B01, path: (c) => `/cycles/${c.cycleId}/branches/B01` },
  '/cycles/:cycle/branches/:branch/score': { allowed: ['evaluator'], path: (c) => `/cycles/${c.cycleId}/branches/B01/score` },
  '/tasks': { allowed: SIGNED_IN, path: () => '/tasks' },
  '/dashboard': { allowed: OFFICE_AND_LEADER, path: () => '/dashboard' },
  '/mail': { allowed: OFFICE_ONLY, path: () => '/mail' },
  '/setup': { allowed: EVERYONE, path: () => '/setup' },
  '/users': { allowed: OFFICE_ONLY, path: () => '/users' },
  '/cycles/new': { allowed: OFFICE_ONLY, path: () => '/cycles/new' },
  '/mail/:id': { allowed: OFFICE_ONLY, path: (c) => `/mail/${c.mailId}` },
  // A launched cycle has no draft: 409 (a page) for the office, refused for anyone else.
  '/cycles/:cycle/draft': { allowed: OFFICE_ONLY, path: (c) => `/cycles/${c.cycleId}/draft` },
  '/cycles/:cycle/edit': { allowed: OFFICE_ONLY, path: (c) => `/cycles/${c.cycleId}/edit` },
};
const PAGE_ROUTES = ['/', '/login', '/forgot', '/password/:token', '/ballot/:token', '/cycles', '/cycles/:cycle', '/cycles/:cycle/branches/:branch', '/cycles/:cycle/branches/:branch/score', '/tasks', '/dashboard', '/mail', '/setup', '/users', '/cycles/new', '/cycles/:cycle/draft', '/cycles/:cycle/edit', '/mail/:id'];

const routeKey = (r: { method: string; path: string }) => `${r.method.toUpperCase()} ${r.path}`;
// Signing out ends the sessions: last.
const API_KEYS = [...apiRoutes.map(routeKey), 'GET /api/openapi.json'].sort((a, b) => Number(a === 'DELETE /api/session') - Number(b === 'DELETE /api/session'));

describe.each(dialects)('authorisation of every route on %s', (dialect) => {
  let env: TestEnv;
  let http: HttpServer;
  const sessions = {} as Record<Exclude<Principal, 'none'>, Session>;
  const ctx = {} as Ctx;

  beforeAll(async () => {
    env = await makeTestEnv(dialect);
    const s = env.services;
    // Democratic appraisal on, so that there are ballots.
    const { cycle } = await driver(s).create('2020-11-19T02:00:00Z', { democratic: { enabled: true, weightPercent: 30 } });
    await driver(s).launch('2020-11-20T02:00:00Z');
    await setPasswords(s);
    http = await startServer(s);
    for (const p of SIGNED_IN) sessions[p as Exclude<Principal, 'none'>] = await signIn(http.base, EMAIL[p as Exclude<Principal, 'none'>]);

    ctx.cycleId = cycle.id;
    const up = await call(http.base, 'POST', '/api/cycles/2020/branches/B01/files', { session: sessions.secretary, body: fileForm('file', '述职报告.pdf', TINY_PDF, 'application/pdf') });
    expect(up.status, up.text).toBe(201);
    ctx.fileId = up.json.file.id;
    ctx.mailId = (await s.db('outbox').orderBy('id').first('id')).id;
    ctx.ballotToken = (await s.engine.issueBallots({ cycle: 2020, branch: 'B01', count: 1, actor: await actorByEmail(s.db, OFFICE) })).ballots[0].token;
  });
  afterAll(async () => {
    await http?.close();
    await env?.cleanup();
  });

  const count = async (table: string, where: Record<string, unknown> = {}) => Number((await env.services.db(table).where(where).count({ n: '*' }).first())!.n);
  /** Everything a denied call could have changed. */
  const observe = async () => {
    const db = env.services.db;
    const b01 = await db('branch_reviews').where({ code: 'B01' }).first('version', 'state', 'phase');
    const uploads = path.join(env.dataDir, 'uploads');
    return {
      b01,
      audit: await count('audit'),
      outbox: await count('outbox'),
      cycles: await count('cycles'),
      files: await count('files'),
      uploads: fs.existsSync(uploads) ? fs.readdirSync(uploads).length : 0,
      ballots: await count('ballots'),
      ballotsCast: Number((await db('ballots').whereNotNull('cast_at').count({ n: '*' }).first())!.n),
      drafts: await count('score_drafts'),
      sessions: await count('sessions'),
      locales: await db('users').orderBy('id').pluck('locale'),
    };
  };

  const isSignInRedirect = (a: Answer) => a.status === 302 && (a.headers.get('location') ?? '').startsWith('/login');

  /** Calls the route as each principal; asserts denied calls changed nothing; returns who was allowed. */
  async function matrix(method: string, c: Case, page: boolean): Promise<Principal[]> {
    const allowed: Principal[] = [];
    for (const p of PRINCIPALS) {
      const session = p === 'none' ? undefined : sessions[p];
      const expectDenied = !c.allowed.includes(p);
      const before = expectDenied ? await observe() : undefined;
      const a = await call(http.base, method, c.path(ctx, p), { session, body: c.body?.(p, ctx) });
      const label = `${method} ${c.path(ctx, p)} as ${p}: ${a.status} ${a.text.slice(0, 200)}`;
      expect(a.status, label).toBeLessThan(500);
      if (!page) expect(a.json?.error?.message ?? '', label).not.toMatch(/^没有该接口/);
      const denied = a.status === 401 || a.status === 403 || (page && isSignInRedirect(a));
      if (denied) {
        // Signed out: 401 (a page: to the sign-in page); signed in: 403.
        if (p === 'none') expect(page ? isSignInRedirect(a) : a.status === 401, label).toBe(true);
        else expect(a.status, label).toBe(403);
        if (!page) expect(a.json?.error?.code, label).toBe(p === 'none' ? 'UNAUTHENTICATED' : 'FORBIDDEN');
      } else allowed.push(p);
      if (before) expect(await observe(), `${label} changed something`).toEqual(before);
    }
    return allowed;
  }

  it('has an expectation for every API route, and every page', () => {
    expect(Object.keys(API).sort()).toEqual([...API_KEYS].sort());
    expect(Object.keys(PAGES).sort()).toEqual([...PAGE_ROUTES].sort());
  });

  it.each(API_KEYS)('API %s: exactly the allowed principals get through', async (key) => {
    const c = API[key];
    expect(c, `no expectation written for ${key}`).toBeDefined();
    const method = key.split(' ')[0];
    expect(await matrix(method, c, false)).toEqual(PRINCIPALS.filter((p) => c.allowed.includes(p)));
  });

  it.each(PAGE_ROUTES)('page %s: exactly the allowed principals see it', async (route) => {
    // The sessions were ended by DELETE /api/session: sign in again.
    if (!(await call(http.base, 'GET', '/api/session', { session: sessions.office })).json?.user) {
      for (const p of SIGNED_IN) sessions[p as Exclude<Principal, 'none'>] = await signIn(http.base, EMAIL[p as Exclude<Principal, 'none'>]);
    }
    const c = PAGES[route];
    expect(await matrix('GET', c, true)).toEqual(PRINCIPALS.filter((p) => c.allowed.includes(p)));
  });

  it('leaves branch B01 where it was: no denied (or refused) call moved it', async () => {
    const b01 = await env.services.db('branch_reviews').where({ code: 'B01' }).first('version', 'phase');
    expect(b01).toEqual({ version: 1, phase: 'notified' });
    expect(await count('cycles')).toBe(1);
    expect(await count('files')).toBe(1);
    expect(await count('ballots')).toBe(1);
  });
});
