// Backup and restore (SQLite): a backup taken while events are being written restores to a database
// on which audit verify passes and whose cycle status is the source's at the backup's moment; the
// uploads come with it; restore refuses a database that is not empty unless --force.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knex from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorByEmail } from '../../src/engine/actors';
import { dialects, makeTestEnv, type TestEnv } from '../support/db';
import { bigCycle, OFFICE, secretaryOf } from '../support/fleet';
import { call, setPasswords, signIn, TINY_PDF } from '../support/http';
import { processEnv, runCli, sleep, startApp, type AppProcess } from '../support/processes';

const NOW = '2020-11-26T02:00:00Z'; // for status: before any deadline, so nothing is overdue

describe('backup and restore on SQLite', () => {
  let env: TestEnv;
  let codes: string[];
  let app: AppProcess | undefined;
  const dirs: string[] = [];
  const tmp = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'shuping-backup-'));
    dirs.push(d);
    return d;
  };

  beforeAll(async () => {
    env = await makeTestEnv('sqlite');
    codes = await bigCycle(env.services, 24);
    // Every branch hands in its materials, the first six with a file.
    for (const [i, code] of codes.entries()) {
      const secretary = await actorByEmail(env.services.db, secretaryOf(code));
      const send = (type: string, data?: unknown) => env.services.engine.sendBranchEvent({ cycle: 2020, branch: code, type, data, actor: secretary, now: '2020-11-24T02:00:00Z' });
      await send('ACKNOWLEDGE');
      const fileIds: string[] = [];
      if (i < 6) {
        const up = await env.services.engine.uploadFile({ cycle: 2020, branch: code, actor: secretary, file: { originalname: `述职报告${code}.pdf`, buffer: TINY_PDF, size: TINY_PDF.length } }, '2020-11-24T02:00:00Z');
        fileIds.push(up.file.id);
      }
      await send('SUBMIT_MATERIALS', { summary: '述职报告', fileIds });
    }
    await setPasswords(env.services);
  }, 120_000);
  afterAll(async () => {
    app?.kill('SIGKILL');
    await env?.cleanup();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('a backup taken during a burst restores to the status of its moment, audit whole, uploads with it', async () => {
    const db = env.services.db;
    app = await startApp(processEnv(env, { SCHEDULER: 'off' }));
    const sessions = await Promise.all(Array.from({ length: 6 }, () => signIn(app!.base, OFFICE)));
    // Each client moves its branches on one after the other: accepted, presenting, fifteen questions.
    // The last six branches stay out of the burst, still at their materials: on a slow machine the
    // clients may have moved every other branch to the meeting before the copy is taken, and the
    // copy must still show branches in two phases (those the burst had moved, and these).
    let stop = false;
    let answered = 0;
    const moving = codes.slice(0, codes.length - 6);
    const clients = sessions.map(async (session, c) => {
      const mine = moving.filter((_, i) => i % sessions.length === c);
      for (let n = 0; !stop; n++) {
        const k = n % 17;
        const branch = mine[Math.floor(n / 17) % mine.length];
        if (n >= 17 * mine.length && k < 2) continue; // round two: questions only
        const body = k === 0 ? { type: 'ACCEPT_MATERIALS' } : k === 1 ? { type: 'START_PRESENTATION' } : { type: 'RECORD_QA', data: { question: `${branch}-${n}`, answer: '答', askedBy: '考评组' } };
        const res = await call(app!.base, 'POST', `/api/cycles/2020/branches/${branch}/events`, { session, body });
        expect(res.status, res.text).toBe(200);
        answered++;
      }
    });
    while (answered < 30) await sleep(20);
    const out = path.join(tmp(), 'nightly');
    const atStart = answered;
    const backup = await runCli(processEnv(env), 'backup', '--out', out);
    const atEnd = answered;
    while (answered < atEnd + 60) await sleep(20);
    stop = true;
    await Promise.all(clients);
    expect(backup.code, backup.stdout + backup.stderr).toBe(0);
    console.info(`[backup] taken while ${atEnd - atStart} events were answered; ${answered} in all`);
    expect(backup.json).toMatchObject({ format: 'shuping-backup', database: 'sqlite', uploads: 6 });
    expect(fs.readdirSync(out).sort()).toEqual(['manifest.json', 'shuping.sqlite', 'uploads']);

    // Restore into a new installation.
    const target = tmp();
    const restoredEnv = processEnv(env, { DATA_DIR: target });
    const restored = await runCli(restoredEnv, 'restore', '--from', out);
    expect(restored.code, restored.stdout + restored.stderr).toBe(0);
    expect((await runCli(restoredEnv, 'audit', 'verify')).json).toMatchObject({ ok: true });
    const status = (await runCli(restoredEnv, 'status', '--cycle', '2020', '--now', NOW)).json;

    // The source as it was at the backup's moment: its audit up to the last record the copy holds.
    const copy = knex({ client: 'sqlite3', connection: { filename: path.join(target, 'shuping.sqlite') }, useNullAsDefault: true });
    try {
      const copied = (await copy('audit').orderBy('id').select('id', 'hash')) as { id: number; hash: string }[];
      const last = copied.at(-1)!.id;
      const source = (await db('audit').orderBy('id').select('id', 'hash', 'branch_review_id', 'to_state', 'version')) as {
        id: number; hash: string; branch_review_id: number | null; to_state: string; version: number | null;
      }[];
      // Taken mid-burst: some events before it, some after; and the copy is exactly the source's prefix.
      expect(source.length).toBeGreaterThan(copied.length);
      expect(copied.map((r) => r.hash)).toEqual(source.slice(0, copied.length).map((r) => r.hash));
      const ids = new Map(((await db('branch_reviews').select('id', 'code')) as { id: number; code: string }[]).map((b) => [b.id, b.code]));
      const then = new Map<string, { state: string; version: number }>();
      for (const r of source.filter((x) => x.id <= last && x.branch_review_id !== null && x.version !== null)) {
        then.set(ids.get(r.branch_review_id!)!, { state: r.to_state, version: r.version! });
      }
      const expected = codes.map((code) => ({ code, phase: then.get(code)!.state.split('.')[0], state: then.get(code)!.state, version: then.get(code)!.version, overdue: [] }));
      expect(status.branches.map((b: Record<string, unknown>) => ({ code: b.code, phase: b.phase, state: b.state, version: b.version, overdue: b.overdue }))).toEqual(expected);
      const counts: Record<string, number> = {};
      for (const b of expected) counts[b.phase] = (counts[b.phase] ?? 0) + 1;
      expect(status.counts).toEqual(counts);
      expect(Object.keys(counts).length).toBeGreaterThan(1); // the burst had moved some branches before the copy

      // Every file the copy names is in the restored uploads, byte for byte.
      const files = (await copy('files').select('id', 'sha256')) as { id: string; sha256: string }[];
      expect(files).toHaveLength(6);
      for (const f of files) expect(fs.readFileSync(path.join(target, 'uploads', f.id))).toEqual(TINY_PDF);
    } finally {
      await copy.destroy();
    }
  }, 120_000);

  it('restore refuses a database that is not empty unless --force; backup refuses to overwrite', async () => {
    const out = path.join(tmp(), 'b');
    expect((await runCli(processEnv(env), 'backup', '--out', out)).code).toBe(0);
    const again = await runCli(processEnv(env), 'backup', '--out', out);
    expect(again.code).not.toBe(0);
    expect(again.json).toMatchObject({ error: { code: 'CONFLICT' } });

    const target = tmp();
    const e = processEnv(env, { DATA_DIR: target });
    expect((await runCli(e, 'user', 'add', '--email', 'someone@example.org', '--role', 'office', '--name', '某人')).code).toBe(0);
    const refused = await runCli(e, 'restore', '--from', out);
    expect(refused.code).not.toBe(0);
    expect(refused.json).toMatchObject({ error: { code: 'CONFLICT' } });
    const forced = await runCli(e, 'restore', '--from', out, '--force');
    expect(forced.code, forced.stdout + forced.stderr).toBe(0);
    expect((await runCli(e, 'audit', 'verify')).json).toMatchObject({ ok: true });
    const cycles = (await runCli(e, 'status')).json;
    expect(cycles.cycles.map((c: { year: number }) => c.year)).toEqual([2020]);

    const notABackup = await runCli(e, 'restore', '--from', tmp(), '--force');
    expect(notABackup.json).toMatchObject({ error: { code: 'BAD_REQUEST' } });
  }, 120_000);
});

describe.skipIf(!dialects.includes('postgres'))('backup on PostgreSQL', () => {
  it('points to pg_dump', async () => {
    const env = await makeTestEnv('postgres');
    try {
      const r = await runCli(processEnv(env), 'backup', '--out', path.join(os.tmpdir(), `never-${process.pid}`));
      expect(r.code).not.toBe(0);
      expect(r.json.error.code).toBe('BAD_REQUEST');
      expect(r.json.error.message).toContain('pg_dump');
    } finally {
      await env.cleanup();
    }
  });
});
