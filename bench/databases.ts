// Fresh databases for one run: SQLite files in a temporary directory, or throwaway schemas in the
// PostgreSQL database named by --pg-url / BENCH_DATABASE_URL. The engine and the baseline each get
// their own (same migrations, same pool), so each writes the same rows into an equal database.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knex, { type Knex } from 'knex';
import { loadSettings } from '../src/config';
import { openServices, type Services } from '../src/services';

export type Dialect = 'sqlite' | 'postgres';

export const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface Side {
  services: Services;
  db: Knex;
  pg: boolean;
  /** the PostgreSQL schema, when on PostgreSQL */
  schema?: string;
}

export class Databases {
  private readonly root = fs.mkdtempSync(path.join(os.tmpdir(), 'shuping-bench-'));
  private readonly tag = randomBytes(4).toString('hex');
  private readonly schemas: string[] = [];
  private readonly opened: Services[] = [];

  constructor(
    readonly dialect: Dialect,
    readonly pgUrl: string = DEFAULT_PG_URL,
  ) {}

  private admin(): Knex {
    return knex({ client: 'pg', connection: this.pgUrl, pool: { min: 0, max: 1 } });
  }

  /** A migrated database named `name` (one per side and pass), with the SMTP server's URL if given. */
  async open(name: string, smtpUrl?: string): Promise<Side> {
    const dataDir = path.join(this.root, name);
    fs.mkdirSync(dataDir, { recursive: true });
    let schema: string | undefined;
    if (this.dialect === 'postgres') {
      schema = `bench_${this.tag}_${name}`.replace(/[^a-z0-9_]/g, '_');
      const admin = this.admin();
      try {
        await admin.raw(`create schema ${schema}`);
      } finally {
        await admin.destroy();
      }
      this.schemas.push(schema);
    }
    const settings = loadSettings({
      DATA_DIR: dataDir,
      DATABASE_URL: this.dialect === 'postgres' ? this.pgUrl : undefined,
      SMTP_URL: smtpUrl,
      BASE_URL: 'http://bench.example.org',
      MAIL_FROM: '述评系统 <shuping@example.org>',
      LOG_LEVEL: 'silent',
    });
    const services = await openServices(settings, { schema });
    this.opened.push(services);
    return { services, db: services.db, pg: this.dialect === 'postgres', schema };
  }

  async close(side: Side): Promise<void> {
    const i = this.opened.indexOf(side.services);
    if (i >= 0) {
      this.opened.splice(i, 1);
      await side.services.close();
    }
  }

  /** Closes what is open and removes every file and schema of the run. */
  async cleanup(): Promise<void> {
    for (const s of this.opened.splice(0)) await s.close().catch(() => {});
    if (this.schemas.length) {
      const admin = this.admin();
      try {
        for (const s of this.schemas) await admin.raw(`drop schema if exists ${s} cascade`).catch(() => {});
      } finally {
        await admin.destroy();
      }
    }
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

/** Every table's row count (knex's own tables aside): the engine's database and the baseline's should agree. */
export async function rowCounts(side: Side): Promise<Map<string, number>> {
  const names: string[] = side.pg
    ? (await side.db('information_schema.tables').where({ table_schema: side.schema, table_type: 'BASE TABLE' }).select('table_name')).map(
        (r: { table_name: string }) => r.table_name,
      )
    : (await side.db('sqlite_master').where({ type: 'table' }).select('name')).map((r: { name: string }) => r.name);
  const counts = new Map<string, number>();
  for (const t of names.filter((n) => !n.startsWith('knex_') && !n.startsWith('sqlite_')).sort()) {
    const [{ n }] = await side.db(t).count({ n: '*' });
    counts.set(t, Number(n));
  }
  return counts;
}

/** The tables whose counts differ, as `table engine/baseline`. */
export function countDifferences(engine: Map<string, number>, baseline: Map<string, number>, ignore: string[] = []): string[] {
  const out: string[] = [];
  for (const t of new Set([...engine.keys(), ...baseline.keys()])) {
    if (ignore.includes(t)) continue;
    const a = engine.get(t) ?? 0;
    const b = baseline.get(t) ?? 0;
    if (a !== b) out.push(`${t} ${a}/${b}`);
  }
  return out;
}
