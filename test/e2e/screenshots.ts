// `npm run screenshots`: seeds demo data in a temp directory, serves the app, and saves the leader
// dashboard and a secretary's task page at desktop and phone width into ./screenshots/; then the
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
await browser.close();

// The Word documents: LibreOffice (soffice) makes the PDF, poppler's pdftoppm the first page's PNG.
const office = await services.engine.actorByEmail('office@example.org');
const docsDir = path.join(dataDir, 'documents');
fs.mkdirSync(docsDir, { recursive: true });
const documents: [string, string, string | undefined][] = [
  ['bulletin', 'document-bulletin', 'docx'],
  ['letters', 'document-letters', 'docx'],
];
for (const [kind, name, format] of documents) {
  const file = await services.engine.exportDocument(year, kind, office, format);
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
