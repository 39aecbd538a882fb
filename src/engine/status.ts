// Read models for `status` (CLI and API): the shapes of DESIGN.md's contracts.
import { bindingDeadline, type BranchReviewContext, type DeadlineKind } from '../../workflows/index';
import { isOverdue } from '../domain/deadlines';
import { branchHistory } from '../store/audit';
import { countByPhase, listBranchReviews, type BranchReviewRow } from '../store/branchReviews';
import type { CycleRow } from '../store/cycles';
import type { Tx } from '../store/db';
import { contextOf, requireBranch, requireCycle } from './lookup';
import { allowedEvents, restore } from './machines';

const cycleHead = (c: CycleRow) => ({ id: c.id, year: c.year, title: c.title, state: c.state });


/** Deadline kinds that bind the branch in its phase and have passed (at most one: a phase binds one deadline). */
export function overdueKinds(phase: string, ctx: BranchReviewContext, now: string): DeadlineKind[] {
  const kind = bindingDeadline(phase);
  return kind !== null && isOverdue(ctx.deadlines[kind], now) ? [kind] : [];
}

const resultFields = (b: BranchReviewRow) =>
  b.final_score === null ? {} : { score: Number(b.final_score), grade: b.grade, rank: b.rank };

export async function cycleStatus(db: Tx, ref: string | number, now: string) {
  const cycle = await requireCycle(db, ref);
  const branches = await listBranchReviews(db, cycle.id);
  return {
    cycle: cycleHead(cycle),
    counts: await countByPhase(db, cycle.id),
    branches: branches.map((b) => ({
      code: b.code,
      name: b.name,
      phase: b.phase,
      state: b.state,
      version: b.version,
      overdue: overdueKinds(b.phase, contextOf(b), now),
      ...resultFields(b),
    })),
  };
}

export async function branchStatus(db: Tx, ref: string | number, code: string, now: string) {
  const b = await requireBranch(db, await requireCycle(db, ref), code);
  const snapshot = restore('branchReview', b.workflow_version, b.snapshot);
  const ctx = snapshot.context as BranchReviewContext;
  const history = await branchHistory(db, b.id);
  return {
    branch: {
      code: b.code,
      name: b.name,
      phase: b.phase,
      state: b.state,
      version: b.version,
      allowedEvents: allowedEvents(snapshot),
      deadlines: ctx.deadlines,
      overdue: overdueKinds(b.phase, ctx, now),
      materials: ctx.materials,
      planItems: ctx.planItems.map(({ id, problem, measure, owner, dueDate, status }) => ({ id, problem, measure, owner, dueDate, status })),
      ...resultFields(b),
      ...(ctx.result ? { scoreSheet: ctx.result.scoreSheet } : {}),
      history: history.map((h) => ({
        at: h.at,
        actor: h.actor,
        event: h.event_type,
        from: h.from_state,
        to: h.to_state,
        version: h.version,
        // Individual scores stay private (评分保密): the history says a score came in, not what it was.
        data: h.event_type === 'SUBMIT_SCORE' || h.data === null ? null : JSON.parse(h.data),
      })),
    },
  };
}
