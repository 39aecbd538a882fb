// Finding a cycle or a branch review with the one NOT_FOUND every caller gives, and reading a
// persisted branch snapshot's context without restoring the machine.
import type { BranchReviewContext } from '../../workflows/index';
import { AppError } from '../errors';
import { findBranchReview, findBranchReviewForUpdate, type BranchReviewRow } from '../store/branchReviews';
import { findCycle, type CycleRow } from '../store/cycles';
import type { Tx } from '../store/db';

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

export const contextOf = (b: BranchReviewRow): BranchReviewContext => (JSON.parse(b.snapshot) as { context: BranchReviewContext }).context;
