// A whole cycle through the pages, in Debian's chromium: each role signs in and does its part.
import fs from 'node:fs';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { hashPassword } from '../../src/security/passwords';
import { addRole, findUserByEmail, setPasswordHash, upsertUser } from '../../src/store/users';
import { listMails } from '../../src/store/outbox';
import { createApp } from '../../src/web/app';
import { exampleConfig } from '../support/cycle';
import { makeTestEnv, type TestEnv } from '../support/db';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './browser';

const PASSWORD = 'e2e-password';
/** A real 1×1 PNG: uploads are recognised by their content. */
const TINY_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const hasBrowser = fs.existsSync(CHROMIUM_PATH);
// CI installs chromium and sets REQUIRE_BROWSER: there a missing browser fails instead of skipping.
if (!hasBrowser && process.env.REQUIRE_BROWSER) throw new Error(`chromium not found at ${CHROMIUM_PATH}`);

// Two branches (one will be exempted) and two panel members keep the walk short but whole.
function smallConfig() {
  const cfg = exampleConfig() as Record<string, any>;
  const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString();
  return {
    ...cfg,
    deadlines: { materials: inDays(10), scoring: inDays(30), plan: inDays(60), followUp: inDays(200) },
    meeting: { ...cfg.meeting, at: inDays(25) },
    branches: cfg.branches.slice(0, 2),
    panel: cfg.panel.slice(0, 2),
  };
}

describe.skipIf(!hasBrowser)('a whole cycle in the browser', () => {
  let env: TestEnv;
  let server: Server;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    env = await makeTestEnv('sqlite');
    const now = new Date().toISOString();
    const { user } = await upsertUser(env.services.db, { email: 'office@example.org', name: '党委办公室' }, now);
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

  async function signIn(email: string, password = PASSWORD): Promise<Page> {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${base}/login`);
    await page.fill('input[name=email]', email);
    await page.fill('input[name=password]', password);
    await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('button[type=submit]')]);
    return page;
  }

  /** Fills and submits the form of one event on a branch page (confirming it when asked), and waits for the page to reload. */
  async function act(page: Page, type: string, fields: Record<string, string> = {}, within?: string, item?: string) {
    const form = page.locator(`${within ?? ''} form[data-event="${type}"]${item ? `:has(input[value="${item}"])` : ''}`).first();
    if (!(await form.isVisible())) await page.click('[data-testid=more-actions] summary');
    const reason = fields['data.reason'];
    const asksReason = (await form.getAttribute('data-confirm-reason')) !== null;
    for (const [name, value] of Object.entries(fields)) if (!(asksReason && name === 'data.reason')) await form.locator(`[name="${name}"]`).fill(value);
    await submit(page, form, asksReason ? reason : undefined);
    const error = await page.locator('.form-error:not(.hidden)').count();
    expect(error, `no error after ${type}`).toBe(0);
  }

  /** Submits a form; a weighty one opens the confirmation dialog, which is confirmed (with the reason it asks for). */
  async function submit(page: Page, form: ReturnType<Page['locator']>, reason?: string) {
    const confirms = (await form.getAttribute('data-confirm')) !== null;
    const load = page.waitForEvent('load');
    await form.locator('button[type=submit]').click();
    if (confirms) {
      await page.locator('#confirm-dialog[open]').waitFor();
      if (reason !== undefined) await page.fill('#confirm-reason', reason);
      await page.click('#confirm-ok');
    }
    await load;
  }

  const phaseOf = (page: Page) => page.locator('[data-testid=phase]').innerText();

  async function setPasswords(emails: string[]) {
    const hash = await hashPassword(PASSWORD);
    for (const email of emails) await setPasswordHash(env.services.db, (await findUserByEmail(env.services.db, email))!.id, hash);
  }

  it('takes two branches from creation to the end, every role through its pages', async () => {
    // ── office: create from an uploaded JSON file, then launch
    const office = await signIn('office@example.org');
    expect(new URL(office.url()).pathname).toBe('/cycles');
    await office.setInputFiles('input[name=config]', { name: 'cycle.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(smallConfig())) });
    await office.click('details.card summary');
    await Promise.all([office.waitForURL(/\/draft$/), office.click('form[data-multipart] button[type=submit]')]);
    await submit(office, office.locator('form[data-api$="/launch"]'));
    expect(await office.locator('h1 .badge').first().innerText()).toBe('进行中');
    const cycleId = 1;

    // ── secretary: sets a password from the invitation mail, then acknowledges and submits with a file
    const invitation = (await listMails(env.services.db)).find((m) => m.template === 'invitation' && m.to_email === 'b01@example.org')!;
    const link = /http:\/\/shuping\.test(\/password\/\S+)/.exec(invitation.body_text)![1];
    const setup = await browser.newPage();
    await setup.goto(`${base}${link}`);
    await setup.fill('input[name=password]', PASSWORD);
    await Promise.all([setup.waitForURL(/\/login/), setup.click('button[type=submit]')]);
    await setup.close();
    const secretary = await signIn('b01@example.org');
    expect(new URL(secretary.url()).pathname).toBe('/tasks');
    expect(await secretary.locator('[data-testid=task-B01]').innerText()).toContain('剩余');
    await secretary.click('[data-testid=task-B01] a');
    await act(secretary, 'ACKNOWLEDGE');
    const pdf = { name: '述职报告.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n% test\n') };
    await secretary.setInputFiles('form[data-event=SUBMIT_MATERIALS] input[type=file]', pdf);
    await secretary.locator('[data-section]').first().fill('一年来，支部围绕中心抓党建。\n\n第二段：开展专项行动。');
    await act(secretary, 'SUBMIT_MATERIALS');
    expect(await phaseOf(secretary)).toBe('材料审核');
    expect(await secretary.locator('#materials a').innerText()).toBe('述职报告.pdf');

    // ── office: returns, the secretary resubmits, the office accepts; B02 is exempted
    const branchUrl = (code: string) => `${base}/cycles/${cycleId}/branches/${code}`;
    await office.goto(branchUrl('B01'));
    await act(office, 'RETURN_MATERIALS', { 'data.reason': '请补充问题查找部分' });
    await secretary.reload();
    expect(await phaseOf(secretary)).toBe('准备材料');
    await secretary.locator('[data-section]').nth(3).fill('修改稿：补充了问题查找与整改措施。');
    await act(secretary, 'SUBMIT_MATERIALS');
    await office.reload();
    await act(office, 'ACCEPT_MATERIALS');
    await office.goto(branchUrl('B02'));
    await act(office, 'EXEMPT', { 'data.reason': '支部已撤并' });
    expect(await phaseOf(office)).toBe('免于述评');

    // ── the live review
    await office.goto(branchUrl('B01'));
    await act(office, 'START_PRESENTATION');
    await act(office, 'RECORD_QA', { 'data.askedBy': '考评组成员一', 'data.question': '如何推动融合？', 'data.answer': '党建项目化。' });
    await act(office, 'END_PRESENTATION');
    expect(await phaseOf(office)).toBe('评分中');

    // ── evaluators: a draft, then the score
    await setPasswords(['panel1@example.org', 'panel2@example.org', 'secretary.party@example.org']);
    for (const [email, marks] of [['panel1@example.org', ['28', '27', '13.5', '13', '9']], ['panel2@example.org', ['26', '27', '14', '12', '8.5']]] as const) {
      const evaluator = await signIn(email);
      await evaluator.click('[data-testid=task-B01] a');
      const inputs = evaluator.locator('#score-form input[type=number]');
      for (const [i, v] of marks.entries()) await inputs.nth(i).fill(v);
      await evaluator.click('#save-draft');
      await evaluator.waitForSelector('#draft-saved:not(.hidden)');
      await Promise.all([evaluator.waitForURL(/\/tasks$/), evaluator.click('[data-testid=submit-score]')]);
      expect(await evaluator.locator('[data-testid=task-B01]').count()).toBe(0);
      await evaluator.context().close();
    }

    // ── office publishes
    await office.goto(`${base}/cycles/${cycleId}`);
    await submit(office, office.locator('form[data-api$="/events"]'));
    expect(await office.locator('h1 .badge').innerText()).toBe('已公布结果');

    // ── secretary: sees the result and files a two-item plan
    await secretary.reload();
    // panel: (90.5 + 87.5) / 2 = 89 → 较好
    expect(await secretary.locator('#result').innerText()).toContain('89');
    await secretary.fill('[name="data.items.0.problem"]', '理论学习不深入');
    await secretary.fill('[name="data.items.0.measure"]', '每月集中学习');
    await secretary.fill('[name="data.items.0.owner"]', '支部书记');
    await secretary.fill('[name="data.items.0.dueDate"]', '2021-03-31');
    await secretary.click('[data-add-row=plan-rows]');
    await secretary.fill('[name="data.items.1.problem"]', '融合不紧密');
    await secretary.fill('[name="data.items.1.measure"]', '设立党员先锋岗');
    await secretary.fill('[name="data.items.1.owner"]', '组织委员');
    await secretary.fill('[name="data.items.1.dueDate"]', '2021-05-31');
    await act(secretary, 'SUBMIT_PLAN');
    expect(await phaseOf(secretary)).toBe('方案审核');

    // ── office approves; the secretary reports progress; the office verifies each item
    await office.goto(branchUrl('B01'));
    await act(office, 'APPROVE_PLAN');
    await secretary.reload();
    for (const item of ['I1', 'I2']) {
      await secretary.setInputFiles(`form[data-event=REPORT_PROGRESS]:has(input[value="${item}"]) input[type=file]`, { name: '照片.png', mimeType: 'image/png', buffer: TINY_PNG });
      await act(secretary, 'REPORT_PROGRESS', { 'data.note': `${item} 已完成` }, `#plan`, item);
    }
    await office.reload();
    await act(office, 'VERIFY_ITEM');
    await act(office, 'VERIFY_ITEM');
    expect(await phaseOf(office)).toBe('已完成');

    // ── the leader sees the cycle reach its end on the dashboard
    const leader = await signIn('secretary.party@example.org');
    expect(new URL(leader.url()).pathname).toBe('/dashboard');
    // A locator, not waitForFunction: the page's CSP forbids evaluating strings.
    await leader.locator('#dashboard[data-state="archived"]').waitFor();
    expect(await leader.locator('#stats').innerText()).toContain('已归档');
    expect(await leader.locator('#dash-table tbody tr').count()).toBe(2);
  });
});
