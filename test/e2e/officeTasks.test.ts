// Issue 9: the office runs a whole cycle in the browser, without a developer. Each test is one
// person's task from start to end, in Debian's chromium, on one database that starts empty.
import fs from 'node:fs';
import type { Server } from 'node:http';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { listMails } from '../../src/store/outbox';
import { createApp } from '../../src/web/app';
import { makeTestEnv, type TestEnv } from '../support/db';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './browser';

const PASSWORD = 'e2e-password-1';
const hasBrowser = fs.existsSync(CHROMIUM_PATH);
if (!hasBrowser && process.env.REQUIRE_BROWSER) throw new Error(`chromium not found at ${CHROMIUM_PATH}`);
const TINY_PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n', 'latin1');

/** datetime-local's value for a day from now, at 18:00 local time. */
const localDay = (days: number) => {
  const d = new Date(Date.now() + days * 86_400_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T18:00`;
};

/** A downloaded template, its example row replaced by `rows`. */
async function fill(template: Buffer, rows: string[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(template as unknown as ArrayBuffer);
  const ws = wb.worksheets[0];
  ws.spliceRows(2, 1);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const branchRows = (n: number, bad?: number) =>
  Array.from({ length: n }, (_, i) => {
    const code = `B${String(i + 1).padStart(2, '0')}`;
    return [code, `第${i + 1}党支部`, `书记${i + 1}`, i + 1 === bad ? 'b07-at-example.org' : `${code.toLowerCase()}@example.org`];
  });

describe.skipIf(!hasBrowser)('the office runs a cycle in the browser (issue 9)', () => {
  let env: TestEnv;
  let server: Server;
  let base: string;
  let browser: Browser;
  let office: Page;
  let cycleId: number;

  beforeAll(async () => {
    env = await makeTestEnv('sqlite');
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

  async function newPage(width = 1280): Promise<Page> {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width, height: 900 }, acceptDownloads: true });
    return context.newPage();
  }

  async function signIn(email: string, password = PASSWORD): Promise<Page> {
    const page = await newPage();
    await page.goto(`${base}/login`);
    await page.fill('input[name=email]', email);
    await page.fill('input[name=password]', password);
    await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('button[type=submit]')]);
    return page;
  }

  async function setPasswordFromMail(email: string) {
    const mail = (await listMails(env.services.db)).filter((m) => m.template === 'invitation' && m.to_email === email).at(-1)!;
    const link = /http:\/\/shuping\.test(\/password\/\S+)/.exec(mail.body_text)![1];
    const page = await newPage();
    await page.goto(`${base}${link}`);
    await page.fill('input[name=password]', PASSWORD);
    await Promise.all([page.waitForURL(/\/login/), page.click('button[type=submit]')]);
    await page.context().close();
  }

  /** Submits a form that asks for confirmation: the dialog names the action; confirmed (with a reason when asked). */
  async function confirmSubmit(page: Page, form: Locator, reason?: string) {
    const load = page.waitForEvent('load');
    await form.locator('button[type=submit]').click();
    const dialog = page.locator('#confirm-dialog[open]');
    await dialog.waitFor();
    if (reason !== undefined) await page.fill('#confirm-reason', reason);
    await page.click('#confirm-ok');
    await load;
  }

  async function plainSubmit(page: Page, form: Locator) {
    await Promise.all([page.waitForEvent('load'), form.locator('button[type=submit]').click()]);
    expect(await page.locator('.form-error:not(.hidden)').count()).toBe(0);
  }

  const branchUrl = (code: string) => `${base}/cycles/${cycleId}/branches/${code}`;

  it('sets up the first office account on an empty database', async () => {
    const page = await newPage();
    await page.goto(`${base}/`);
    expect(new URL(page.url()).pathname).toBe('/setup');
    await page.fill('input[name=name]', '党委办公室');
    await page.fill('input[name=email]', 'office@example.org');
    await page.fill('input[name=password]', PASSWORD);
    await Promise.all([page.waitForURL(/\/login/), page.click('button[type=submit]')]);
    await page.goto(`${base}/setup`);
    expect(await page.locator('form[data-api="POST /api/setup"]').count()).toBe(0);
    await page.context().close();
    office = await signIn('office@example.org');
    expect(new URL(office.url()).pathname).toBe('/cycles');
  });

  it('creates a cycle with the wizard from the downloaded templates, 28 branches, fixing the row the import named', async () => {
    await office.click('[data-testid=new-cycle]');
    await office.waitForURL(/\/cycles\/new$/);
    // 1 year and title
    await office.fill('input[name=year]', '2031');
    await office.fill('input[name=title]', '2031年度基层党支部书记抓党建工作述职评议');
    await office.click('[data-wizard-next]');
    // 2 topics
    await office.fill('textarea[name=topics]', '党建工作成效\n党建与生产经营融合\n存在的问题和改进措施');
    await office.click('[data-wizard-next]');
    // 3 deadlines and the meeting
    for (const [k, days] of [['materials', 10], ['scoring', 30], ['plan', 60], ['followUp', 200]] as const) await office.fill(`input[name="deadlines.${k}"]`, localDay(days));
    await office.fill('input[name="meeting.at"]', localDay(25));
    await office.fill('input[name="meeting.place"]', '公司30楼报告厅');
    await office.click('[data-wizard-next]');
    // 4 the rules come filled with the defaults
    expect(await office.locator('#rubric-total').innerText()).toBe('100');
    await office.click('[data-wizard-next]');
    // 5 the templates, downloaded and filled
    const [branchesDl] = await Promise.all([office.waitForEvent('download'), office.click('[data-testid=template-branches]')]);
    const [panelDl] = await Promise.all([office.waitForEvent('download'), office.click('[data-testid=template-panel]')]);
    const branchesTpl = fs.readFileSync((await branchesDl.path())!);
    const panelTpl = fs.readFileSync((await panelDl.path())!);
    const panel = await fill(panelTpl, [['panel1@example.org', '考评组成员一', ''], ['panel2@example.org', '考评组成员二', ''], ['panel3@example.org', '考评组成员三', 'B03']]);
    await office.setInputFiles('input[name=branches]', { name: '支部名单.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: await fill(branchesTpl, branchRows(28, 7)) });
    await office.setInputFiles('input[name=panel]', { name: '考评组.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: panel });
    await office.click('[data-wizard-next]');
    // 6 review, save: the import names the bad row, in Chinese, and the wizard goes back to the roster
    expect(await office.locator('#review').innerText()).toContain('支部名单.xlsx');
    await office.click('[data-testid=wizard-save]');
    const error = office.locator('#wizard-error:not(.hidden)');
    await error.waitFor();
    expect(await error.innerText()).toMatch(/支部名单.*第 8 行.*书记邮箱.*邮箱格式不正确/);
    expect(await office.locator('fieldset[data-step="5"]').isVisible()).toBe(true);
    await office.setInputFiles('input[name=branches]', { name: '支部名单.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: await fill(branchesTpl, branchRows(28)) });
    await office.click('[data-wizard-next]');
    await Promise.all([office.waitForURL(/\/draft$/), office.click('[data-testid=wizard-save]')]);
    cycleId = Number(/\/cycles\/(\d+)\/draft/.exec(office.url())![1]);
    expect(await office.locator('[data-testid=draft-branches] tbody tr').count()).toBe(28);
  });

  it('previews, edits and launches the draft', async () => {
    expect(await office.locator('[data-testid=launch-summary]').innerText()).toContain('将向 28 个支部发送述评通知');
    expect(await office.locator('[data-testid=past-deadlines]').count()).toBe(0);
    await Promise.all([office.waitForURL(/\/edit$/), office.click('[data-testid=edit-draft]')]);
    await office.fill('input[name=title]', '2031年度述职评议（修订稿）');
    for (let i = 0; i < 5; i++) await office.click('[data-wizard-next]');
    expect(await office.locator('#review').innerText()).toContain('保留现有 28 条');
    await Promise.all([office.waitForURL(/\/draft$/), office.click('[data-testid=wizard-save]')]);
    expect(await office.locator('h1').innerText()).toContain('修订稿');
    await confirmSubmit(office, office.locator('form[data-api$="/launch"]'));
    expect(new URL(office.url()).pathname).toBe(`/cycles/${cycleId}`);
    expect(await office.locator('h1 .badge').first().innerText()).toBe('进行中');
  });

  it("a secretary's report is returned, a file replaced, and resubmitted", async () => {
    await setPasswordFromMail('b01@example.org');
    const secretary = await signIn('b01@example.org');
    await secretary.click('[data-testid=task-B01] a');
    await plainSubmit(secretary, secretary.locator('form[data-event=ACKNOWLEDGE]'));
    expect(await secretary.locator('#notice').innerText()).toContain('公司30楼报告厅');
    const sections = secretary.locator('[data-section]');
    await sections.nth(0).fill('第一段：全年开展主题党日12次。\n\n第二段：建立党员责任区。');
    await sections.nth(1).fill('党建与生产融合的做法。');
    await secretary.setInputFiles('form[data-event=SUBMIT_MATERIALS] input[type=file]', { name: '初稿.pdf', mimeType: 'application/pdf', buffer: TINY_PDF });
    await plainSubmit(secretary, secretary.locator('form[data-event=SUBMIT_MATERIALS]'));
    expect(await secretary.locator('[data-testid=report]').innerText()).toContain('第一段：全年开展主题党日12次。\n\n第二段');

    // The office returns it with a reason (from the menu: the primary action is accepting).
    await office.goto(branchUrl('B01'));
    await office.click('[data-testid=more-actions] summary');
    await office.fill('form[data-event=RETURN_MATERIALS] textarea[name="data.reason"]', '请补充问题查找部分，并换用盖章版附件');
    await plainSubmit(office, office.locator('form[data-event=RETURN_MATERIALS]'));

    // The secretary sees why, on the task list and as a banner; replaces the file; resubmits.
    await secretary.goto(`${base}/tasks`);
    expect(await secretary.locator('[data-testid=returned-B01]').innerText()).toBe('已退回，请修改后重新提交');
    await secretary.click('[data-testid=task-B01] a');
    expect(await secretary.locator('[data-testid=returned-banner]').innerText()).toContain('请补充问题查找部分');
    expect(await secretary.locator('[data-section]').nth(1).inputValue()).toBe('党建与生产融合的做法。');
    await plainSubmit(secretary, secretary.locator('#materials form[data-api^="DELETE /api/files/"]'));
    expect(await secretary.locator('#materials a[href^="/api/files/"]').count()).toBe(0);
    await secretary.locator('[data-section]').nth(2).fill('问题：学习不深入。措施：每月集中学习。');
    await secretary.setInputFiles('form[data-event=SUBMIT_MATERIALS] input[type=file]', { name: '盖章版.pdf', mimeType: 'application/pdf', buffer: TINY_PDF });
    await plainSubmit(secretary, secretary.locator('form[data-event=SUBMIT_MATERIALS]'));
    expect(await secretary.locator('[data-testid=returned-banner]').count()).toBe(0);
    expect(await secretary.locator('#materials a[href^="/api/files/"]').allInnerTexts()).toEqual(['盖章版.pdf']);
    await secretary.goto(`${base}/tasks`);
    expect(await secretary.locator('[data-testid=returned-B01]').count()).toBe(0);
    await secretary.context().close();

    // The office accepts: a weighty action, confirmed in a dialog naming the branch.
    await office.goto(branchUrl('B01'));
    await office.locator('form[data-event=ACCEPT_MATERIALS] button[type=submit]').click();
    await office.locator('#confirm-dialog[open]').waitFor();
    expect(await office.locator('#confirm-title').innerText()).toContain('第1党支部');
    await Promise.all([office.waitForEvent('load'), office.click('#confirm-ok')]);
    expect(await office.locator('[data-testid=phase]').innerText()).toBe('待现场述职');
  });

  it("an evaluator's score form is locked once submitted", async () => {
    await plainSubmit(office, office.locator('form[data-event=START_PRESENTATION]'));
    await confirmSubmit(office, office.locator('form[data-event=END_PRESENTATION]'));
    expect(await office.locator('[data-testid=phase]').innerText()).toBe('评分中');
    await setPasswordFromMail('panel1@example.org');
    const evaluator = await signIn('panel1@example.org');
    await evaluator.click('[data-testid=task-B01] a');
    const inputs = evaluator.locator('#score-form input[type=number]');
    for (const [i, v] of ['28', '27', '13.5', '13', '9'].entries()) await inputs.nth(i).fill(v);
    await evaluator.fill('#score-form textarea[name="data.comment"]', '材料扎实。');
    await Promise.all([evaluator.waitForURL(/\/tasks$/), evaluator.click('[data-testid=submit-score]')]);
    await evaluator.goto(`${base}/cycles/${cycleId}/branches/B01/score`);
    expect(await evaluator.locator('[data-testid=score-locked]').innerText()).toContain('不能再修改');
    expect(await evaluator.locator('[data-testid=submit-score]').count()).toBe(0);
    for (let i = 0; i < 5; i++) expect(await inputs.nth(i).isDisabled()).toBe(true);
    expect(await inputs.nth(2).inputValue()).toBe('13.5');
    await evaluator.context().close();
  });

  it('exempts a branch only after a confirmation with a reason', async () => {
    await office.goto(branchUrl('B02'));
    await office.click('[data-testid=more-actions] summary');
    await office.locator('form[data-event=EXEMPT] button[type=submit]').click();
    await office.locator('#confirm-dialog[open]').waitFor();
    expect(await office.locator('#confirm-text').innerText()).toContain('不能恢复');
    // Without a reason the dialog stays open and says so.
    await office.click('#confirm-ok');
    expect(await office.locator('#confirm-error').innerText()).toContain('原因');
    expect(await office.locator('[data-testid=phase]').innerText()).toBe('已通知');
    await office.fill('#confirm-reason', '支部已撤并');
    await Promise.all([office.waitForEvent('load'), office.click('#confirm-ok')]);
    expect(await office.locator('[data-testid=phase]').innerText()).toBe('免于述评');
    expect(await office.locator('.history').innerText()).toContain('支部已撤并');
  });
});
