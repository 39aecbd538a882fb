// Composition root: settings → database, engine, mail transport, logger, and the scheduler's tick.
import pino, { type Logger } from 'pino';
import type { Settings } from './config';
import { processResetRequests } from './engine/accounts';
import { Engine } from './engine/index';
import { dispatch } from './mail/dispatcher';
import { transportFor, type MailTransport } from './mail/transport';
import { migrate, openDb, type Db } from './store/db';

export interface TickResult { timersFired: number; mailsQueued: number; mailsSent: number; mailsFailed: number }

export interface TickOptions {
  /** Graceful shutdown: the transaction and the mail in flight finish, nothing new is claimed. */
  signal?: AbortSignal;
}

export interface Services {
  settings: Settings;
  db: Db;
  engine: Engine;
  transport: MailTransport;
  /** Structured logs (pino) at LOG_LEVEL. */
  log: Logger;
  /** One pass of the deadline scheduler, then of the mail dispatcher, at `now`. */
  tick(now?: string, opts?: TickOptions): Promise<TickResult>;
  close(): Promise<void>;
}

export async function openServices(
  settings: Settings,
  opts: { schema?: string; transport?: MailTransport; maxAttempts?: number; backoffSeconds?: number; busyTimeoutMs?: number } = {},
): Promise<Services> {
  const db = openDb({ dataDir: settings.dataDir, databaseUrl: settings.databaseUrl, schema: opts.schema, busyTimeoutMs: opts.busyTimeoutMs });
  await migrate(db);
  const engine = new Engine(db, { baseUrl: settings.baseUrl, mailFrom: settings.mailFrom }, settings.dataDir);
  const transport = opts.transport ?? transportFor(settings);
  const log = pino({ name: 'shuping', level: settings.logLevel });
  return {
    settings,
    db,
    engine,
    transport,
    log,
    async tick(now = new Date().toISOString(), tickOpts: TickOptions = {}) {
      const { signal } = tickOpts;
      const timers = await engine.fireDueTimers(now, { signal });
      if (!signal?.aborted) await processResetRequests(db, { baseUrl: settings.baseUrl, mailFrom: settings.mailFrom }, now);
      const mail = await dispatch(db, transport, now, {
        mailFrom: settings.mailFrom,
        maxAttempts: opts.maxAttempts,
        backoffSeconds: opts.backoffSeconds,
        signal,
      });
      return { timersFired: timers.timersFired, mailsQueued: timers.mailsQueued, mailsSent: mail.sent, mailsFailed: mail.failed };
    },
    async close() {
      transport.close();
      await db.destroy();
    },
  };
}
