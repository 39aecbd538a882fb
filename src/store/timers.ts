import type { Tx } from './db';
import { isPostgres } from './db';

export interface TimerRow {
  id?: number;
  cycle_id: number;
  branch_review_id: number;
  kind: string;
  step: string;
  deadline_at: string;
  due_at: string;
  status: 'pending' | 'fired' | 'skipped' | 'cancelled';
  fired_at: string | null;
}

export async function insertTimers(db: Tx, rows: TimerRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) await db('timers').insert(rows.slice(i, i + 200));
}

/**
 * Takes the earliest due pending timer and locks it for this transaction; other workers
 * on the same PostgreSQL skip it (SKIP LOCKED). SQLite has one writer, so no lock is needed.
 */
export async function claimDueTimer(trx: Tx, now: string, skipIds: number[] = []): Promise<TimerRow | undefined> {
  const q = trx<TimerRow>('timers').where({ status: 'pending' }).andWhere('due_at', '<=', now).whereNotIn('id', skipIds).orderBy('due_at').orderBy('id').first();
  return isPostgres(trx) ? q.forUpdate().skipLocked() : q;
}

export async function markTimer(db: Tx, id: number, status: TimerRow['status'], at: string): Promise<void> {
  await db('timers').where({ id }).update({ status, fired_at: at });
}

/** EXTEND_DEADLINE: the old pending reminders are kept as history, marked cancelled. */
export async function cancelPendingTimers(db: Tx, branchReviewId: number, kind: string, at: string): Promise<number> {
  return db('timers').where({ branch_review_id: branchReviewId, kind, status: 'pending' }).update({ status: 'cancelled', fired_at: at });
}

export const timersOf = (db: Tx, branchReviewId: number): Promise<TimerRow[]> =>
  db<TimerRow>('timers').where({ branch_review_id: branchReviewId }).orderBy('due_at').orderBy('id');
