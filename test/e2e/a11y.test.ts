// Every page, for each role, in Debian's chromium: axe-core finds no serious or critical violation,
// and at 360 px no page scrolls sideways (wide tables become cards on a phone).
import fs from 'node:fs';
import type { Server } from 'node:http';
import axe from 'axe-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createApp } from '../../src/web/app';
import { driver, exampleConfig, sheet } from '../support/cycle';
import { makeTestEnv, type TestEnv } from '../support/db';
import { PASSWORD, setPasswords } from '../support/http';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './browser';

const hasBrowser = fs.existsSync(CHROMIUM_PATH);
if (!hasBrowser && process.env.REQUIRE_BROWSER) throw new Error(`chromium not found at ${CHROMIUM_PATH}`);

type Role = 'none' | 'office' | 'leader' | 'secretary' | 'evaluator';
const EMAIL: Record<Exclude<Role, 'none'>, string> = {
  office: 'office@example.org',
  leader: 'secretary.party@example.org',
  secretary: 'b01@example.org',
  evaluator: 'panel2@example.org',
};

interface Finding { page: string; id: string; impact: string; nodes: string[] }

describe.skipIf(!hasBrowser)('accessibility and phone width of every page, for each role', () => {
  let env: TestEnv;
  let server: Server;
  let base: string;
  let browser: Browser;
  const pages: Record<Role, string[]> = { none: ['/login', '/forgot', '/password/not-a-real-link-0000', '/setup'], office: [], leader: [], secretary: [], evaluator: [] };
  let emptyBase: string;
  let emptyServer: Server;
  let emptyEnv: TestEnv;

  beforeAll(async () => {
    // An empty database for the first-run page.
    emptyEnv = await makeTestEnv('sqlite');
    emptyServer = createApp(emptyEnv.services).listen(0, '127.0.0.1');
    await new Promise((r) => emptyServer.once('listening', r));
    emptyBase = `http://127.0.0.1:${(emptyServer.address() as { port: number }).port}`;

    env = await makeTestEnv('sqlite');
    const s = env.services;
    const d = driver(s);
    await d.create('2020-11-19T02:00:00Z');
    await d.launch('2020-11-20T02:00:00Z');
    // B01 in scoring (one score in), B02 returned, B03 in follow-up after publication… B04 exempted.
    const at = (day: number) => `2020-11-${String(20 + day).padStart(2, '0')}T02:00:00Z`;
    for (const b of ['B01', 'B02', 'B03', 'B04', 'B05', 'B06']) await d.secretary(b, 'ACKNOWLEDGE', undefined, at(1));
    for (const b of ['B01', 'B02', 'B03', 'B05', 'B06']) await d.secretary(b, 'SUBMIT_MATERIALS', { summary: '【党建工作成效】\n第一段。\n\n第二段。' }, at(2));
    await d.office('B02', 'RETURN_MATERIALS', { reason: '请补充问题查找部分' }, at(3));
    await d.office('B04', 'EXEMPT', { reason: '支部撤并' }, at(3));
    for (const b of ['B01', 'B03', 'B05', 'B06']) {
      await d.office(b, 'ACCEPT_MATERIALS', undefined, at(3));
      await d.office(b, 'START_PRESENTATION', undefined, at(4));
      await d.office(b, 'RECORD_QA', { question: '如何融合？', answer: '项目化。', askedBy: '考评组成员一' }, at(4));
      await d.office(b, 'END_PRESENTATION', undefined, at(4));
    }
    const panel = ['panel1', 'panel2', 'panel3', 'panel4', 'panel5', 'b06'];
    for (const b of ['B03', 'B05', 'B06']) {
      for (const e of panel) await d.send(`${e}@example.org`, b, 'SUBMIT_SCORE', { scores: sheet(80 + (e.length % 7)), comment: '扎实' }, at(5)).catch(() => undefined);
    }
    await d.send('panel1@example.org', 'B01', 'SUBMIT_SCORE', { scores: sheet(88) }, at(5));
    // A second cycle, still a draft, for the wizard's pages.
    await s.engine.createCycle({ ...exampleConfig(), year: 2021, title: '2021年度述职评议' }, await s.engine.actorByEmail('office@example.org'));
    await setPasswords(s);
    await s.db('outbox').orderBy('id').limit(1).update({ status: 'dead', last_error: '550 mailbox unavailable' });
    const mailId = (await s.db('outbox').orderBy('id').first('id')).id;

    pages.office = ['/cycles', '/cycles/new', '/cycles/2021/draft', '/cycles/2021/edit', '/cycles/2020', '/cycles/2020/branches/B01', '/cycles/2020/branches/B02', '/cycles/2020/branches/B04', '/dashboard', '/mail', '/mail?status=queued', `/mail/${mailId}`, '/users', '/cycles/2020/branches/NOPE'];
    pages.leader = ['/dashboard', '/cycles/2020', '/cycles/2020/branches/B01'];
    pages.secretary = ['/tasks', '/cycles/2020/branches/B01'];
    pages.evaluator = ['/tasks', '/cycles/2020/branches/B01/score', '/cycles/2020/branches/B01'];

    server = createApp(s).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    server?.close();
    emptyServer?.close();
    await env?.cleanup();
    await emptyEnv?.cleanup();
  });

  /** A context signed in as the role; bypassCSP lets axe's script in (the app's CSP refuses injected scripts). */
  async function contextFor(role: Role, width: number): Promise<BrowserContext> {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width, height: 800 }, bypassCSP: true });
    if (role !== 'none') {
      const page = await context.newPage();
      await page.goto(`${base}/login`);
      await page.fill('input[name=email]', EMAIL[role]);
      await page.fill('input[name=password]', PASSWORD);
      await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('button[type=submit]')]);
      await page.close();
    }
    return context;
  }

  const urlOf = (role: Role, path: string) => (role === 'none' && path === '/setup' ? emptyBase : base) + path;

  async function open(context: BrowserContext, role: Role, path: string): Promise<Page> {
    const page = await context.newPage();
    await page.goto(urlOf(role, path));
    await page.waitForLoadState('networkidle');
    if (path.startsWith('/dashboard')) await page.locator('#dash-table tbody tr').first().waitFor();
    return page;
  }

  async function violations(page: Page, label: string): Promise<Finding[]> {
    await page.addScriptTag({ content: axe.source });
    const result = await page.evaluate(async () => {
      const g = globalThis as unknown as { axe: typeof axe; document: unknown };
      const r = await g.axe.run(g.document as never, { resultTypes: ['violations'] });
      return r.violations.map((v) => ({ id: v.id, impact: v.impact ?? '', nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
    });
    return result.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => ({ page: label, ...v }));
  }

  for (const role of ['none', 'office', 'leader', 'secretary', 'evaluator'] as Role[]) {
    it(`axe finds no serious or critical violation on the ${role} pages, nor in the confirmation dialog`, async () => {
      const context = await contextFor(role, 1280);
      const found: Finding[] = [];
      for (const path of pages[role]) {
        const page = await open(context, role, path);
        found.push(...(await violations(page, `${role} ${path}`)));
        await page.close();
      }
      if (role === 'office') {
        const page = await open(context, role, '/cycles/2020/branches/B02');
        await page.click('[data-testid=more-actions] summary');
        await page.locator('form[data-event=EXEMPT] button[type=submit]').click();
        await page.locator('#confirm-dialog[open]').waitFor();
        found.push(...(await violations(page, 'office confirmation dialog')));
        await page.close();
        const wizard = await open(context, role, '/cycles/new');
        for (let step = 2; step <= 6; step++) {
          await wizard.evaluate((n) => {
            const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): { hidden: boolean }[] } }).document;
            [...doc.querySelectorAll('fieldset.step')].forEach((f, i) => { f.hidden = i !== n - 1; });
          }, step);
          found.push(...(await violations(wizard, `office wizard step ${step}`)));
        }
        await wizard.close();
      }
      await context.close();
      expect(found).toEqual([]);
    }, 180_000);

    it(`no ${role} page scrolls sideways at 360 px`, async () => {
      const context = await contextFor(role, 360);
      const wide: string[] = [];
      for (const path of pages[role]) {
        const page = await open(context, role, path);
        const width = await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth);
        if (width > 360) wide.push(`${path}: ${width}px`);
        await page.close();
      }
      await context.close();
      expect(wide).toEqual([]);
    }, 180_000);
  }
});
