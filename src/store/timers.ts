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
 * Takes up to `limit` of the earliest due pending timers and locks them for this transaction. On
 * PostgreSQL their branch reviews are locked with them, and rows another transaction holds are
 * skipped (SKIP LOCKED): other schedulers take the next ones, and a timer whose branch is taking an
 * event waits for a later batch. Locking the branch first, as every event does before it touches the
 * branch's timers (EXTEND_DEADLINE cancels them), keeps one lock order and so no deadlock. On SQLite
 * the transaction already holds the database's one write lock (BEGIN IMMEDIATE, src/store/db.ts).
 */
export async function claimDueTimers(trx: Tx, now: string, limit: number, skipIds: number[] = []): Promise<TimerRow[]> {
  if (!isPostgres(trx)) {
    return trx<TimerRow>('timers').where({ status: 'pending' }).andWhere('due_at', '<=', now).whereNotIn('id', skipIds).orderBy('due_at').orderBy('id').limit(limit);
  }
  return trx<TimerRow>('timers as t')
    .join('branch_reviews as b', 'b.id', 't.branch_review_id')
    .where('t.status', 'pending')
    .andWhere('t.due_at', '<=', now)
    .whereNotIn('t.id', skipIds)
    .orderBy('t.due_at')
    .orderBy('t.id')
    .limit(limit)
    .select('t.*')
    .forUpdate('t', 'b')
    .skipLocked();
}

/**
 * Whether a later step of the same deadline is also due (or already fired): after the clock jumps
 * past several steps at once, only the latest is sent, the earlier ones are stale.
 */
export async function laterStepDue(db: Tx, timer: TimerRow, now: string): Promise<boolean> {
  const row = await db('timers')
    .where({ branch_review_id: timer.branch_review_id, kind: timer.kind, deadline_at: timer.deadline_at })
    .whereIn('status', ['pending', 'fired'])
    .andWhere('due_at', '>', timer.due_at)
    .andWhere('due_at', '<=', now)
    .first('id');
  return row !== undefined;
}

/** The due time of the earliest timer that is due at `now` and not yet fired (for /api/health). */
export async function oldestDueTimer(db: Tx, now: string): Promise<string | undefined> {
  const row = (await db('timers').where({ status: 'pending' }).andWhere('due_at', '<=', now).min({ due: 'due_at' }).first()) as { due: string | null } | undefined;
  return row?.due ?? undefined;
}

/**
 * For a claimed batch: which timers have a later step of the same deadline also due (or already
 * fired), in one read. Timers come in due order, so a later step of one is never decided before it.
 */
export async function withLaterStepDue(db: Tx, timers: TimerRow[], now: string): Promise<Set<number>> {
  const later = new Set<number>();
  const ids = [...new Set(timers.map((t) => t.branch_review_id))];
  const due: Pick<TimerRow, 'branch_review_id' | 'kind' | 'deadline_at' | 'due_at'>[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    due.push(
      ...(await db('timers')
        .whereIn('branch_review_id', ids.slice(i, i + 500))
        .whereIn('status', ['pending', 'fired'])
        .andWhere('due_at', '<=', now)
        .select('branch_review_id', 'kind', 'deadline_at', 'due_at')),
    );
  }
  const latest = new Map<string, string>();
  const key = (t: Pick<TimerRow, 'branch_review_id' | 'kind' | 'deadline_at'>) => `${t.branch_review_id}|${t.kind}|${t.deadline_at}`;
  for (const t of due) if ((latest.get(key(t)) ?? '') < t.due_at) latest.set(key(t), t.due_at);
  for (const t of timers) if ((latest.get(key(t)) ?? '') > t.due_at) later.add(t.id!);
  return later;
}

export async function markTimers(db: Tx, ids: number[], status: TimerRow['status'], at: string): Promise<void> {
  for (let i = 0; i < ids.length; i += 500) await db('timers').whereIn('id', ids.slice(i, i + 500)).update({ status, fired_at: at });
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
