// The web application's defences, over real HTTP: CSRF, stale versions, upload limits, row-by-row
// CSV import, the session cookie, password storage, sign-in rate limit and security headers.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_UPLOAD_BYTES } from '../../src/web/uploads';
import { findUserByEmail } from '../../src/store/users';
import { driver, exampleConfig } from '../support/cycle';
import { dialects, makeTestEnv, type TestEnv } from '../support/db';
import { call, fileForm, PASSWORD, setPasswords, signIn, startServer, TINY_PDF, type HttpServer, type Session } from '../support/http';

const EVENTS = '/api/cycles/2020/branches/B01/events';
const FILES = '/api/cycles/2020/branches/B01/files';

describe.each(dialects)('web security on %s', (dialect) => {
  let env: TestEnv;
  let http: HttpServer;
  let office: Session;
  let b01: Session;

  beforeAll(async () => {
    env = await makeTestEnv(dialect);
    const d = driver(env.services);
    await d.create();
    await d.launch('2020-11-20T02:00:00Z');
    await setPasswords(env.services);
    http = await startServer(env.services);
    office = await signIn(http.base, 'office@example.org');
    b01 = await signIn(http.base, 'b01@example.org');
  });
  afterAll(async () => {
    await http?.close();
    await env?.cleanup();
  });

  const db = () => env.services.db;
  const count = async (table: string) => Number((await db()(table).count({ n: '*' }).first())!.n);
  const b01State = async () => ({
    branch: await db()('branch_reviews').where({ code: 'B01' }).first('version', 'state', 'phase'),
    audit: await count('audit'),
    outbox: await count('outbox'),
  });
  const uploadsDir = () => path.join(env.dataDir, 'uploads');
  const stored = () => (fs.existsSync(uploadsDir()) ? fs.readdirSync(uploadsDir()).sort() : []);

  describe('CSRF', () => {
    it('refuses a signed-in POST without the X-CSRF-Token header, changing nothing', async () => {
      const before = await b01State();
      const res = await call(http.base, 'POST', EVENTS, { session: b01, csrf: false, body: { type: 'ACKNOWLEDGE' } });
      expect(res.status).toBe(403);
      expect(res.json.error).toMatchObject({ code: 'FORBIDDEN', details: { reason: 'CSRF' } });
      expect(await b01State()).toEqual(before);
    });

    it('refuses a wrong token', async () => {
      const before = await b01State();
      const res = await call(http.base, 'POST', EVENTS, { session: b01, csrf: 'x'.repeat(b01.csrf.length), body: { type: 'ACKNOWLEDGE' } });
      expect(res.status).toBe(403);
      expect(res.json.error).toMatchObject({ code: 'FORBIDDEN', details: { reason: 'CSRF' } });
      // Another session's token is wrong too: tokens are bound to their session.
      const res2 = await call(http.base, 'POST', EVENTS, { session: b01, csrf: office.csrf, body: { type: 'ACKNOWLEDGE' } });
      expect(res2.status).toBe(403);
      expect(await b01State()).toEqual(before);
    });

    it('refuses a foreign Origin even with the right token, and a signed-out cross-site sign-in', async () => {
      const before = await b01State();
      const res = await call(http.base, 'POST', EVENTS, { session: b01, headers: { origin: 'https://evil.example' }, body: { type: 'ACKNOWLEDGE' } });
      expect(res.status).toBe(403);
      expect(res.json.error).toMatchObject({ code: 'FORBIDDEN', details: { reason: 'CSRF' } });
      const login = await call(http.base, 'POST', '/api/session', { headers: { origin: 'https://evil.example' }, body: { email: 'b01@example.org', password: PASSWORD } });
      expect(login.status).toBe(403);
      expect(login.headers.getSetCookie()).toEqual([]);
      // Signing out needs the token as well.
      const out = await call(http.base, 'DELETE', '/api/session', { session: b01, csrf: false });
      expect(out.status).toBe(403);
      expect((await call(http.base, 'GET', '/api/session', { session: b01 })).status).toBe(200);
      expect(await b01State()).toEqual(before);
    });

    it('refuses an upload without the token, writing nothing', async () => {
      const files = await count('files');
      const before = stored();
      const res = await call(http.base, 'POST', FILES, { session: b01, csrf: false, body: fileForm('file', 'report.pdf', TINY_PDF, 'application/pdf') });
      expect(res.status).toBe(403);
      expect(await count('files')).toBe(files);
      expect(stored()).toEqual(before);
    });
  });

  it('answers a stale expectedVersion with 409 VERSION_CONFLICT and changes nothing; the current version goes through', async () => {
    const before = await b01State();
    expect(before.branch.version).toBe(1);
    const res = await call(http.base, 'POST', EVENTS, { session: b01, body: { type: 'ACKNOWLEDGE', expectedVersion: 0 } });
    expect(res.status).toBe(409);
    expect(res.json.error.code).toBe('VERSION_CONFLICT');
    expect(await b01State()).toEqual(before);
    // The same request from our own origin with the current version is accepted.
    const ok = await call(http.base, 'POST', EVENTS, { session: b01, headers: { origin: env.settings.baseUrl }, body: { type: 'ACKNOWLEDGE', expectedVersion: 1 } });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json).toMatchObject({ state: 'preparing', version: 2 });
  });

  describe('uploads', () => {
    it('rejects a file over 10 MB with a clear message, writing nothing', async () => {
      const files = await count('files');
      const before = stored();
      const big = Buffer.alloc(MAX_UPLOAD_BYTES + 1, 0x20);
      TINY_PDF.copy(big);
      const res = await call(http.base, 'POST', FILES, { session: b01, body: fileForm('file', 'big.pdf', big, 'application/pdf') });
      expect(res.status).toBe(422);
      expect(res.json.error.code).toBe('INVALID_INPUT');
      expect(res.json.error.message).toContain('10 MB');
      expect(res.json.error.details.issues).toEqual([expect.objectContaining({ field: 'file' })]);
      expect(await count('files')).toBe(files);
      expect(stored()).toEqual(before);
    });

    it('rejects a refused type, and a .pdf whose content is not PDF, naming the type', async () => {
      const files = await count('files');
      const before = stored();
      const exe = await call(http.base, 'POST', FILES, { session: b01, body: fileForm('file', 'setup.exe', Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1')) });
      expect(exe.status).toBe(422);
      expect(exe.json.error).toMatchObject({ code: 'INVALID_INPUT', details: { issues: [{ field: 'file' }] } });
      expect(exe.json.error.message).toContain('.exe');
      const fake = await call(http.base, 'POST', FILES, { session: b01, body: fileForm('file', 'report.pdf', Buffer.from('MZ this is really a program'), 'application/pdf') });
      expect(fake.status).toBe(422);
      expect(fake.json.error.code).toBe('INVALID_INPUT');
      expect(fake.json.error.message).toContain('.pdf');
      expect(await count('files')).toBe(files);
      expect(stored()).toEqual(before);
    });

    it('stores an upload under a random name and serves it back as an attachment', async () => {
      const name = '述职报告 2020.pdf';
      const up = await call(http.base, 'POST', FILES, { session: b01, body: fileForm('file', name, TINY_PDF, 'application/pdf') });
      expect(up.status, up.text).toBe(201);
      const id: string = up.json.file.id;
      expect(up.json.file).toMatchObject({ name, size: TINY_PDF.length });
      expect(id).toMatch(/^[0-9a-f]{32}$/);
      // On disk: the server's name, never the user's.
      expect(stored()).toContain(id);
      expect(stored().some((f) => f.includes('述职') || f.endsWith('.pdf'))).toBe(false);
      expect(fs.readFileSync(path.join(uploadsDir(), id)).equals(TINY_PDF)).toBe(true);

      const res = await fetch(`${http.base}/api/files/${id}`, { headers: { cookie: `shuping_sid=${b01.cookie}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/pdf/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      const disposition = res.headers.get('content-disposition') ?? '';
      expect(disposition).toMatch(/^attachment;/);
      expect(disposition).toContain(encodeURIComponent(name));
      expect(Buffer.from(await res.arrayBuffer()).equals(TINY_PDF)).toBe(true);

      // A name that tries to climb out of the folder is only a name.
      const sneaky = await call(http.base, 'POST', FILES, { session: b01, body: fileForm('file', '../../escape.pdf', TINY_PDF, 'application/pdf') });
      expect(sneaky.status, sneaky.text).toBe(201);
      expect(sneaky.json.file.name).not.toContain('/');
      expect(fs.existsSync(path.join(env.dataDir, 'escape.pdf'))).toBe(false);
      expect(stored()).toContain(sneaky.json.file.id);
    });
  });

  it('refuses an imported CSV with bad rows, naming each by row number, and imports nothing', async () => {
    const config = { ...exampleConfig(), year: 2021, title: '2021年度基层党支部书记抓党建工作述职评议' };
    delete (config as Record<string, unknown>).branches;
    const csv = (rows: string[]) => ['code,name,secretaryName,secretaryEmail', ...rows].join('\n') + '\n';
    const form = (rows: string[]) => {
      const f = new FormData();
      f.append('config', new Blob([JSON.stringify(config)], { type: 'application/json' }), 'cycle-2021.json');
      f.append('branches', new Blob([csv(rows)], { type: 'text/csv' }), 'branches.csv');
      return f;
    };
    const users = await count('users');
    const audit = await count('audit');
    const outbox = await count('outbox');
    const good = ['B01,机关第一党支部,王明,b01@example.org', 'B05,贸易公司党支部,陈静,b05@example.org'];
    const res = await call(http.base, 'POST', '/api/cycles/import', {
      session: office,
      body: form([
        good[0], //                                     row 2
        'B02,机关第二党支部,李华,not-an-email', //         row 3: bad email
        'B03,工程一部党支部,,b03@example.org', //          row 4: no secretary name
        'B 04,工程二部党支部,刘洋,new.b04@example.org', // row 5: bad code
        good[1], //                                     row 6
      ]),
    });
    expect(res.status, res.text).toBe(422);
    expect(res.json.error.code).toBe('INVALID_INPUT');
    expect(res.json.error.details.issues.map((i: { field: string }) => i.field)).toEqual([
      'branches[row 3].secretaryEmail',
      'branches[row 4].secretaryName',
      'branches[row 5].code',
    ]);
    for (const i of res.json.error.details.issues) expect(i.message).toBeTruthy();
    const cycles = await call(http.base, 'GET', '/api/cycles', { session: office });
    expect(cycles.json.cycles.map((c: { year: number }) => c.year)).toEqual([2020]);
    expect({ users: await count('users'), audit: await count('audit'), outbox: await count('outbox') }).toEqual({ users, audit, outbox });

    // The same import with the good rows only is accepted.
    const fixed = await call(http.base, 'POST', '/api/cycles/import', { session: office, body: form(good) });
    expect(fixed.status, fixed.text).toBe(201);
    expect(fixed.json.cycle).toMatchObject({ year: 2021, state: 'draft' });
  });

  it('sets the session cookie HttpOnly and SameSite=Lax', async () => {
    const res = await call(http.base, 'POST', '/api/session', { body: { email: 'b02@example.org', password: PASSWORD } });
    expect(res.status).toBe(200);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('shuping_sid='))!;
    expect(cookie).toBeDefined();
    const attrs = cookie.split(';').map((a) => a.trim().toLowerCase());
    expect(attrs).toContain('httponly');
    expect(attrs).toContain('samesite=lax');
    expect(attrs).toContain('path=/');
    // The token is not in the cookie: it comes in the body, for the header.
    expect(cookie).not.toContain(res.json.csrfToken);
  });

  it('stores passwords as scrypt hashes, never the password itself', async () => {
    // A password set through the reset link, as a user would.
    const forgot = await call(http.base, 'POST', '/api/password/forgot', { body: { email: 'b03@example.org' } });
    expect(forgot.status).toBe(202);
    // The request is only written down; the scheduler's tick queues the mail.
    await env.services.engine.processResetRequests();
    const mail = await db()('outbox').where({ to_email: 'b03@example.org', template: 'passwordReset' }).first('body_text');
    const token = /\/password\/([A-Za-z0-9_-]+)/.exec(mail.body_text)![1];
    const chosen = 'Mein-Geheimnis-2020';
    const reset = await call(http.base, 'POST', '/api/password/reset', { body: { token, password: chosen } });
    expect(reset.status, reset.text).toBe(200);
    const user = (await findUserByEmail(db(), 'b03@example.org'))!;
    expect(user.password_hash).toMatch(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(user.password_hash).not.toContain(chosen);
    await expect(signIn(http.base, 'b03@example.org', chosen)).resolves.toMatchObject({ email: 'b03@example.org' });
    // And no one's password is stored in the clear.
    const hashes = await db()('users').pluck('password_hash');
    for (const h of hashes) expect(h).toMatch(/^scrypt\$/);
    expect(hashes.some((h: string) => h.includes(PASSWORD))).toBe(false);
    // The link is used up.
    expect((await call(http.base, 'POST', '/api/password/reset', { body: { token, password: 'Another-One-2020' } })).status).toBe(404);
  });

  it('rate-limits failed sign-ins: the 6th attempt is refused with 429, even with the right password', async () => {
    for (let n = 1; n <= 5; n++) {
      const res = await call(http.base, 'POST', '/api/session', { body: { email: 'b04@example.org', password: `wrong-${n}` } });
      expect(res.status, `attempt ${n}`).toBe(401);
      expect(res.json.error.code).toBe('UNAUTHENTICATED');
    }
    const sixth = await call(http.base, 'POST', '/api/session', { body: { email: 'b04@example.org', password: PASSWORD } });
    expect(sixth.status).toBe(429);
    expect(sixth.json.error.code).toBe('RATE_LIMITED');
    expect(sixth.headers.getSetCookie()).toEqual([]);
    // Another account is not locked by it.
    await expect(signIn(http.base, 'b05@example.org')).resolves.toMatchObject({ email: 'b05@example.org' });
  });

  it('sends security headers on pages and on the API', async () => {
    for (const p of ['/login', '/api/health']) {
      const res = await fetch(http.base + p);
      expect(res.status).toBe(200);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, p).toMatch(/default-src 'self'/);
      expect(csp, p).not.toMatch(/script-src[^;]*'unsafe-inline'/);
      expect(res.headers.get('x-content-type-options'), p).toBe('nosniff');
      const framing = (res.headers.get('x-frame-options') ?? '') || (/frame-ancestors[^;]*/.exec(csp)?.[0] ?? '');
      expect(framing, p).toMatch(/SAMEORIGIN|DENY|frame-ancestors 'none'|frame-ancestors 'self'/i);
      expect(res.headers.get('x-powered-by'), p).toBeNull();
    }
  });
});
