// `npm run screenshots`: seeds demo data in a temp directory, serves the app, and saves the leader
// dashboard and a secretary's task page at desktop and phone width into ./screenshots/, with the
// first-run page, each step of the cycle wizard, the users page and a confirmation dialog; then the
// first page of each Word document (bulletin, letters), converted by LibreOffice and rendered to PNG.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { seedDemo, DEMO_PASSWORD } from '../../db/seeds/demo';
import { loadSettings } from '../../src/config';
import { openServices } from '../../src/services';
import { createApp } from '../../src/web/app';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './browser';

const out = path.resolve(process.argv[2] ?? 'screenshots');
fs.mkdirSync(out, { recursive: true });
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shuping-shots-'));
const services = await openServices(loadSettings({ DATA_DIR: dataDir, BASE_URL: 'http://127.0.0.1' }));
process.stderr.write('seeding demo data…\n');
const year = await seedDemo(services);
const server = createApp(services).listen(0, '127.0.0.1');
await new Promise((r) => server.once('listening', r));
const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });

const shots: [string, string, string][] = [
  ['secretary.party@example.org', `/dashboard?cycle=${year}`, 'dashboard'],
  ['b01@example.org', '/tasks', 'secretary-tasks'],
  ['b01@example.org', `/cycles/${year}/branches/B01`, 'secretary-branch'],
  ['office@example.org', `/cycles/${year}`, 'office-board'],
];
for (const [email, url, name] of shots) {
  for (const [width, height, label] of [[1366, 900, 'desktop'], [390, 844, 'phone']] as const) {
    const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: label === 'phone' ? 2 : 1, locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto(`${base}/login`);
    await page.fill('input[name=email]', email);
    await page.fill('input[name=password]', DEMO_PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    await page.goto(`${base}${url}`);
    if (name === 'dashboard') await page.waitForSelector('#dash-table tbody tr');
    await page.waitForLoadState('networkidle');
    const file = path.join(out, `${name}-${label}.png`);
    await page.screenshot({ path: file, fullPage: true });
    process.stderr.write(`${file}\n`);
    await context.close();
  }
}
// Issue 9: the first-run page (on an empty database), each step of the cycle wizard, the users page and
// a confirmation dialog, at desktop and phone width.
const VIEWPORTS = [[1366, 900, 'desktop'], [390, 844, 'phone']] as const;
const emptyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shuping-shots-empty-'));
const emptyServices = await openServices(loadSettings({ DATA_DIR: emptyDir, BASE_URL: 'http://127.0.0.1' }));
const emptyServer = createApp(emptyServices).listen(0, '127.0.0.1');
await new Promise((r) => emptyServer.once('listening', r));
const emptyBase = `http://127.0.0.1:${(emptyServer.address() as { port: number }).port}`;
const shoot = async (page: import('playwright-core').Page, name: string, fullPage = true) => {
  const file = path.join(out, `${name}.png`);
  await page.screenshot({ path: file, fullPage });
  process.stderr.write(`${file}\n`);
};
const signedIn = async (email: string, width: number, height: number, label: string) => {
  const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: label === 'phone' ? 2 : 1, locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', DEMO_PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  return page;
};
const localDay = (days: number) => {
  const d = new Date(Date.now() + days * 86_400_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T18:00`;
};
for (const [width, height, label] of VIEWPORTS) {
  const setup = await (await browser.newContext({ viewport: { width, height }, deviceScaleFactor: label === 'phone' ? 2 : 1, locale: 'zh-CN' })).newPage();
  await setup.goto(`${emptyBase}/`);
  await shoot(setup, `setup-${label}`);
  await setup.context().close();

  const office = await signedIn('office@example.org', width, height, label);
  await office.goto(`${base}/cycles/new`);
  const steps = ['basics', 'topics', 'schedule', 'rules', 'roster', 'review'];
  for (const [i, step] of steps.entries()) {
    if (step === 'topics') await office.fill('textarea[name=topics]', '党建工作成效\n党建与生产经营融合\n存在的问题和改进措施');
    if (step === 'schedule') {
      for (const [k, days] of [['materials', 10], ['scoring', 30], ['plan', 60], ['followUp', 200]] as const) await office.fill(`input[name="deadlines.${k}"]`, localDay(days));
      await office.fill('input[name="meeting.at"]', localDay(25));
      await office.fill('input[name="meeting.place"]', '公司30楼报告厅');
    }
    await shoot(office, `wizard-${i + 1}-${step}-${label}`);
    if (i < steps.length - 1) await office.click('[data-wizard-next]');
  }
  await office.goto(`${base}/users`);
  await shoot(office, `users-${label}`);
  await office.goto(`${base}/cycles/${year}/branches/B01`);
  await office.click('[data-testid=more-actions] summary');
  await office.locator('form[data-event=EXEMPT] button[type=submit]').click();
  await office.locator('#confirm-dialog[open]').waitFor();
  await shoot(office, `confirm-dialog-${label}`, false);
  await office.context().close();
}
emptyServer.close();
await emptyServices.close();
fs.rmSync(emptyDir, { recursive: true, force: true });

// Issue 10: the meeting runner, the hall display at 1920×1080, a phone scoring page opened from a
// panel member's link, and the problem list with its repeat flag (屡查屡犯). The meeting is next
// year's, for four branches, running now.
{
  const { exampleConfig } = await import('../support/cycle');
  const officeActor = await services.engine.actorByEmail('office@example.org');
  const next = year + 1;
  const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString();
  const cfg = exampleConfig() as Record<string, any>;
  await services.engine.createCycle(
    {
      ...cfg, year: next, title: `${next}年度基层党支部书记抓党建工作述职评议`,
      deadlines: { materials: inDays(-1), scoring: inDays(10), plan: inDays(40), followUp: inDays(200) },
      meeting: { ...cfg.meeting, at: new Date().toISOString() }, branches: cfg.branches.slice(0, 4), panel: cfg.panel.slice(0, 4),
    },
    officeActor,
  );
  await services.engine.launchCycle(next, officeActor);
  const as = (email: string) => services.engine.actorByEmail(email);
  const send = async (email: string, branch: string, type: string, data?: unknown) => services.engine.sendBranchEvent({ cycle: next, branch, type, data, actor: await as(email) });
  for (const code of ['B01', 'B02', 'B03', 'B04']) {
    const sec = `${code.toLowerCase()}@example.org`;
    await send(sec, code, 'ACKNOWLEDGE');
    await send(sec, code, 'SUBMIT_MATERIALS', { summary: `${code} 述职报告` });
    await send('office@example.org', code, 'ACCEPT_MATERIALS');
  }
  await services.engine.meetingCommand(next, { command: 'start' }, officeActor, { now: new Date(Date.now() - 200_000).toISOString() });
  await services.engine.meetingCommand(next, { command: 'next' }, officeActor, { now: new Date(Date.now() - 60_000).toISOString() });
  const panel = (await services.engine.meetingView(next, officeActor)).panel;
  await send('office@example.org', 'B01', 'RECORD_QA', { askedById: panel[0].id, question: '支部如何避免党建与生产经营“两张皮”？', answer: '把党员先锋岗设在项目一线，党建考核与业绩考核挂钩。' });
  await send('office@example.org', 'B01', 'RECORD_QA', { askedById: panel[1].id, question: '“三会一课”质量如何提升？', answer: '每月主题党日结合生产任务，专题研讨。' });
  await send('panel2@example.org', 'B01', 'SUBMIT_SCORE', { scores: { effectiveness: 27, integration: 26, highlights: 13, problems: 13, presentation: 9 } });
  const { url: hallUrl } = await services.engine.issueDisplay(next, officeActor);
  const local = (u: string) => u.replace(/^https?:\/\/[^/]+/, base);

  const runner = await signedIn('office@example.org', 1366, 900, 'desktop');
  await runner.goto(`${base}/cycles/${next}/meeting`);
  await runner.locator('.agenda-item').first().waitFor();
  await runner.click('[data-testid=issue-panel-links]');
  await runner.locator('[data-testid=panel-link] img').first().waitFor();
  await shoot(runner, 'meeting-runner-desktop');
  await runner.goto(`${base}/cycles/${year}/branches/B01`);
  await runner.waitForLoadState('networkidle');
  await shoot(runner, 'problem-list-repeat-desktop');
  await runner.locator('#problems').screenshot({ path: path.join(out, 'problem-list-repeat.png') });
  process.stderr.write(`${path.join(out, 'problem-list-repeat.png')}\n`);
  await runner.context().close();

  const hallCtx = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'zh-CN' });
  const hall = await hallCtx.newPage();
  await hall.goto(local(hallUrl));
  await hall.locator('[data-testid=hall-timer][data-left-ms]').waitFor();
  await shoot(hall, 'hall-display-1920x1080', false);
  await hallCtx.close();

  // (issued after the runner's own reissue above, so this one is live)
  const { links } = await services.engine.issuePanelLinks(next, officeActor, { email: 'panel1@example.org' });
  const phoneCtx = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN' });
  const phone = await phoneCtx.newPage();
  await phone.goto(`${local(links[0].url)}/B01`);
  await phone.waitForLoadState('networkidle');
  await shoot(phone, 'phone-scoring-from-link');
  await phoneCtx.close();
}

await browser.close();

// The Word documents: LibreOffice (soffice) makes the PDF, poppler's pdftoppm the first page's PNG.
const office = await services.engine.actorByEmail('office@example.org');
const docsDir = path.join(dataDir, 'documents');
fs.mkdirSync(docsDir, { recursive: true });
// A fourth-quarter assessment (季度党建考核) of six of the demo's branches, run to its bulletin.
const quarterly = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../../examples/quarterly-2020-q4.json'), 'utf8'));
const { cycle: q4 } = await services.engine.createCycle(
  { ...quarterly, year, title: `${year}年第四季度党建工作考核`, documents: { ...quarterly.documents, number: `中机中联党〔${year}〕3号` } },
  office,
);
await services.engine.launchCycle(q4.id, office);
for (const [i, b] of (quarterly.branches as { code: string; secretaryEmail: string }[]).entries()) {
  const indicators = quarterly.indicators as { key: string; max: number }[];
  const secretary = await services.engine.actorByEmail(b.secretaryEmail);
  const items = indicators.map((ind) => ({ key: ind.key, score: ind.max - (i % 3), note: '已上传佐证材料' }));
  await services.engine.sendBranchEvent({ cycle: q4.id, branch: b.code, type: 'SUBMIT_SELF_ASSESSMENT', data: { items }, actor: secretary });
  const scores = Object.fromEntries(indicators.map((ind, k) => [ind.key, ind.max - ((i + k) % 4) - (i % 2) * 1.5]));
  await services.engine.sendBranchEvent({ cycle: q4.id, branch: b.code, type: 'SCORE_INDICATORS', data: { scores, comment: i === 5 ? '“三会一课”记录不全' : '' }, actor: office });
}
await services.engine.publishResults(q4.id, office);

const documents: [number, string, string, string | undefined][] = [
  [year, 'bulletin', 'document-bulletin', 'docx'],
  [year, 'letters', 'document-letters', 'docx'],
  [year, 'minutes', 'document-minutes', 'docx'],
  [q4.id, 'bulletin', 'document-quarterly-bulletin', 'docx'],
];
for (const [cycle, kind, name, format] of documents) {
  const file = await services.engine.exportDocument(cycle, kind, office, format);
  const docx = path.join(docsDir, `${name}.docx`);
  const stream = fs.createWriteStream(docx);
  const closed = new Promise<void>((resolve, reject) => stream.on('close', () => resolve()).on('error', reject));
  await file.write(stream);
  await closed;
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'shuping-lo-'));
  try {
    execFileSync('soffice', [`-env:UserInstallation=file://${profile}`, '--headless', '--norestore', '--convert-to', 'pdf', '--outdir', docsDir, docx], { stdio: 'pipe', timeout: 180_000 });
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
  execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', '-singlefile', path.join(docsDir, `${name}.pdf`), path.join(out, name)]);
  process.stderr.write(`${path.join(out, `${name}.png`)}\n`);
}
server.close();
await services.close();
fs.rmSync(dataDir, { recursive: true, force: true });
