// The one place a knex instance is made: SQLite in DATA_DIR by default, PostgreSQL when DATABASE_URL says so.
// Several processes may share one database (README.md: Deployment). On SQLite that needs two things,
// both kept here: every transaction starts as a writer (BEGIN IMMEDIATE), so a second writer waits on
// busy_timeout at its first statement instead of failing when it later tries to write; and whatever
// still answers SQLITE_BUSY is retried — the BEGIN, the COMMIT, a statement outside a transaction, or,
// failing inside one, the whole transaction. On PostgreSQL a transaction chosen as a deadlock's victim
// (or failing serialization) is rolled back whole by the server, and run again here.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import knex, { type Knex } from 'knex';
import { migrationSource } from '../../db/migrations/index';

export type Db = Knex;
export type Tx = Knex | Knex.Transaction;

export interface DbOptions {
  dataDir: string;
  databaseUrl?: string;
  /** PostgreSQL schema to work in (tests make a fresh one each). */
  schema?: string;
  /** How long SQLite waits for another process's write lock before answering SQLITE_BUSY (default 5 s). */
  busyTimeoutMs?: number;
}

/** How long, in all, an SQLITE_BUSY is retried before it is given up. */
const BUSY_RETRY_MS = 60_000;

export const isBusy = (err: unknown): boolean => (err as { code?: string } | undefined)?.code === 'SQLITE_BUSY';
/** deadlock_detected, serialization_failure: the server rolled the transaction back; it may simply run again. */
export const isPgRetryable = (err: unknown): boolean => ['40P01', '40001'].includes(String((err as { code?: string } | undefined)?.code));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const backoff = (attempt: number) => Math.min(10 * 2 ** attempt, 500) * (0.5 + Math.random());

async function retrying<T>(retryable: (err: unknown) => boolean, run: () => Promise<T>): Promise<T> {
  const until = Date.now() + BUSY_RETRY_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (!retryable(err) || Date.now() > until) throw err;
      await sleep(backoff(attempt));
    }
  }
}
const retryBusy = <T>(run: () => Promise<T>) => retrying(isBusy, run);

// knex's own clients and SQLite transaction, extended (knex has no option for BEGIN IMMEDIATE nor for retries).
const require = createRequire(import.meta.url);
const ClientPg = require('knex/lib/dialects/postgres/index.js') as new (config: Knex.Config) => { transaction(...args: unknown[]): unknown };
const ClientSqlite3 = require('knex/lib/dialects/sqlite3/index.js') as new (config: Knex.Config) => object;
const TransactionSqlite = require('knex/lib/dialects/sqlite3/execution/sqlite-transaction.js') as new (...args: unknown[]) => {
  query(conn: unknown, sql: string): Promise<unknown>;
};

class ImmediateTransaction extends TransactionSqlite {
  begin(conn: unknown) {
    return this.query(conn, 'BEGIN IMMEDIATE;');
  }
}

interface SqliteConnection { __knexTxId?: string }

class SqliteClient extends ClientSqlite3 {
  /** A nested transaction is a savepoint of its outer one; a top-level one is retried whole on SQLITE_BUSY. */
  transaction(container: unknown, config: unknown, outerTx?: unknown) {
    if (outerTx || typeof container !== 'function') return new ImmediateTransaction(this, container, config, outerTx);
    return retryBusy(() => new ImmediateTransaction(this, container, config) as unknown as Promise<unknown>);
  }

  /** A statement that answered SQLITE_BUSY did nothing: BEGIN, COMMIT and autocommit statements may simply run again. */
  _query(connection: SqliteConnection, obj: { sql: string }) {
    const run = () => (ClientSqlite3.prototype as { _query(c: unknown, o: unknown): Promise<unknown> })._query.call(this, connection, obj);
    const standalone = !connection?.__knexTxId || /^\s*(BEGIN|COMMIT)\b/i.test(obj.sql);
    return standalone ? retryBusy(run) : run();
  }
}

class PgClient extends ClientPg {
  constructor(config: Knex.Config) {
    super({ ...config, client: 'pg' }); // isPostgres() and the rest read config.client
  }

  /** A top-level transaction that lost a deadlock is run again; a nested one (a savepoint) is its outer one's. */
  transaction(container: unknown, config: unknown, outerTx?: unknown) {
    const begin = () => super.transaction(container, config, outerTx) as Promise<unknown>;
    return outerTx || typeof container !== 'function' ? begin() : retrying(isPgRetryable, begin);
  }
}

export function knexConfig(opts: DbOptions): Knex.Config {
  if (opts.databaseUrl && /^postgres(ql)?:/.test(opts.databaseUrl)) {
    return {
      client: PgClient as unknown as typeof knex.Client,
      connection: opts.databaseUrl,
      searchPath: opts.schema ? [opts.schema] : undefined,
      pool: { min: 0, max: 10 },
      migrations: { migrationSource },
    };
  }
  if (opts.databaseUrl) throw new Error(`DATABASE_URL must be postgres://…, got ${opts.databaseUrl}`);
  const filename = path.join(opts.dataDir, 'shuping.sqlite');
  const busyTimeout = Math.max(0, Math.floor(opts.busyTimeoutMs ?? 5000));
  return {
    client: SqliteClient as unknown as typeof knex.Client,
    connection: { filename },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      afterCreate: (conn: { exec(sql: string, cb: (err: Error | null) => void): void }, done: (err: Error | null, conn: unknown) => void) => {
        conn.exec(`PRAGMA busy_timeout = ${busyTimeout}; PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;`, (err) => done(err, conn));
      },
    },
    migrations: { migrationSource },
  };
}

export function openDb(opts: DbOptions): Db {
  if (!opts.databaseUrl) fs.mkdirSync(opts.dataDir, { recursive: true });
  return knex(knexConfig(opts));
}

/**
 * Brings the schema up to date. Processes starting together on a new database race to create knex's
 * own tables and take its lock; the loser waits and tries again, and then finds nothing left to do.
 */
export async function migrate(db: Db): Promise<string[]> {
  for (let attempt = 0; ; attempt++) {
    try {
      const [, applied] = (await db.migrate.latest()) as [number, string[]];
      return applied;
    } catch (err) {
      const racing = /already locked|already exists|duplicate key|UNIQUE constraint/i.test(String((err as Error).message));
      if (!racing || attempt >= 40) throw err;
      await sleep(250);
    }
  }
}

export const isPostgres = (db: Tx): boolean => db.client.config.client === 'pg';

/** The SQLite file of a database opened by openDb (undefined on PostgreSQL). */
export const sqliteFile = (db: Tx): string | undefined =>
  isPostgres(db) ? undefined : (db.client.config.connection as { filename: string }).filename;
