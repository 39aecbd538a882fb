// What the branch page and the task list show besides the branch view: the notice (topics,
// deadlines, the meeting) and which of a secretary's branches had their report or plan returned.
import { PHASES, scoringOpen, type BranchReviewContext } from '../../workflows/index';
import { branchReviewsOfSecretary } from '../store/branchReviews';
import { branchSnapshotsIn } from '../store/cycles';
import type { Tx } from '../store/db';
import type { Actor } from './actors';
import { contextOf, requireCycle } from './lookup';
import { authorize } from './policy';
import { parseConfig } from './transitions';
import { readableBranch } from './views';

/** The notice as the cycle set it: read by whoever may read the branch. */
export async function branchNotice(db: Tx, ref: string | number, code: string, actor: Actor) {
  const { cycle } = await readableBranch(db, ref, code, actor);
  const config = parseConfig(cycle);
  return {
    topics: config.topics ?? [],
    meeting: config.meeting ? { at: config.meeting.at, place: config.meeting.place, host: config.meeting.host ?? null } : null,
  };
}

/** Why a branch is back with its secretary, if it was returned and not resubmitted yet. */
export function returnedReason(phase: string, ctx: BranchReviewContext): { what: 'materials' | 'plan'; reason: string } | null {
  if (phase === 'preparing' && ctx.materialsReturns.length) return { what: 'materials', reason: ctx.materialsReturns.at(-1)!.reason };
  if (phase === 'improvementPlanning' && ctx.planReturns.length) return { what: 'plan', reason: ctx.planReturns.at(-1)!.reason };
  return null;
}

/** `${cycleId}:${code}` of the actor's branches that were returned (已退回) and wait for a new submission. */
export async function returnedBranches(db: Tx, actor: Actor): Promise<string[]> {
  if (actor.id === null) return [];
  const rows = await branchReviewsOfSecretary(db, actor.id);
  return rows.filter((b) => returnedReason(b.phase, contextOf(b))).map((b) => `${b.cycle_id}:${b.code}`);
}

/**
 * 已评 n/m on the board: for each branch where scoring is open, how many expected evaluators have
 * scored; of the given codes only (the board's page), so that a page does not parse every snapshot.
 */
export async function scoringProgress(db: Tx, ref: string | number, actor: Actor, codes?: string[]): Promise<Record<string, { done: number; total: number }>> {
  authorize(actor, 'VIEW_CYCLE');
  const cycle = await requireCycle(db, ref);
  const rows = await branchSnapshotsIn(db, cycle.id, PHASES.filter((p) => scoringOpen(p)), codes);
  return Object.fromEntries(
    rows.map((r) => {
      const ctx = (JSON.parse(r.snapshot) as { context: BranchReviewContext }).context;
      return [r.code, { done: Object.keys(ctx.scores).filter((id) => ctx.expectedEvaluators.includes(id)).length, total: ctx.expectedEvaluators.length }];
    }),
  );
}
