// /api/health: whether the database answers, and what a person on call looks at first — mail waiting
// or dead in the outbox, and how late the scheduler is (the oldest due timer not yet fired).
import { AppError } from '../errors';
import { isPostgres, type Db } from '../store/db';
import { mailCounts } from '../store/outbox';
import { oldestDueTimer } from '../store/timers';

export interface Health {
  status: 'ok';
  database: 'postgresql' | 'sqlite';
  mail: { queued: number; dead: number };
  /** Seconds since the oldest due, unfired timer was due (null when none is waiting): a stopped scheduler shows here. */
  timers: { oldestDueSeconds: number | null };
}

/** A database that does not answer within this long counts as down. */
const HEALTH_TIMEOUT_MS = 3000;

export async function health(db: Db, now: string): Promise<Health> {
  const database = isPostgres(db) ? 'postgresql' : 'sqlite';
  let timer: NodeJS.Timeout | undefined;
  try {
    const facts = Promise.all([db.raw('select 1'), mailCounts(db), oldestDueTimer(db, now)]);
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${HEALTH_TIMEOUT_MS} ms`)), HEALTH_TIMEOUT_MS);
    });
    const [, mail, oldest] = await Promise.race([facts, late]);
    return {
      status: 'ok',
      database,
      mail: { queued: mail.queued ?? 0, dead: mail.dead ?? 0 },
      timers: { oldestDueSeconds: oldest ? Math.max(0, Math.round((Date.parse(now) - Date.parse(oldest)) / 1000)) : null },
    };
  } catch (err) {
    throw new AppError('UNAVAILABLE', `数据库无应答 (database not answering): ${String((err as Error)?.message ?? err).slice(0, 200)}`, { database });
  } finally {
    clearTimeout(timer);
  }
}
