// The one place a knex instance is made: SQLite in DATA_DIR by default, PostgreSQL when DATABASE_URL says so.
import fs from 'node:fs';
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
}

export function knexConfig(opts: DbOptions): Knex.Config {
  if (opts.databaseUrl && /^postgres(ql)?:/.test(opts.databaseUrl)) {
    return {
      client: 'pg',
      connection: opts.databaseUrl,
      searchPath: opts.schema ? [opts.schema] : undefined,
      pool: { min: 0, max: 10 },
      migrations: { migrationSource },
    };
  }
  if (opts.databaseUrl) throw new Error(`DATABASE_URL must be postgres://…, got ${opts.databaseUrl}`);
  const filename = path.join(opts.dataDir, 'shuping.sqlite');
  return {
    client: 'sqlite3',
    connection: { filename },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      afterCreate: (conn: { exec(sql: string, cb: (err: Error | null) => void): void }, done: (err: Error | null, conn: unknown) => void) => {
        conn.exec('PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;', (err) => done(err, conn));
      },
    },
    migrations: { migrationSource },
  };
}

export function openDb(opts: DbOptions): Db {
  if (!opts.databaseUrl) fs.mkdirSync(opts.dataDir, { recursive: true });
  return knex(knexConfig(opts));
}

export async function migrate(db: Db): Promise<string[]> {
  const [, applied] = (await db.migrate.latest()) as [number, string[]];
  return applied;
}

export const isPostgres = (db: Tx): boolean => db.client.config.client === 'pg';
