// Problems (问题清单) of branch reviews and the uses of evidence files on plan items (issue 10).
import type { Tx } from './db';

export interface ProblemRow {
  id: number;
  cycle_id: number;
  branch_review_id: number;
  code: string;
  category: string;
  text: string;
  source: string;
  source_ref: string | null;
  created_by: number | null;
  created_at: string;
  removed_at: string | null;
}

export async function insertProblem(db: Tx, row: Omit<ProblemRow, 'id' | 'removed_at'>): Promise<number> {
  const [r] = await db('branch_problems').insert({ ...row, removed_at: null }).returning('id');
  return typeof r === 'object' ? r.id : r;
}

export const getProblem = (db: Tx, id: number): Promise<ProblemRow | undefined> => db<ProblemRow>('branch_problems').where({ id }).first();

/** The live (not removed) problems of one branch review, in the order they were raised. */
export const problemsOf = (db: Tx, branchReviewId: number): Promise<ProblemRow[]> =>
  db<ProblemRow>('branch_problems').where({ branch_review_id: branchReviewId }).whereNull('removed_at').orderBy('id');

export async function markProblemRemoved(db: Tx, id: number, at: string): Promise<boolean> {
  return (await db('branch_problems').where({ id }).whereNull('removed_at').update({ removed_at: at })) === 1;
}

/**
 * 屡查屡犯: for the given branch codes, the categories (not the catch-all) raised again this cycle that
 * the same code was already given in an earlier cycle, with those earlier years.
 */
export async function repeatedCategories(
  db: Tx,
  cycleId: number,
  year: number,
  codes: string[] | null,
  catchAll: string,
): Promise<{ code: string; category: string; year: number }[]> {
  const q = db('branch_problems as p')
    .join('branch_problems as e', (j) => j.on('e.code', '=', 'p.code').andOn('e.category', '=', 'p.category'))
    .join('cycles as ec', 'ec.id', 'e.cycle_id')
    .where('p.cycle_id', cycleId)
    .whereNull('p.removed_at')
    .whereNull('e.removed_at')
    .whereNull('ec.deleted_at')
    .where('ec.year', '<', year)
    .whereNot('p.category', catchAll)
    .distinct('p.code', 'p.category', 'ec.year')
    .orderBy(['p.code', 'p.category', 'ec.year']);
  if (codes) q.whereIn('p.code', codes.length ? codes : ['']);
  return (await q) as { code: string; category: string; year: number }[];
}

export interface EvidenceUseRow {
  cycle_id: number;
  branch_review_id: number;
  item_id: string;
  file_id: string;
  sha256: string;
  at: string;
}

export async function insertEvidenceUses(db: Tx, rows: EvidenceUseRow[]): Promise<void> {
  if (rows.length) await db('evidence_uses').insert(rows);
}

/**
 * Evidence used more than once: every use of a file whose SHA-256 serves two or more (branch, item)
 * pairs, anywhere, of the hashes used in this cycle (or for one branch review of it).
 */
export async function duplicateEvidenceUses(
  db: Tx,
  cycleId: number,
  branchReviewId?: number,
): Promise<(EvidenceUseRow & { code: string; branch_name: string; year: number; original_name: string | null })[]> {
  const pairs = db('evidence_uses').distinct('sha256', 'branch_review_id', 'item_id').as('u');
  const shared = db.from(pairs).select('u.sha256').groupBy('u.sha256').havingRaw('count(*) > 1');
  const mine = db('evidence_uses').where({ cycle_id: cycleId }).modify((q) => {
    if (branchReviewId !== undefined) q.where({ branch_review_id: branchReviewId });
  }).select('sha256');
  return db('evidence_uses as e')
    .join('branch_reviews as b', 'b.id', 'e.branch_review_id')
    .join('cycles as c', 'c.id', 'e.cycle_id')
    .leftJoin('files as f', 'f.id', 'e.file_id')
    .whereIn('e.sha256', shared)
    .whereIn('e.sha256', mine)
    .select('e.cycle_id', 'e.branch_review_id', 'e.item_id', 'e.file_id', 'e.sha256', 'e.at', 'b.code', 'b.name as branch_name', 'c.year', 'f.original_name')
    .orderBy(['e.sha256', 'c.year', 'b.code', 'e.item_id', 'e.at']);
}

/** The stored files of a branch review among the given ids, with their hashes. */
export const filesOfBranch = (db: Tx, branchReviewId: number, ids: string[]): Promise<{ id: string; sha256: string }[]> =>
  ids.length ? db('files').where({ branch_review_id: branchReviewId }).whereIn('id', ids).select('id', 'sha256') : Promise.resolve([]);
