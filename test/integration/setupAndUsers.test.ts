// First run (首次使用) and the office's users page: the first account is made in the browser, then the
// door shuts; people are invited, given roles, deactivated (never deleted), re-invited; each audited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, makeTestEnv, type TestEnv } from '../support/db';
import { call, startServer, signIn, type HttpServer, type Session } from '../support/http';

describe.each(dialects)('first run and users on %s', (dialect) => {
  let env: TestEnv;
  let http: HttpServer;
  let office: Session;
  const first = { email: 'Office@Example.org', name: '党委办公室', password: 'First-Password-1' };

  beforeAll(async () => {
    env = await makeTestEnv(dialect);
    http = await startServer(env.services);
  });
  afterAll(async () => {
    await http?.close();
    await env?.cleanup();
  });

  const audit = (action: string) => env.services.db('audit').where({ event_type: action }).orderBy('id');

  it('leads / to /setup while nobody has an account', async () => {
    expect(await env.services.engine.needsSetup()).toBe(true);
    const home = await call(http.base, 'GET', '/');
    expect(home.status).toBe(302);
    expect(home.headers.get('location')).toBe('/setup');
    const page = await call(http.base, 'GET', '/setup');
    expect(page.status).toBe(200);
    expect(page.text).toContain('POST /api/setup');
  });

  it('names bad fields in Chinese', async () => {
    const a = await call(http.base, 'POST', '/api/setup', { body: { email: 'nope', password: 'short' } });
    expect(a.status).toBe(422);
    const fields = a.json.error.details.issues.map((i: { field: string }) => i.field).sort();
    expect(fields).toEqual(['email', 'name', 'password']);
    for (const i of a.json.error.details.issues) expect(i.message).toMatch(/[\u4e00-\u9fff]/);
  });

  it('creates the first office account (201), audited, then answers 409 ALREADY_SET_UP', async () => {
    const a = await call(http.base, 'POST', '/api/setup', { body: first });
    expect(a.status, a.text).toBe(201);
    expect(a.json.user).toMatchObject({ email: 'office@example.org', name: '党委办公室', roles: ['office'] });
    const [rec] = await audit('SETUP');
    expect(rec).toMatchObject({ actor_name: '党委办公室', actor_role: 'self', subject: `user:${a.json.user.id}` });
    const again = await call(http.base, 'POST', '/api/setup', { body: { ...first, email: 'other@example.org' } });
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe('ALREADY_SET_UP');
    expect(await env.services.db('users').count({ n: '*' }).first()).toMatchObject({ n: expect.anything() });
    expect(Number((await env.services.db('users').count({ n: '*' }).first())!.n)).toBe(1);
    expect((await call(http.base, 'GET', '/')).headers.get('location')).toBe('/login');
    expect((await call(http.base, 'GET', '/setup')).text).not.toContain('POST /api/setup');
    office = await signIn(http.base, 'office@example.org', first.password);
  });

  let newcomer: number;
  it('invites a person with a role: an invitation mail with a one-time link', async () => {
    const a = await call(http.base, 'POST', '/api/users', { session: office, body: { email: 'leader@example.org', name: '党委书记', roles: ['leader'] } });
    expect(a.status, a.text).toBe(201);
    expect(a.json).toMatchObject({ created: true, invited: true, user: { roles: ['leader'] } });
    newcomer = a.json.user.id;
    const mails = await env.services.db('outbox').where({ to_email: 'leader@example.org', template: 'invitation' });
    expect(mails).toHaveLength(1);
    const list = await call(http.base, 'GET', '/api/users', { session: office });
    expect(list.json.users.find((u: { id: number }) => u.id === newcomer)).toMatchObject({ active: true, passwordSet: false, locked: false, roles: ['leader'] });
    const page = await call(http.base, 'GET', '/users', { session: office });
    expect(page.status).toBe(200);
    expect(page.text).toContain('leader@example.org');
  });

  it('resends the invitation, revoking the older link', async () => {
    const a = await call(http.base, 'POST', `/api/users/${newcomer}/invitation`, { session: office });
    expect(a.status, a.text).toBe(200);
    const tokens = await env.services.db('password_tokens').where({ user_id: newcomer }).orderBy('created_at');
    expect(tokens.filter((t: { revoked_at: string | null }) => t.revoked_at === null)).toHaveLength(1);
    expect(await env.services.db('outbox').where({ to_email: 'leader@example.org', template: 'invitation' })).toHaveLength(2);
  });

  it('changes roles, but never leaves the site without an office account', async () => {
    const a = await call(http.base, 'PUT', `/api/users/${newcomer}/roles`, { session: office, body: { roles: ['office', 'leader'] } });
    expect(a.json.roles.sort()).toEqual(['leader', 'office']);
    const me = (await call(http.base, 'GET', '/api/session', { session: office })).json.user.id;
    // The newcomer is office now, but has no password: still two office accounts, so this one may go.
    const b = await call(http.base, 'PUT', `/api/users/${newcomer}/roles`, { session: office, body: { roles: ['leader'] } });
    expect(b.status).toBe(200);
    const last = await call(http.base, 'PUT', `/api/users/${me}/roles`, { session: office, body: { roles: [] } });
    expect(last.status).toBe(422);
    expect(last.json.error.details.issues[0].message).toContain('党委办公室');
    expect((await audit('USER_ROLES_SET')).length).toBe(2);
  });

  it('deactivates (sign-in refused, sessions ended, row kept) and reactivates', async () => {
    const { hashPassword } = await import('../../src/security/passwords');
    await env.services.db('users').where({ id: newcomer }).update({ password_hash: await hashPassword('Leader-Password-1') });
    const leader = await signIn(http.base, 'leader@example.org', 'Leader-Password-1');
    const me = (await call(http.base, 'GET', '/api/session', { session: office })).json.user.id;
    expect((await call(http.base, 'POST', `/api/users/${me}/deactivate`, { session: office })).status).toBe(422);
    const d = await call(http.base, 'POST', `/api/users/${newcomer}/deactivate`, { session: office });
    expect(d.status, d.text).toBe(200);
    expect((await call(http.base, 'GET', '/api/session', { session: leader })).status).toBe(401);
    expect((await call(http.base, 'POST', '/api/session', { body: { email: 'leader@example.org', password: 'Leader-Password-1' } })).status).toBe(401);
    expect(await env.services.db('users').where({ id: newcomer }).first()).toBeDefined();
    const list = await call(http.base, 'GET', '/api/users', { session: office });
    expect(list.json.users.find((u: { id: number }) => u.id === newcomer).active).toBe(false);
    expect((await call(http.base, 'POST', `/api/users/${newcomer}/reactivate`, { session: office })).status).toBe(200);
    await signIn(http.base, 'leader@example.org', 'Leader-Password-1');
    expect((await audit('USER_DEACTIVATED')).length).toBe(1);
    expect((await audit('USER_REACTIVATED')).length).toBe(1);
  });

  it('shows a locked sign-in and unlocks it', async () => {
    for (let i = 0; i < 5; i++) await call(http.base, 'POST', '/api/session', { body: { email: 'leader@example.org', password: 'wrong-password' } });
    let list = await call(http.base, 'GET', '/api/users', { session: office });
    expect(list.json.users.find((u: { id: number }) => u.id === newcomer).locked).toBe(true);
    expect((await call(http.base, 'POST', '/api/users/unlock', { session: office, body: { email: 'leader@example.org' } })).status).toBe(200);
    list = await call(http.base, 'GET', '/api/users', { session: office });
    expect(list.json.users.find((u: { id: number }) => u.id === newcomer).locked).toBe(false);
  });

  it('keeps the audit chain whole', async () => {
    const { actorByEmail } = await import('../../src/engine/actors');
    expect((await env.services.engine.verifyAudit(await actorByEmail(env.services.db, 'office@example.org'))).ok).toBe(true);
  });
});
