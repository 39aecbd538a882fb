// `status --cycle` (CLI and API): the contract's shape. Overdue is derived, not stored.
import { bindingDeadline, type BranchReviewContext, type DeadlineKind } from '../../workflows/index';
import { isOverdue } from '../domain/deadlines';
import { countByPhase, listBranchReviews, type BranchReviewRow } from '../store/branchReviews';
import type { Tx } from '../store/db';
import type { Actor } from './actors';
import { contextOf, requireCycle } from './lookup';
import { authorize } from './policy';

/** Deadline kinds that bind the branch in its phase and have passed (at most one: a phase binds one deadline). */
export function overdueKinds(phase: string, ctx: BranchReviewContext, now: string): DeadlineKind[] {
  const kind = bindingDeadline(phase);
  return kind !== null && isOverdue(ctx.deadlines[kind], now) ? [kind] : [];
}

const resultFields = (b: BranchReviewRow) =>
  b.final_score === null ? {} : { score: Number(b.final_score), grade: b.grade, rank: b.rank };

export async function cycleStatus(db: Tx, ref: string | number, actor: Actor, now: string) {
  const cycle = await requireCycle(db, ref);
  authorize(actor, 'VIEW_CYCLE');
  const branches = await listBranchReviews(db, cycle.id);
  return {
    cycle: { id: cycle.id, year: cycle.year, title: cycle.title, state: cycle.state },
    counts: await countByPhase(db, cycle.id),
    branches: branches.map((b) => ({
      code: b.code,
      name: b.name,
      segment: b.segment,
      phase: b.phase,
      state: b.state,
      version: b.version,
      overdue: overdueKinds(b.phase, contextOf(b), now),
      ...resultFields(b),
    })),
  };
}
