// The contracts as a person types them: `npm start` serves on SQLite in DATA_DIR; `npm run -s cli` prints only its output.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shuping-proc-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

const freePort = () =>
  new Promise<number>((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });

// Vitest sets BASE_URL (vite's base path) in the environment; a shell starting the app has none.
const env = () => ({ ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', SMTP_URL: '', BASE_URL: '' });

describe('processes', () => {
  it('npm start migrates a new SQLite database in DATA_DIR and serves /api/health and the landing page', async () => {
    const port = await freePort();
    const child = spawn('npm', ['start'], { cwd: root, env: { ...env(), PORT: String(port) }, detached: true, stdio: 'ignore' });
    try {
      let health: Response | undefined;
      for (let i = 0; i < 100 && !health; i++) {
        health = await fetch(`http://127.0.0.1:${port}/api/health`).catch(() => undefined);
        if (!health) await new Promise((r) => setTimeout(r, 200));
      }
      expect(health?.status).toBe(200);
      expect(await health!.json()).toMatchObject({ status: 'ok', database: 'sqlite' });
      expect(fs.existsSync(path.join(dataDir, 'shuping.sqlite'))).toBe(true);
      const page = await fetch(`http://127.0.0.1:${port}/`);
      expect(await page.text()).toContain('述评');
    } finally {
      process.kill(-child.pid!, 'SIGTERM');
    }
  });

  it('npm run -s cli prints only JSON, and an error as { error } with a non-zero exit', () => {
    const ok = spawnSync('npm', ['run', '-s', 'cli', '--', 'status', '--json'], { cwd: root, env: env(), encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({ cycles: [] });
    const bad = spawnSync('npm', ['run', '-s', 'cli', '--', 'cycle', 'launch', '--cycle', '1999', '--json'], { cwd: root, env: env(), encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
    expect(JSON.parse(bad.stdout)).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });
});
