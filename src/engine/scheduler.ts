// Durable deadlines: one scheduler pass turns each due timer into a DEADLINE_DUE event.
import { findCycle } from '../store/cycles';
import { getBranchReview } from '../store/branchReviews';
import { claimDueTimer, markTimer } from '../store/timers';
import { SYSTEM } from './actors';
import { restore } from './machines';
import { parseConfig, recordBranchTransition, type EngineDeps } from './transitions';

/**
 * Each due timer becomes a DEADLINE_DUE event in its own transaction, and the timer is marked in that
 * same transaction, so a second pass at the same instant fires nothing.
 */
export async function fireDueTimers(deps: EngineDeps, now: string): Promise<{ timersFired: number; mailsQueued: number; timersFailed: number }> {
  let timersFired = 0;
  let mailsQueued = 0;
  // A timer whose event fails stays pending for the next pass; it must not stop the others in this one.
  const failed: number[] = [];
  for (;;) {
    let current: number | undefined;
    const fired = await deps.db
      .transaction(async (trx) => {
        const timer = await claimDueTimer(trx, now, failed);
        if (!timer) return false;
        current = timer.id;
        const branch = (await getBranchReview(trx, timer.branch_review_id, true))!;
        const cycle = (await findCycle(trx, branch.cycle_id))!;
        const snapshot = restore('branchReview', branch.workflow_version, branch.snapshot);
        const event = { type: 'DEADLINE_DUE', by: 'system', data: { deadline: timer.kind, step: timer.step } };
        // A deadline that no longer binds (the work was done, the branch moved on) is skipped, not an error.
        if (!snapshot.can(event as never)) {
          await markTimer(trx, timer.id!, 'skipped', now);
          return true;
        }
        const res = await recordBranchTransition(trx, deps, { cycle, config: parseConfig(cycle), branch, snapshot, event, actor: SYSTEM, as: 'system', now });
        await markTimer(trx, timer.id!, 'fired', now);
        return res.mailsQueued;
      })
      .catch((err: unknown) => {
        if (current === undefined) throw err;
        failed.push(current);
        console.error(`timer ${current} failed, left pending: ${String((err as Error).message ?? err).slice(-300)}`);
        return true;
      });
    if (fired === false) break;
    if (typeof fired === 'number') {
      timersFired++;
      mailsQueued += fired;
    }
  }
  return { timersFired, mailsQueued, timersFailed: failed.length };
}
