// Every test gets its own database: a temp SQLite file, or a fresh schema on the PostgreSQL server.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import knex from 'knex';
import { loadSettings, type Settings } from '../../src/config';
import type { MailTransport } from '../../src/mail/transport';
import { openServices, type Services } from '../../src/services';

export type Dialect = 'sqlite' | 'postgres';

/** Set by test/support/globalSetup.ts when a PostgreSQL server answers. */
export const pgUrl = process.env.TEST_DATABASE_URL;
export const dialects: Dialect[] = pgUrl ? ['sqlite', 'postgres'] : ['sqlite'];

export interface TestEnv {
  services: Services;
  settings: Settings;
  dataDir: string;
  dialect: Dialect;
  schema?: string;
  cleanup(): Promise<void>;
}

export async function makeTestEnv(
  dialect: Dialect,
  opts: { smtpUrl?: string; transport?: MailTransport; maxAttempts?: number; backoffSeconds?: number } = {},
): Promise<TestEnv> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shuping-test-'));
  let schema: string | undefined;
  if (dialect === 'postgres') {
    schema = `t_${randomBytes(6).toString('hex')}`;
    const admin = knex({ client: 'pg', connection: pgUrl });
    await admin.raw(`create schema ${schema}`);
    await admin.destroy();
  }
  const settings = loadSettings({
    DATA_DIR: dataDir,
    DATABASE_URL: dialect === 'postgres' ? pgUrl : undefined,
    SMTP_URL: opts.smtpUrl,
    BASE_URL: 'http://shuping.test',
    MAIL_FROM: '述评系统 <shuping@example.org>',
    // The in-process tests stand in for a proxy on the loopback (X-Forwarded-For names the client), and log nothing.
    TRUST_PROXY: 'loopback',
    LOG_LEVEL: 'silent',
  });
  const services = await openServices(settings, { schema, transport: opts.transport, maxAttempts: opts.maxAttempts, backoffSeconds: opts.backoffSeconds });
  return {
    services,
    settings,
    dataDir,
    dialect,
    schema,
    async cleanup() {
      await services.close();
      if (schema) {
        const admin = knex({ client: 'pg', connection: pgUrl });
        await admin.raw(`drop schema ${schema} cascade`);
        await admin.destroy();
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The environment a CLI process would get for this test's database. */
export function cliEnv(env: TestEnv, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const url = env.schema ? `${pgUrl}${pgUrl!.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${env.schema}`)}` : undefined;
  return {
    PATH: process.env.PATH,
    DATA_DIR: env.dataDir,
    BASE_URL: env.settings.baseUrl,
    MAIL_FROM: env.settings.mailFrom,
    ...(url ? { DATABASE_URL: url } : {}),
    ...(env.settings.smtpUrl ? { SMTP_URL: env.settings.smtpUrl } : {}),
    ...extra,
  };
}
