// Where signing in leads, in Debian's chromium: `next` is followed only to a path of our own site;
// every other value lands on `/` (which sends the office on to its cycle list).
import fs from 'node:fs';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { hashPassword } from '../../src/security/passwords';
import { addRole, setPasswordHash, upsertUser } from '../../src/store/users';
import { createApp } from '../../src/web/app';
import { makeTestEnv, type TestEnv } from '../support/db';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './browser';

const PASSWORD = 'e2e-password';
const hasBrowser = fs.existsSync(CHROMIUM_PATH);
// CI installs chromium and sets REQUIRE_BROWSER: there a missing browser fails instead of skipping.
if (!hasBrowser && process.env.REQUIRE_BROWSER) throw new Error(`chromium not found at ${CHROMIUM_PATH}`);

/** `next` as it stands in the address bar (not encoded further). */
const HOSTILE = ['/\\evil.example/x', '/%09/evil.example', '//evil.example', 'https://evil.example', 'javascript:alert(1)', '/.//evil.example', '/%5Cevil.example'];

describe.skipIf(!hasBrowser)('where signing in leads, in the browser', () => {
  let env: TestEnv;
  let server: Server;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    env = await makeTestEnv('sqlite');
    const { user } = await upsertUser(env.services.db, { email: 'office@example.org', name: '党委办公室' }, new Date().toISOString());
    await addRole(env.services.db, user.id, 'office');
    await setPasswordHash(env.services.db, user.id, await hashPassword(PASSWORD));
    server = createApp(env.services).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    server?.close();
    await env?.cleanup();
  });

  /** Signs in on /login?next=…; answers the form's redirect, the first page asked for after signing in, and where the browser ends. */
  async function signInWith(next: string) {
    const context = await browser.newContext({ locale: 'zh-CN' });
    // Nothing leaves our own site, whatever a page might try.
    await context.route((url) => url.origin !== base, (route) => route.abort());
    const page = await context.newPage();
    page.on('dialog', (d) => void d.dismiss());
    try {
      await page.goto(`${base}/login?next=${next}`);
      const redirect = await page.locator('form[data-api="POST /api/session"]').getAttribute('data-redirect');
      const asked: string[] = [];
      page.on('request', (r) => {
        if (r.isNavigationRequest() && r.frame() === page.mainFrame()) asked.push(r.url());
      });
      await page.fill('input[name=email]', 'office@example.org');
      await page.fill('input[name=password]', PASSWORD);
      await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 10_000 }), page.click('button[type=submit]')]);
      await page.waitForLoadState('load');
      return { redirect, first: asked[0], final: new URL(page.url()) };
    } finally {
      await context.close();
    }
  }

  it.each(HOSTILE)('lands on / after signing in with next=%s', async (next) => {
    const { redirect, first, final } = await signInWith(next);
    expect(redirect).toBe('/');
    expect(first).toBe(`${base}/`);
    expect(final.origin).toBe(base);
    expect(final.pathname).toBe('/cycles');
  });

  it('follows a path of our own site', async () => {
    const { redirect, first, final } = await signInWith(encodeURIComponent('/mail?status=dead'));
    expect(redirect).toBe('/mail?status=dead');
    expect(first).toBe(`${base}/mail?status=dead`);
    expect(final.origin).toBe(base);
    expect(final.pathname).toBe('/mail');
  });
});
