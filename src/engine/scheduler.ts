// Durable deadlines: one scheduler pass turns each due timer into a DEADLINE_DUE event.
import { findCycle, type CycleRow } from '../store/cycles';
import type { AnyMachineSnapshot } from 'xstate';
import type { CycleRules } from '../domain/schemas';
import { branchReviewsByIds, getBranchReview, type BranchReviewRow } from '../store/branchReviews';
import { isPostgres, type Tx } from '../store/db';
import { claimDueTimers, laterStepDue, markTimer, markTimers, withLaterStepDue, type TimerRow } from '../store/timers';
import { SYSTEM } from './actors';
import { queueOverdueDigests } from './channels';
import { restoreBranch } from './machines';
import { parseConfig, planBranchTransition, recordBranchTransition, TransitionBatch, type EngineDeps } from './transitions';

export interface SchedulerOptions {
  /** How many due timers one transaction claims (default 50). */
  batchSize?: number;
  /** Stops between batches once aborted (graceful shutdown): what was claimed is finished first. */
  signal?: AbortSignal;
  /** Each timer in a savepoint of its own, as a batch whose writing failed is retried (for comparison). */
  oneByOne?: boolean;
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
      if (!batch.length) return 0;
      // Set-based first; should writing the batch fail, each timer is tried again alone below.
      const together = opts.oneByOne ? undefined : await trx.transaction((sp) => fireTogether(sp, deps, batch, now)).catch((err: unknown) => {
        console.error(`timer batch failed, each timer tried alone: ${String((err as Error)?.message ?? err).slice(-300)}`);
        return undefined;
      });
      if (together) {
        result.timersFired += together.fired;
        result.mailsQueued += together.mailsQueued;
        for (const id of together.failed) {
          failed.push(id);
          result.timersFailed++;
        }
        return batch.length;
      }
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

/**
 * A claimed batch in memory, written together: the later steps due, the branches and their people
 * read once; each timer's DEADLINE_DUE planned against its branch as the batch has left it; then the
 * rows, audit records, mails and timer marks written set-based (TransitionBatch). A timer whose
 * planning fails stays pending alone (reported in `failed`); the others go on.
 */
async function fireTogether(trx: Tx, deps: EngineDeps, batch: TimerRow[], now: string): Promise<{ fired: number; mailsQueued: number; failed: number[] }> {
  const later = await withLaterStepDue(trx, batch, now);
  const writes = new TransitionBatch(trx, deps);
  const branches = new Map<number, { branch: BranchReviewRow; snapshot: AnyMachineSnapshot }>();
  const wanted = [...new Set(batch.filter((t) => !later.has(t.id!)).map((t) => t.branch_review_id))];
  for (const branch of await branchReviewsByIds(trx, wanted)) branches.set(branch.id, { branch, snapshot: restoreBranch(branch) });
  await writes.knowPeopleOf([...branches.values()].map((b) => b.branch));
  const cycles = new Map<number, { cycle: CycleRow; config: CycleRules }>();
  const fired: number[] = [];
  const skipped: number[] = [];
  const failed: number[] = [];
  for (const timer of batch) {
    const on = branches.get(timer.branch_review_id);
    const event = { type: 'DEADLINE_DUE', by: 'system', data: { deadline: timer.kind, step: timer.step } };
    if (later.has(timer.id!) || !on || !on.snapshot.can(event as never)) {
      skipped.push(timer.id!);
      continue;
    }
    try {
      let c = cycles.get(on.branch.cycle_id);
      if (!c) {
        const cycle = (await findCycle(trx, on.branch.cycle_id))!;
        cycles.set(cycle.id, (c = { cycle, config: parseConfig(cycle) }));
      }
      const planned = planBranchTransition({ ...c, branch: on.branch, snapshot: on.snapshot, event, actor: SYSTEM, as: 'system', now, people: writes.people });
      if (!TransitionBatch.fits(planned)) throw new Error(`DEADLINE_DUE in ${planned.phase} writes more than a reminder`);
      await writes.add(planned);
      branches.set(on.branch.id, { branch: planned.row, snapshot: planned.next });
      fired.push(timer.id!);
    } catch (err) {
      failed.push(timer.id!);
      console.error(`timer ${timer.id} failed, left pending: ${String((err as Error)?.message ?? err).slice(-300)}`);
    }
  }
  const mailsQueued = await writes.flush();
  await markTimers(trx, fired, 'fired', now);
  await markTimers(trx, skipped, 'skipped', now);
  return { fired: fired.length, mailsQueued, failed };
}
