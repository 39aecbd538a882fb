// Several processes writing one SQLite file: transactions begin as writers (BEGIN IMMEDIATE) and an
// SQLITE_BUSY is waited out and retried, so a second writer waits instead of failing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/store/db';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('two writers on one SQLite file', () => {
  let dir: string;
  let a: Db;
  let b: Db;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shuping-busy-'));
    // Two knex instances, each with its own connection, as two processes have; a short busy_timeout
    // so that SQLITE_BUSY really comes back and the retry is what makes the second writer wait.
    a = openDb({ dataDir: dir, busyTimeoutMs: 50 });
    b = openDb({ dataDir: dir, busyTimeoutMs: 50 });
    await a.schema.createTable('counter', (t) => {
      t.integer('id').primary();
      t.integer('n').notNullable();
    });
    await a('counter').insert({ id: 1, n: 0 });
  });
  afterAll(async () => {
    await a?.destroy();
    await b?.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a transaction, and a statement outside one, wait for the other writer well past busy_timeout', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const hasLock = new Promise<void>((r) => (locked = r));
    const holder = a.transaction(async (trx) => {
      await trx('counter').where({ id: 1 }).increment('n', 1);
      locked();
      await held;
    });
    await hasLock;
    const t0 = Date.now();
    const inTransaction = b.transaction(async (trx) => {
      const { n } = await trx('counter').where({ id: 1 }).first();
      await trx('counter').where({ id: 1 }).update({ n: n + 10 });
    });
    const standalone = b('counter').where({ id: 1 }).increment('n', 100);
    await sleep(600); // twelve busy timeouts
    release();
    await Promise.all([holder, inTransaction, standalone]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(550);
    expect((await a('counter').where({ id: 1 }).first()).n).toBe(111);
  });

  it('read-then-write transactions from both never lose an update nor fail (a deferred BEGIN would answer SQLITE_BUSY)', async () => {
    const before = (await a('counter').where({ id: 1 }).first()).n as number;
    const bump = (db: Db) =>
      db.transaction(async (trx) => {
        const { n } = await trx('counter').where({ id: 1 }).first();
        await sleep(2);
        await trx('counter').where({ id: 1 }).update({ n: n + 1 });
      });
    await Promise.all(Array.from({ length: 40 }, (_, i) => bump(i % 2 ? a : b)));
    expect((await b('counter').where({ id: 1 }).first()).n).toBe(before + 40);
  });
});
