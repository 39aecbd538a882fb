// The meeting day in Debian's chromium (issue 10): the office runs the meeting for three branches
// from the runner while the hall display is open on a 1920×1080 screen; the timer advances and
// turns red in overtime; a question is recorded against a named panel member; closing a branch's
// Q&A opens its scoring; a panel member scores it at phone width through their link, with no
// password; the quorum updates; the display follows each step within a second. axe-core finds no
// serious or critical violation on these pages, and the phone pages fit 360 px.
import fs from 'node:fs';
import type { Server } from 'node:http';
import axe from 'axe-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { actorByEmail } from '../../src/engine/actors';
import { createApp } from '../../src/web/app';
import { bootstrapOffice, OFFICE } from '../support/cycle';
import { makeTestEnv, type TestEnv } from '../support/db';
import { PASSWORD, setPasswords } from '../support/http';
import { configOf, yearDriver } from '../support/yearCycle';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './browser';

const hasBrowser = fs.existsSync(CHROMIUM_PATH);
if (!hasBrowser && process.env.REQUIRE_BROWSER) throw new Error(`chromium not found at ${CHROMIUM_PATH}`);

const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString();
/** Segments of 3 seconds each, so that overtime comes quickly. */
const SEGMENT_MINUTES = { report: 0.05, questions: 0.05, answers: 0.05 };

describe.skipIf(!hasBrowser)('the meeting day in the browser', () => {
  let env: TestEnv;
  let server: Server;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    env = await makeTestEnv('sqlite');
    const s = env.services;
    await bootstrapOffice(s);
    const cfg = configOf(2020);
    await s.engine.createCycle(
      {
        ...cfg,
        deadlines: { materials: inDays(10), scoring: inDays(30), plan: inDays(60), followUp: inDays(200) },
        meeting: { ...(cfg.meeting as object), at: inDays(20), segmentMinutes: SEGMENT_MINUTES },
        branches: (cfg.branches as unknown[]).slice(0, 3),
        panel: (cfg.panel as unknown[]).slice(0, 2),
      },
      await actorByEmail(s.db, OFFICE),
    );
    const d = yearDriver(s, 2020);
    await d.launch(new Date().toISOString());
    for (const code of ['B01', 'B02', 'B03']) await d.toMeeting(code, new Date().toISOString());
    await setPasswords(s);
    server = createApp(s).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    server?.closeAllConnections();
    server?.close();
    await env?.cleanup();
  });

  async function violations(page: Page, label: string) {
    await page.addScriptTag({ content: axe.source });
    const found = await page.evaluate(async () => {
      const g = globalThis as unknown as { axe: typeof axe; document: unknown };
      const r = await g.axe.run(g.document as never, { resultTypes: ['violations'] });
      return r.violations.map((v) => ({ id: v.id, impact: v.impact ?? '', nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
    });
    return found.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => ({ page: label, ...v }));
  }

  it('runs the meeting for three branches with the hall display following, and a panel member scores from a phone', async () => {
    const findings: unknown[] = [];
    // The office's runner, signed in.
    const officeCtx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 900 }, bypassCSP: true });
    const runner = await officeCtx.newPage();
    await runner.goto(`${base}/login`);
    await runner.fill('input[name=email]', OFFICE);
    await runner.fill('input[name=password]', PASSWORD);
    await Promise.all([runner.waitForURL((u) => !u.pathname.startsWith('/login')), runner.click('button[type=submit]')]);
    await runner.goto(`${base}/cycles/2020`);
    await runner.click('[data-testid=open-meeting]');
    await runner.waitForURL(/\/cycles\/\d+\/meeting$/);
    await expect.poll(() => runner.locator('[data-testid=agenda] li').count()).toBe(3);

    // Reordered with the keyboard's buttons: B02 up, then back down again.
    await runner.click('button[aria-label="下移 机关第一党支部"]');
    await expect.poll(() => runner.locator('.agenda-item').first().getAttribute('data-code')).toBe('B02');
    await runner.click('button[aria-label="上移 机关第一党支部"]');
    await expect.poll(() => runner.locator('.agenda-item').first().getAttribute('data-code')).toBe('B01');

    // The hall display, on a projector, through the link the office issues.
    await runner.click('[data-testid=issue-display]');
    const displayUrl = await runner.locator('[data-testid=display-url] a').getAttribute('href');
    expect(displayUrl).toMatch(/\/hall\/[A-Za-z0-9_-]+$/);
    const hallCtx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1920, height: 1080 }, bypassCSP: true });
    const hall = await hallCtx.newPage();
    await hall.goto(displayUrl!.replace(/^https?:\/\/[^/]+/, base));
    await expect.poll(() => hall.locator('[data-testid=hall-branch]').textContent()).toBe('会议即将开始');
    findings.push(...(await violations(hall, 'hall')));

    /** Clicks on the runner and expects the hall to show `text` in `testid` within a second. */
    const followed = async (click: string, testid: string, text: string | RegExp) => {
      const started = Date.now();
      await runner.click(click);
      await hall.locator(`[data-testid=${testid}]`).filter({ hasText: text }).waitFor({ timeout: 1000 });
      expect(Date.now() - started).toBeLessThan(1000 + 300); // the click's own round trip is in it
    };

    const scoredFromPhone: string[] = [];
    for (const [i, b] of [['B01', '机关第一党支部', '王明'], ['B02', '机关第二党支部', '李华'], ['B03', '工程一部党支部', '张伟']].entries()) {
      const [code, name, secretary] = b;
      // 述: start the report; the hall shows the branch and its speaker at once.
      await followed('[data-testid=meeting-start]', 'hall-branch', name);
      await expect.poll(() => hall.locator('[data-testid=hall-speaker]').textContent()).toContain(secretary);
      await expect.poll(() => hall.locator('[data-testid=hall-segment]').textContent()).toContain('述');
      await expect.poll(() => runner.locator('[data-testid=current-phase]').textContent()).toBe('现场述职');
      if (i === 0) {
        // The timer advances, on the runner and on the hall.
        const left1 = Number(await hall.locator('[data-testid=hall-timer]').getAttribute('data-left-ms'));
        await hall.waitForTimeout(1200);
        const left2 = Number(await hall.locator('[data-testid=hall-timer]').getAttribute('data-left-ms'));
        expect(left2).toBeLessThan(left1 - 900);
        // Overtime turns red (the report has 3 seconds).
        await hall.locator('[data-testid=hall-timer].overtime').waitFor({ timeout: 5000 });
        expect(await hall.locator('[data-testid=hall-timer]').evaluate((e) => (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(e).color)).toBe('rgb(200, 22, 29)');
        await runner.locator('[data-testid=runner-timer].overtime').waitFor({ timeout: 2000 });
        expect(await runner.locator('[data-testid=runner-timer]').textContent()).toContain('超时');
        findings.push(...(await violations(runner, 'runner')));
      }
      // 问: a question against a named panel member, answered (答).
      await followed('[data-testid=meeting-next]', 'hall-segment', '问');
      await runner.selectOption('[data-testid=qa-asked-by]', { label: i === 1 ? '考评组成员二' : '考评组成员一' });
      await runner.fill('[data-testid=qa-question]', `${name}如何避免党建与业务“两张皮”？`);
      await runner.fill('[data-testid=qa-answer]', '把党员先锋岗设在项目一线。');
      await runner.click('[data-testid=qa-submit]');
      await expect.poll(() => runner.locator('[data-testid=qa-list] li').first().textContent()).toContain(`${i === 1 ? '考评组成员二' : '考评组成员一'}：${name}如何避免`);
      await followed('[data-testid=meeting-next]', 'hall-segment', '答');
      // Closing the Q&A opens its scoring.
      await runner.click('[data-testid=meeting-close-qa]');
      await expect.poll(() => runner.locator('[data-testid=current-phase]').textContent()).toBe('评分中');
      await expect.poll(() => runner.locator(`[data-testid=quorum-${code}]`).textContent()).toContain('已评 0 / 2');

      if (i === 0) {
        // The scoring links, printed as QR codes; one evaluator scores from a phone with no password.
        await runner.click('[data-testid=issue-panel-links]');
        await expect.poll(() => runner.locator('[data-testid=panel-link] img').count()).toBe(2);
        await expect.poll(() => runner.locator('[data-testid=panel-link-status] button').count()).toBe(2);
        const link = runner.locator('[data-testid=panel-link]').filter({ hasText: '考评组成员一' }).locator('[data-testid=panel-link-url]');
        const url = (await link.getAttribute('href'))!.replace(/^https?:\/\/[^/]+/, base);
        const phoneCtx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 360, height: 780 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2, bypassCSP: true });
        const phone = await phoneCtx.newPage();
        await phone.goto(url);
        await expect.poll(() => phone.locator('[data-testid=link-evaluator]').textContent()).toBe('考评组成员一');
        findings.push(...(await violations(phone, 'phone home')));
        expect(await phone.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
        await phone.click(`[data-testid=link-score-${code}]`);
        const inputs = phone.locator('[data-testid=link-score-input]');
        for (const [n, v] of ['28', '27', '14', '13.5', '9'].entries()) await inputs.nth(n).fill(v);
        expect(await phone.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
        findings.push(...(await violations(phone, 'phone score')));
        await Promise.all([phone.waitForURL((u) => /\/p\/[^/]+$/.test(u.pathname)), phone.click('[data-testid=link-submit-score]')]);
        await expect.poll(() => phone.locator('[data-testid=link-branches]').textContent()).toContain('已提交');
        scoredFromPhone.push(code);
        await phoneCtx.close();
        // The quorum updates on the runner by itself (server-sent events): names and count, never the scores.
        await expect.poll(() => runner.locator(`[data-testid=quorum-${code}]`).textContent(), { timeout: 3000 }).toContain('已评 1 / 2');
        await expect.poll(() => runner.locator(`[data-testid=quorum-${code}]`).textContent()).toContain('考评组成员一');
        expect(await runner.locator('[data-testid=quorum]').textContent()).not.toContain('13.5');
      }
      // 下一个支部: the hall moves on within a second.
      const next = i < 2 ? ['机关第二党支部', '工程一部党支部'][i] : '会议即将开始';
      await followed('[data-testid=meeting-next]', 'hall-branch', next);
    }
    expect(scoredFromPhone).toEqual(['B01']);

    // The chair's closing remarks, kept for the minutes.
    await runner.fill('[data-testid=remarks-text]', '总体良好；党建与业务“两张皮”问题仍需着力解决。');
    await runner.click('[data-testid=remarks-save]');
    await runner.locator('#remarks-saved:not(.hidden)').waitFor();
    // A reload (or a second office screen) shows the same meeting: it lives on the server.
    const second = await officeCtx.newPage();
    await second.goto(runner.url());
    await expect.poll(() => second.locator('.agenda-item.done').count()).toBe(3);
    await expect.poll(() => second.locator('[data-testid=remarks-text]').inputValue()).toBe('总体良好；党建与业务“两张皮”问题仍需着力解决。');
    expect(findings).toEqual([]);
    await hallCtx.close();
    await officeCtx.close();
  }, 120_000);
});
