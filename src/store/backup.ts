// The SQL of backup and restore on SQLite: an online, consistent copy (VACUUM INTO), facts read from
// a copy, and a restore through SQLite's backup API into the open database.
import sqlite3 from 'sqlite3';
import type { Db } from './db';
import { sqliteFile } from './db';

/** The tables whose rows make a database "not empty": people, cycles or an audit trail. */
const CONTENT_TABLES = ['users', 'cycles', 'audit'];

export interface SnapshotFacts {
  migrations: string[];
  counts: Record<string, number>;
  auditHeads: { chain: string; seq: number; last_hash: string }[];
}

/**
 * Writes a transactionally consistent copy of the live database to `file` while other processes go
 * on writing (WAL: the copy is one read transaction, writers are not blocked).
 */
export async function vacuumInto(db: Db, file: string): Promise<void> {
  await db.raw('VACUUM INTO ?', [file]);
}

export async function isEmptyDatabase(db: Db): Promise<boolean> {
  for (const table of CONTENT_TABLES) {
    if (!(await db.schema.hasTable(table))) continue;
    const row = await db(table).first(db.raw('1 as one'));
    if (row) return false;
  }
  return true;
}

function openFile(file: string, mode: number): Promise<sqlite3.Database> {
  return new Promise((resolve, reject) => {
    const conn = new sqlite3.Database(file, mode, (err) => (err ? reject(err) : resolve(conn)));
  });
}

const all = (conn: sqlite3.Database, sql: string): Promise<Record<string, unknown>[]> =>
  new Promise((resolve, reject) => conn.all(sql, (err, rows) => (err ? reject(err) : resolve(rows as Record<string, unknown>[]))));

const close = (conn: sqlite3.Database): Promise<void> => new Promise((resolve) => conn.close(() => resolve()));

/** Checks a copy (PRAGMA integrity_check) and reads what the manifest records of it. */
export async function snapshotFacts(file: string): Promise<SnapshotFacts & { integrity: string }> {
  const conn = await openFile(file, sqlite3.OPEN_READONLY);
  try {
    const integrity = (await all(conn, 'PRAGMA integrity_check')).map((r) => String(Object.values(r)[0])).join('; ');
    const tables = new Set((await all(conn, "select name from sqlite_master where type = 'table'")).map((r) => String(r.name)));
    const counts: Record<string, number> = {};
    for (const t of ['users', 'cycles', 'branch_reviews', 'audit', 'outbox', 'timers', 'files']) {
      if (tables.has(t)) counts[t] = Number((await all(conn, `select count(*) as n from ${t}`))[0].n);
    }
    const migrations = tables.has('knex_migrations') ? (await all(conn, 'select name from knex_migrations order by id')).map((r) => String(r.name)) : [];
    const auditHeads = tables.has('audit_chains')
      ? ((await all(conn, 'select chain, seq, last_hash from audit_chains order by chain')) as SnapshotFacts['auditHeads'])
      : [];
    return { integrity, migrations, counts, auditHeads };
  } finally {
    await close(conn);
  }
}

interface SqliteBackup {
  step(pages: number, cb: (err: Error | null) => void): void;
  finish(cb?: (err: Error | null) => void): void;
  readonly completed: boolean;
  readonly failed: boolean;
}

/**
 * Replaces the content of the open database with the copy in `file`, through SQLite's backup API on
 * the database's own connection: the replacement is one write transaction (others wait, then see the
 * restored database), and WAL and -shm files stay consistent.
 */
export async function restoreFrom(db: Db, file: string): Promise<void> {
  if (!sqliteFile(db)) throw new Error('restoreFrom works on SQLite only');
  const conn = (await db.client.acquireConnection()) as sqlite3.Database & {
    backup(filename: string, destName: string, sourceName: string, filenameIsDest: boolean, cb: (err: Error | null) => void): SqliteBackup;
  };
  try {
    const backup = await new Promise<SqliteBackup>((resolve, reject) => {
      const b = conn.backup(file, 'main', 'main', false, (err) => (err ? reject(err) : resolve(b)));
    });
    const finish = () => new Promise<void>((resolve, reject) => backup.finish((err) => (err ? reject(err) : resolve())));
    try {
      // A step that meets another process's lock (BUSY, LOCKED) leaves the backup idle: wait and step again.
      for (let attempt = 0; !backup.completed; attempt++) {
        await new Promise<void>((resolve, reject) => backup.step(-1, (err) => (err ? reject(err) : resolve())));
        if (backup.failed) throw new Error('restore failed');
        if (!backup.completed) {
          if (attempt > 600) throw new Error('restore could not take the database: other processes keep it busy');
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    } finally {
      await finish();
    }
  } finally {
    await db.client.releaseConnection(conn);
  }
}
