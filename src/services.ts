// Composition root: settings → database, engine, mail transport, and the scheduler's tick.
import type { Settings } from './config';
import { processResetRequests } from './engine/accounts';
import { Engine } from './engine/index';
import { dispatch } from './mail/dispatcher';
import { transportFor, type MailTransport } from './mail/transport';
import { migrate, openDb, type Db } from './store/db';

export interface TickResult { timersFired: number; mailsQueued: number; mailsSent: number; mailsFailed: number }

export interface Services {
  settings: Settings;
  db: Db;
  engine: Engine;
  transport: MailTransport;
  /** One pass of the deadline scheduler, then of the mail dispatcher, at `now`. */
  tick(now?: string): Promise<TickResult>;
  close(): Promise<void>;
}

export async function openServices(
  settings: Settings,
  opts: { schema?: string; transport?: MailTransport; maxAttempts?: number; backoffSeconds?: number } = {},
): Promise<Services> {
  const db = openDb({ dataDir: settings.dataDir, databaseUrl: settings.databaseUrl, schema: opts.schema });
  await migrate(db);
  const engine = new Engine(db, { baseUrl: settings.baseUrl, mailFrom: settings.mailFrom }, settings.dataDir);
  const transport = opts.transport ?? transportFor(settings);
  return {
    settings,
    db,
    engine,
    transport,
    async tick(now = new Date().toISOString()) {
      const timers = await engine.fireDueTimers(now);
      await processResetRequests(db, { baseUrl: settings.baseUrl, mailFrom: settings.mailFrom }, now);
      const mail = await dispatch(db, transport, now, {
        mailFrom: settings.mailFrom,
        maxAttempts: opts.maxAttempts,
        backoffSeconds: opts.backoffSeconds,
      });
      return { timersFired: timers.timersFired, mailsQueued: timers.mailsQueued, mailsSent: mail.sent, mailsFailed: mail.failed };
    },
    async close() {
      transport.close();
      await db.destroy();
    },
  };
}
