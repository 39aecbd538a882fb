// Sign-in and reset hygiene, over real HTTP and through the engine: reset mails are limited per
// address and hour, a newer link revokes the older one, asking for a reset takes as long for an
// unknown address as for a known one, failed sign-ins delay only the client that failed, the office
// can unlock, and each change is audited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clientKey,
  forgotPassword,
  lockoutDelayMs,
  MAX_CLIENT_FAILURES,
  processResetRequests,
  queuePasswordLink,
  signIn as engineSignIn,
  unlockAccount,
} from '../../src/engine/accounts';
import { actorByEmail } from '../../src/engine/actors';
import { verifyAudit } from '../../src/engine/audit';
import { AppError } from '../../src/errors';
import { findUserByEmail } from '../../src/store/users';
import { recordLoginFailure } from '../../src/store/web';
import { safeNext } from '../../src/web/redirects';
import { driver, OFFICE } from '../support/cycle';
import { dialects, makeTestEnv, type TestEnv } from '../support/db';
import { call, PASSWORD, setPasswords, startServer, type HttpServer } from '../support/http';

const MIN = 60_000;
const at = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

describe('safeNext', () => {
  const base = 'http://shuping.test';
  it.each([
    ['/\\evil.example/x'], ['/\t/evil.example'], ['//evil.example'], ['https://evil.example'],
    ['javascript:alert(1)'], ['/.//evil.example'], ['///evil.example'], ['http://shuping.test@evil.example/'], ['http://user:pw@shuping.test/x'],
    ['\n/x'], [''], [undefined], [['/a', '/b']],
  ])('refuses %j', (next) => {
    expect(safeNext(next, base)).toBe('/');
  });
  it.each([
    ['/cycles/2020?tab=1#top', '/cycles/2020?tab=1#top'],
    ['/mail', '/mail'],
    ['http://shuping.test/tasks', '/tasks'],
    ['/a/../b', '/b'],
    ['/%2F%2Fevil.example', '/%2F%2Fevil.example'],
  ])('follows %j to %j', (next, path) => {
    expect(safeNext(next, base)).toBe(path);
  });
});

describe('the client a failure counts against', () => {
  it('is the IPv4 address, also IPv4-mapped, or the IPv6 /64', () => {
    expect(clientKey('198.51.100.7')).toBe('198.51.100.7');
    expect(clientKey('::ffff:198.51.100.7')).toBe('198.51.100.7');
    expect(clientKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:0db8:0001:0002:ffff:1:2:3')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
  });
  it('waits a minute after 5 failures, doubling up to 15 minutes', () => {
    expect([4, 5, 6, 7, 8, 9, 50, 5000].map(lockoutDelayMs)).toEqual([0, MIN, 2 * MIN, 4 * MIN, 8 * MIN, 15 * MIN, 15 * MIN, 15 * MIN]);
  });
});

describe.each(dialects)('sign-in and reset hygiene on %s', (dialect) => {
  let env: TestEnv;
  let http: HttpServer;

  beforeAll(async () => {
    env = await makeTestEnv(dialect);
    await driver(env.services).create();
    await setPasswords(env.services);
    http = await startServer(env.services);
  });
  afterAll(async () => {
    await http?.close();
    await env?.cleanup();
  });

  const db = () => env.services.db;
  const settings = () => ({ baseUrl: env.settings.baseUrl, mailFrom: env.settings.mailFrom });
  const process = (now = new Date().toISOString()) => processResetRequests(db(), settings(), now);
  const forgot = (email: string) => call(http.base, 'POST', '/api/password/forgot', { body: { email } });
  const resetMails = (email: string) => db()('outbox').where({ to_email: email, template: 'passwordReset' }).orderBy('id').select('body_text');
  const linkIn = (text: string) => /\/password\/([A-Za-z0-9_-]+)/.exec(text)![1];
  const userId = async (email: string) => (await findUserByEmail(db(), email))!.id;
  const audits = async (action: string, subject?: string) =>
    db()('audit').where({ event_type: action, ...(subject ? { subject } : {}) }).orderBy('id').select('actor', 'actor_role', 'subject', 'data', 'cycle_id');
  const count = async (table: string) => Number((await db()(table).count({ n: '*' }).first())!.n);
  const signInFrom = (client: string, email: string, password: string) =>
    call(http.base, 'POST', '/api/session', { headers: { 'x-forwarded-for': client }, body: { email, password } });

  describe('reset mails', () => {
    it('queues at most 3 per address in an hour: the 4th request queues no mail; an hour later one goes again', async () => {
      const email = 'b01@example.org';
      const id = await userId(email);
      for (let n = 1; n <= 4; n++) expect((await forgot(email)).status, `request ${n}`).toBe(202);
      // The request path only writes the requests down.
      expect(await resetMails(email)).toHaveLength(0);
      expect(await process()).toMatchObject({ processed: 4, queued: 3, limited: 1 });
      expect(await resetMails(email)).toHaveLength(3);
      const issued = await audits('RESET_LINK_ISSUED', `user:${id}`);
      expect(issued).toHaveLength(3);
      for (const a of issued) expect(a).toMatchObject({ actor: 'system', actor_role: 'system', cycle_id: null });
      // Processing again changes nothing: each request is answered once.
      expect(await process()).toMatchObject({ processed: 0 });
      expect(await resetMails(email)).toHaveLength(3);

      // A request an hour and a minute later is within the limit again.
      const later = at(new Date().toISOString(), 61 * MIN);
      await forgotPassword(db(), email, settings(), later);
      expect(await process(later)).toMatchObject({ processed: 1, queued: 1 });
      expect(await resetMails(email)).toHaveLength(4);
      expect(await audits('RESET_LINK_ISSUED', `user:${id}`)).toHaveLength(4);
    });

    it('revokes the older unused link when a newer one is issued: the older answers 404 like a used one', async () => {
      const email = 'b02@example.org';
      const id = await userId(email);
      expect((await forgot(email)).status).toBe(202);
      await process();
      expect((await forgot(email)).status).toBe(202);
      await process();
      const [older, newer] = (await resetMails(email)).map((m: { body_text: string }) => linkIn(m.body_text));
      expect(older).not.toBe(newer);
      const issued = await audits('RESET_LINK_ISSUED', `user:${id}`);
      expect(issued.map((a: { data: string }) => JSON.parse(a.data).revokedLinks)).toEqual([0, 1]);

      const stale = await call(http.base, 'POST', '/api/password/reset', { body: { token: older, password: 'Brand-New-2020' } });
      expect(stale.status).toBe(404);
      expect(stale.json.error.code).toBe('NOT_FOUND');
      expect(await audits('PASSWORD_SET', `user:${id}`)).toHaveLength(0);

      const ok = await call(http.base, 'POST', '/api/password/reset', { body: { token: newer, password: 'Brand-New-2020' } });
      expect(ok.status, ok.text).toBe(200);
      const used = await call(http.base, 'POST', '/api/password/reset', { body: { token: newer, password: 'Other-New-2020' } });
      expect(used.status).toBe(404);
      expect(used.json.error.code).toBe(stale.json.error.code);

      const set = await audits('PASSWORD_SET', `user:${id}`);
      expect(set).toHaveLength(1);
      expect(set[0]).toMatchObject({ actor: String(id), actor_role: 'self', cycle_id: null });
      expect(JSON.parse(set[0].data)).toMatchObject({ via: 'reset' });
      expect((await signInFrom('192.0.2.20', email, 'Brand-New-2020')).status).toBe(200);
    });

    it('audits a password set through an invitation link as PASSWORD_SET via invitation', async () => {
      const email = 'b06@example.org';
      const user = (await findUserByEmail(db(), email))!;
      await db().transaction((trx) => queuePasswordLink(trx, user, 'invitation', settings(), new Date().toISOString()));
      const mail = await db()('outbox').where({ to_email: email, template: 'invitation' }).orderBy('id', 'desc').first('body_text');
      const res = await call(http.base, 'POST', '/api/password/reset', { body: { token: linkIn(mail.body_text), password: 'Invited-2020' } });
      expect(res.status, res.text).toBe(200);
      const set = await audits('PASSWORD_SET', `user:${user.id}`);
      expect(set).toHaveLength(1);
      expect(set[0]).toMatchObject({ actor: String(user.id), actor_role: 'self' });
      expect(JSON.parse(set[0].data)).toMatchObject({ via: 'invitation' });
    });

    it('queues nothing and audits nothing for an unknown address', async () => {
      const audit = await count('audit');
      const outbox = await count('outbox');
      expect((await forgot('nobody@example.org')).status).toBe(202);
      expect(await process()).toMatchObject({ processed: 1, unknown: 1, queued: 0 });
      expect({ audit: await count('audit'), outbox: await count('outbox') }).toEqual({ audit, outbox });
    });

    it('answers as fast for an unknown address as for a known one', async () => {
      const known = 'b03@example.org';
      const unknown = 'no-such-person@example.org';
      for (let n = 0; n < 5; n++) await forgot(n % 2 ? known : unknown); // warm up
      const times: Record<string, number[]> = { [known]: [], [unknown]: [] };
      for (let n = 0; n < 100; n++) {
        const email = n % 2 ? known : unknown;
        const t0 = performance.now();
        const res = await forgot(email);
        times[email].push(performance.now() - t0);
        expect(res.status).toBe(202);
        expect(res.json).toEqual({ accepted: true });
      }
      const k = median(times[known]);
      const u = median(times[unknown]);
      expect(k, `known ${k.toFixed(2)} ms, unknown ${u.toFixed(2)} ms`).toBeLessThan(u * 1.5 + 5);
      expect(u, `known ${k.toFixed(2)} ms, unknown ${u.toFixed(2)} ms`).toBeLessThan(k * 1.5 + 5);
      // And all those requests for the known address gave it 3 mails.
      await process();
      expect(await resetMails(known)).toHaveLength(3);
    });
  });

  describe('failed sign-ins', () => {
    const A = '198.51.100.7';
    const B = '203.0.113.9';

    it('delays only the client that failed; the office unlocks, audited', async () => {
      const email = 'b04@example.org';
      const id = await userId(email);
      const audit = await count('audit');
      for (let n = 1; n <= 5; n++) {
        const res = await signInFrom(A, email, `wrong-${n}`);
        expect(res.status, `attempt ${n}`).toBe(401);
        expect(res.json.error.code).toBe('UNAUTHENTICATED');
      }
      // Failed sign-ins are no audited changes.
      expect(await count('audit')).toBe(audit);

      // From A, even the right password is refused for a while.
      const refused = await signInFrom(A, email, PASSWORD);
      expect(refused.status).toBe(429);
      expect(refused.json.error.code).toBe('RATE_LIMITED');
      expect(refused.json.error.details.retryAfterSeconds).toBeGreaterThan(0);
      expect(refused.json.error.details.retryAfterSeconds).toBeLessThanOrEqual(60);
      expect(refused.headers.getSetCookie()).toEqual([]);

      // From B the real user signs in.
      const fromB = await signInFrom(B, email, PASSWORD);
      expect(fromB.status, fromB.text).toBe(200);
      // ... which does not end A's wait.
      expect((await signInFrom(A, email, PASSWORD)).status).toBe(429);

      // Only the office unlocks.
      await expect(unlockAccount(db(), email, await actorByEmail(db(), 'b05@example.org'))).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(unlockAccount(db(), 'nobody@example.org', await actorByEmail(db(), OFFICE))).rejects.toMatchObject({ code: 'NOT_FOUND' });
      const office = await actorByEmail(db(), OFFICE);
      expect(await unlockAccount(db(), ' B04@example.org ', office)).toEqual({ email, userId: id, failuresCleared: 5 });
      const unlocked = await audits('ACCOUNT_UNLOCKED', `user:${id}`);
      expect(unlocked).toHaveLength(1);
      expect(unlocked[0]).toMatchObject({ actor: String(office.id), actor_role: 'office', cycle_id: null });
      expect(JSON.parse(unlocked[0].data)).toMatchObject({ failuresCleared: 5 });
      expect(await count('audit')).toBe(audit + 1);

      const fromA = await signInFrom(A, email, PASSWORD);
      expect(fromA.status, fromA.text).toBe(200);
    });

    it('waits a minute after the 5th failure, then twice as long after each further one', async () => {
      const db0 = db();
      const email = 'b05@example.org';
      const ip = '192.0.2.55';
      const t0 = '2031-03-01T08:00:00.000Z';
      const attempt = (password: string, now: string) =>
        engineSignIn(db0, email, password, ip, now).then(
          () => 'ok',
          (e: AppError) => (e.code === 'RATE_LIMITED' ? `wait ${(e.details as { retryAfterSeconds: number }).retryAfterSeconds}` : e.code),
        );
      for (let n = 0; n < 5; n++) expect(await attempt('wrong', at(t0, n * 1000))).toBe('UNAUTHENTICATED');
      const t5 = at(t0, 4000);
      expect(await attempt(PASSWORD, at(t5, 30_000))).toBe('wait 30');
      expect(await attempt('wrong', at(t5, 61_000))).toBe('UNAUTHENTICATED'); // the 6th failure
      const t6 = at(t5, 61_000);
      expect(await attempt(PASSWORD, at(t6, 90_000))).toBe('wait 30');
      expect(await attempt(PASSWORD, at(t6, 121_000))).toBe('ok');
      // Success forgets this client's failures.
      expect(await attempt('wrong', at(t6, 122_000))).toBe('UNAUTHENTICATED');
      expect(await attempt(PASSWORD, at(t6, 123_000))).toBe('ok');
    });

    it('caps one client across emails (anti-spray) without locking out other clients', async () => {
      const t0 = '2031-04-01T08:00:00.000Z';
      for (let n = 0; n < MAX_CLIENT_FAILURES; n++) await recordLoginFailure(db(), `spray${n}@example.org`, '192.0.2.66', at(t0, n));
      const now = at(t0, 60_000);
      await expect(engineSignIn(db(), 'panel1@example.org', PASSWORD, '192.0.2.66', now)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
      await expect(engineSignIn(db(), 'panel1@example.org', PASSWORD, '192.0.2.67', now)).resolves.toMatchObject({ user: { email: 'panel1@example.org' } });
      // A quarter of an hour later the client may try again.
      await expect(engineSignIn(db(), 'panel1@example.org', PASSWORD, '192.0.2.66', at(t0, 16 * MIN))).resolves.toMatchObject({ user: { email: 'panel1@example.org' } });
    });
  });

  it('keeps the audit chain whole', async () => {
    await expect(verifyAudit(db())).resolves.toMatchObject({ ok: true });
  });
});
