// Durable deadlines: one scheduler pass turns each due timer into a DEADLINE_DUE event.
import { findCycle } from '../store/cycles';
import { getBranchReview } from '../store/branchReviews';
import { isPostgres, type Tx } from '../store/db';
import { claimDueTimers, laterStepDue, markTimer, type TimerRow } from '../store/timers';
import { SYSTEM } from './actors';
import { queueOverdueDigests } from './channels';
import { restoreBranch } from './machines';
import { parseConfig, recordBranchTransition, type EngineDeps } from './transitions';

export interface SchedulerOptions {
  /** How many due timers one transaction claims (default 50). */
  batchSize?: number;
  /** Stops between batches once aborted (graceful shutdown): what was claimed is finished first. */
  signal?: AbortSignal;
}

/** Longer than SQLite's longest busy-handler sleep (100 ms). */
const SQLITE_YIELD_MS = 120;

export interface SchedulerResult { timersFired: number; mailsQueued: number; timersFailed: number }

/**
 * Claims due timers in batches, one transaction per batch (locked with SKIP LOCKED on PostgreSQL, the
 * write lock on SQLite), so several schedulers share the work and each timer fires once. Each timer is
 * handled in a savepoint of its own: its DEADLINE_DUE event and its mark commit together, and one that
 * fails is rolled back alone and stays pending for the next pass, without stopping the others.
 * When the clock has jumped past several steps of one deadline, only the latest is sent; the earlier
 * ones are marked skipped, as is a deadline that no longer binds (the branch moved on).
 */
export async function fireDueTimers(deps: EngineDeps, now: string, opts: SchedulerOptions = {}): Promise<SchedulerResult> {
  const result: SchedulerResult = { timersFired: 0, mailsQueued: 0, timersFailed: 0 };
  const failed: number[] = [];
  // On SQLite the gap between batches costs time, so batches are larger there (the write lock is then
  // held for a few hundred milliseconds, well inside other writers' busy timeout).
  const batchSize = opts.batchSize ?? (isPostgres(deps.db) ? 50 : 250);
  while (!opts.signal?.aborted) {
    const claimed = await deps.db.transaction(async (trx) => {
      const batch = await claimDueTimers(trx, now, batchSize, failed);
      for (const timer of batch) {
        try {
          const outcome = await trx.transaction((sp) => fireOne(sp, deps, timer, now));
          if (outcome !== 'skipped') {
            result.timersFired++;
            result.mailsQueued += outcome;
          }
        } catch (err) {
          failed.push(timer.id!);
          result.timersFailed++;
          console.error(`timer ${timer.id} failed, left pending: ${String((err as Error)?.message ?? err).slice(-300)}`);
        }
      }
      return batch.length;
    });
    if (!claimed) break;
    // SQLite has one write lock: leave a gap between full batches so that other processes' writers,
    // polling in their busy handler, get their turn instead of waiting for the whole pass.
    if (claimed === batchSize && !isPostgres(deps.db)) await new Promise((r) => setTimeout(r, SQLITE_YIELD_MS));
  }
  // 群通知: the day's digest of overdue branches to the cycles' group robots (once a day, by its key).
  if (!opts.signal?.aborted) {
    try {
      await queueOverdueDigests(deps, now);
    } catch (err) {
      console.error(`overdue digest failed, tried again next tick: ${String((err as Error)?.message ?? err).slice(-300)}`);
    }
  }
  return result;
}

async function fireOne(trx: Tx, deps: EngineDeps, timer: TimerRow, now: string): Promise<'skipped' | number> {
  if (await laterStepDue(trx, timer, now)) {
    await markTimer(trx, timer.id!, 'skipped', now);
    return 'skipped';
  }
  const branch = (await getBranchReview(trx, timer.branch_review_id, true))!;
  const cycle = (await findCycle(trx, branch.cycle_id))!;
  const snapshot = restoreBranch(branch);
  const event = { type: 'DEADLINE_DUE', by: 'system', data: { deadline: timer.kind, step: timer.step } };
  if (!snapshot.can(event as never)) {
    await markTimer(trx, timer.id!, 'skipped', now);
    return 'skipped';
  }
  const res = await recordBranchTransition(trx, deps, { cycle, config: parseConfig(cycle), branch, snapshot, event, actor: SYSTEM, as: 'system', now });
  await markTimer(trx, timer.id!, 'fired', now);
  return res.mailsQueued;
}
