// Finding a cycle or a branch review with the one NOT_FOUND every caller gives, reading a persisted
// branch snapshot's context without restoring the machine, and a branch with the actor's standing.
import type { BranchReviewContext } from '../../workflows/index';
import { AppError } from '../errors';
import { findBranchReview, findBranchReviewForUpdate, findBranchWithCycle, type BranchReviewRow } from '../store/branchReviews';
import { findCycle, type CycleRow } from '../store/cycles';
import type { Tx } from '../store/db';
import type { Actor } from './actors';
import { restoreBranch } from './machines';
import { standingOn } from './policy';

export async function requireCycle(db: Tx, ref: string | number): Promise<CycleRow> {
  const cycle = await findCycle(db, ref);
  if (!cycle) throw new AppError('NOT_FOUND', `没有该述评周期 (cycle ${ref} not found)`);
  return cycle;
}

/** `forUpdate` locks the row on PostgreSQL for the rest of the transaction. */
export async function requireBranch(db: Tx, cycle: CycleRow, code: string, forUpdate = false): Promise<BranchReviewRow> {
  const branch = await (forUpdate ? findBranchReviewForUpdate : findBranchReview)(db, cycle.id, code);
  if (!branch) throw new AppError('NOT_FOUND', `本周期没有编号为 ${code} 的支部 (branch ${code} not found)`);
  return branch;
}

/** The cycle and the branch review in one read; a missing one gets the NOT_FOUND it would alone. */
export async function requireCycleAndBranch(db: Tx, ref: string | number, code: string, forUpdate = false): Promise<{ cycle: CycleRow; branch: BranchReviewRow }> {
  const found = await findBranchWithCycle(db, ref, code, forUpdate);
  if (found) return found;
  const cycle = await requireCycle(db, ref);
  return { cycle, branch: await requireBranch(db, cycle, code, forUpdate) };
}

export const contextOf = (b: BranchReviewRow): BranchReviewContext => (JSON.parse(b.snapshot) as { context: BranchReviewContext }).context;

/**
 * A branch review as a use case needs it: its cycle, the row (locked with `forUpdate`), the restored
 * snapshot and context, and the actor's standing on it for the policy.
 */
export async function branchOnRecord(db: Tx, ref: string | number, code: string, actor: Actor, forUpdate = false) {
  const { cycle, branch } = await requireCycleAndBranch(db, ref, code, forUpdate);
  const snapshot = restoreBranch(branch);
  const ctx = snapshot.context as BranchReviewContext;
  return { cycle, branch, snapshot, ctx, standing: standingOn(actor, branch, ctx) };
}
