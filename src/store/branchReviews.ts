import type { Tx } from './db';
import { isPostgres } from './db';

export interface BranchReviewRow {
  id: number;
  cycle_id: number;
  code: string;
  name: string;
  secretary_id: number;
  deputy_id: number | null;
  phase: string;
  state: string;
  snapshot: string;
  version: number;
  workflow_version: number;
  final_score: number | string | null;
  grade: string | null;
  rank: number | null;
  /** The deadline that binds the branch in its phase, if any (kept for SQL: overdue is deadline_at < now). */
  deadline_kind: string | null;
  deadline_at: string | null;
  created_at: string;
  updated_at: string;
}

export async function insertBranchReviews(db: Tx, rows: Omit<BranchReviewRow, 'id'>[]): Promise<BranchReviewRow[]> {
  if (!rows.length) return [];
  const ids = await db('branch_reviews').insert(rows).returning('id');
  return rows.map((r, i) => ({ ...r, id: typeof ids[i] === 'object' ? ids[i].id : ids[i] }));
}

export const findBranchReview = (db: Tx, cycleId: number, code: string): Promise<BranchReviewRow | undefined> =>
  db<BranchReviewRow>('branch_reviews').where({ cycle_id: cycleId, code }).first();

export function getBranchReview(db: Tx, id: number, forUpdate = false): Promise<BranchReviewRow | undefined> {
  const q = db<BranchReviewRow>('branch_reviews').where({ id }).first();
  return forUpdate && isPostgres(db) ? q.forUpdate() : q;
}

export function listBranchReviews(db: Tx, cycleId: number, forUpdate = false): Promise<BranchReviewRow[]> {
  const q = db<BranchReviewRow>('branch_reviews').where({ cycle_id: cycleId }).orderBy('code');
  return forUpdate && isPostgres(db) ? q.forUpdate() : q;
}

export async function branchCodes(db: Tx, cycleId: number): Promise<Set<string>> {
  const rows = await db('branch_reviews').where({ cycle_id: cycleId }).select('code');
  return new Set(rows.map((r: { code: string }) => r.code));
}

/** Optimistic write (乐观锁): false when the version moved since it was read. */
export async function updateBranchReview(db: Tx, id: number, expectedVersion: number, patch: Partial<BranchReviewRow>): Promise<boolean> {
  const n = await db('branch_reviews').where({ id, version: expectedVersion }).update({ ...patch, version: expectedVersion + 1 });
  return n === 1;
}

export async function countByPhase(db: Tx, cycleId: number): Promise<Record<string, number>> {
  const rows = await db('branch_reviews').where({ cycle_id: cycleId }).groupBy('phase').select('phase').count({ n: '*' });
  return Object.fromEntries((rows as { phase: string; n: number | string }[]).map((r) => [r.phase, Number(r.n)]));
}

/**
 * Reads a branch review for an update in this transaction. On PostgreSQL the row is locked, so
 * concurrent writers queue instead of racing; SQLite has a single writer already.
 */
export function findBranchReviewForUpdate(db: Tx, cycleId: number, code: string): Promise<BranchReviewRow | undefined> {
  const q = db<BranchReviewRow>('branch_reviews').where({ cycle_id: cycleId, code }).first();
  return isPostgres(db) ? q.forUpdate() : q;
}

/** The branch reviews a person acts on as secretary or deputy, newest cycle first. */
export const branchReviewsOfSecretary = (db: Tx, userId: number): Promise<(BranchReviewRow & { year: number; title: string; cycle_state: string })[]> =>
  db('branch_reviews as b')
    .join('cycles as c', 'c.id', 'b.cycle_id')
    .where((w) => w.where('b.secretary_id', userId).orWhere('b.deputy_id', userId))
    .orderBy('c.year', 'desc')
    .orderBy('b.code')
    .select('b.*', 'c.year', 'c.title', 'c.state as cycle_state');

/** Branch reviews in the cycles where a person sits on the panel. */
export const branchReviewsOfPanelMember = (db: Tx, userId: number): Promise<(BranchReviewRow & { year: number; title: string })[]> =>
  db('branch_reviews as b')
    .join('cycles as c', 'c.id', 'b.cycle_id')
    .join('cycle_people as p', (j) => j.on('p.cycle_id', '=', 'b.cycle_id').andOnVal('p.role', '=', 'evaluator'))
    .where('p.user_id', userId)
    .orderBy('c.year', 'desc')
    .orderBy('b.code')
    .select('b.*', 'c.year', 'c.title');

/** Branch reviews of a cycle whose phase is not one of `phases` (e.g. the open ones). */
export async function countBranchesOutside(db: Tx, cycleId: number, phases: readonly string[]): Promise<number> {
  const [row] = await db('branch_reviews').where({ cycle_id: cycleId }).whereNotIn('phase', phases).count({ n: '*' });
  return Number(row.n);
}

export async function countBranchReviews(db: Tx, cycleId: number): Promise<number> {
  const [row] = await db('branch_reviews').where({ cycle_id: cycleId }).count({ n: '*' });
  return Number(row.n);
}
