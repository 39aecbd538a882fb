import { CYCLE_COLUMNS, yearOf, type CycleRow } from './cycles';
import type { Tx } from './db';
import { isPostgres } from './db';
import { aggregatesOf, countOf, cycleTallies, cycleVersion, type Tally } from './tallies';

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
  /** 板块, copied from the roster row at launch (null: the branch names no segment). */
  segment: string | null;
  /** the branch workflow it runs (workflows/kinds.ts): branchReview, or quarterlyAssessment */
  workflow?: string;
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

/**
 * A cycle's branch reviews with the given codes, in id order (so concurrent lockers queue alike),
 * locked on PostgreSQL with `forUpdate` (a batch of events); a launch reads its previous year's (整改延续).
 */
export async function branchReviewsByCodes(db: Tx, cycleId: number, codes: string[], forUpdate = false): Promise<BranchReviewRow[]> {
  const rows: BranchReviewRow[] = [];
  for (let i = 0; i < codes.length; i += 500) {
    const q = db<BranchReviewRow>('branch_reviews').where({ cycle_id: cycleId }).whereIn('code', codes.slice(i, i + 500)).orderBy('id');
    rows.push(...(await (forUpdate && isPostgres(db) ? q.forUpdate() : q)));
  }
  return rows;
}

/** Branch reviews by id (a scheduler batch's: on PostgreSQL its claim has locked them already). */
export async function branchReviewsByIds(db: Tx, ids: number[]): Promise<BranchReviewRow[]> {
  const rows: BranchReviewRow[] = [];
  for (let i = 0; i < ids.length; i += 500) rows.push(...(await db<BranchReviewRow>('branch_reviews').whereIn('id', ids.slice(i, i + 500))));
  return rows;
}

/** Optimistic write (乐观锁): false when the version moved since it was read. */
export async function updateBranchReview(db: Tx, id: number, expectedVersion: number, patch: Partial<BranchReviewRow>): Promise<boolean> {
  const n = await db('branch_reviews').where({ id, version: expectedVersion }).update({ ...patch, version: expectedVersion + 1 });
  return n === 1;
}

/** The columns a transition writes, in the order updateBranchReviewSteps binds them. */
const STEP_COLUMNS = ['phase', 'state', 'deadline_kind', 'deadline_at', 'snapshot', 'updated_at', 'version'] as const;

/**
 * Many branch rows in one statement per 500 (UPDATE … FROM VALUES, on SQLite and PostgreSQL alike):
 * each written only if its version is still the expected one. One row per branch: a branch that took
 * several events is written once, as the last left it. Answers how many rows moved; fewer than given
 * means a concurrent writer won somewhere.
 */
export async function updateBranchReviewSteps(db: Tx, rows: { id: number; expectedVersion: number; row: Pick<BranchReviewRow, (typeof STEP_COLUMNS)[number]> }[]): Promise<number> {
  let moved = 0;
  const tuple = `(cast(? as integer), cast(? as integer), ${STEP_COLUMNS.map((c) => (c === 'version' ? 'cast(? as integer)' : '?')).join(', ')})`;
  const sets = STEP_COLUMNS.map((c, i) => `${c} = v.column${i + 3}`).join(', ');
  for (let i = 0; i < rows.length; i += 500) {
    const part = rows.slice(i, i + 500);
    const got = (await db.raw(
      `update branch_reviews set ${sets} from (values ${part.map(() => tuple).join(', ')}) as v ` +
        'where branch_reviews.id = v.column1 and branch_reviews.version = v.column2 returning branch_reviews.id',
      part.flatMap((r) => [r.id, r.expectedVersion, ...STEP_COLUMNS.map((c) => r.row[c] ?? null)]),
    )) as unknown[] | { rows: unknown[] };
    moved += Array.isArray(got) ? got.length : got.rows.length;
  }
  return moved;
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

/**
 * A branch review and its cycle in one statement (an event needs both), the branch row locked on
 * PostgreSQL. The cycle is found as findCycle finds it: a year names its annual review; by id only
 * where no annual review has that year. Undefined when either is missing: the caller then asks which, on the error path only.
 */
export async function findBranchWithCycle(db: Tx, ref: string | number, code: string, forUpdate: boolean): Promise<{ cycle: CycleRow; branch: BranchReviewRow } | undefined> {
  const n = Number(ref);
  if (!Number.isInteger(n)) return undefined;
  const year = yearOf(n);
  // The cycle's id as a scalar subquery, so the branch is found by its (cycle_id, code) index.
  const cycleId =
    year === undefined
      ? n
      : db.raw(
          "coalesce((select id from cycles where year = ? and kind = 'annualReview' and deleted_at is null), (select id from cycles where id = ? and deleted_at is null))",
          [year, n],
        );
  const q = db('branch_reviews as b')
    .join('cycles as c', 'c.id', 'b.cycle_id')
    .where('b.cycle_id', cycleId)
    .where('b.code', code)
    .whereNull('c.deleted_at')
    .select('b.*', ...CYCLE_COLUMNS.map((c) => `c.${c} as cycle__${c}`))
    .first();
  const row = (await (forUpdate && isPostgres(db) ? q.forUpdate('b') : q)) as Record<string, unknown> | undefined;
  if (!row) return undefined;
  const cycle: Record<string, unknown> = {};
  const branch: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (k.startsWith('cycle__')) cycle[k.slice('cycle__'.length)] = v;
    else branch[k] = v;
  }
  return { cycle: cycle as unknown as CycleRow, branch: branch as unknown as BranchReviewRow };
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

/** One row of the board: what a table shows of a branch review, without its snapshot. */
export interface BoardRow {
  id: number;
  code: string;
  name: string;
  phase: string;
  state: string;
  version: number;
  final_score: number | string | null;
  grade: string | null;
  rank: number | null;
  deadline_kind: string | null;
  deadline_at: string | null;
  segment: string | null;
}
const BOARD_COLUMNS = ['id', 'code', 'name', 'phase', 'state', 'version', 'final_score', 'grade', 'rank', 'deadline_kind', 'deadline_at', 'segment'];

export type BoardSort = 'code' | 'name' | 'phase' | 'overdue' | 'score' | 'grade' | 'rank';
export interface BoardQuery {
  offset: number;
  limit: number;
  sort: BoardSort;
  dir: 'asc' | 'desc';
  /** part of a code or a name */
  q?: string;
  phase?: string;
  overdueOnly?: boolean;
  /** phases in their order, for sorting by phase */
  phaseOrder: readonly string[];
  now: string;
  /** false: the caller needs no total (it is not counted) */
  withTotal?: boolean;
  /** the cycle's tallies at `now`, when the caller has read them already */
  tallies?: Tally[];
}

const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function filtered(db: Tx, cycleId: number, q: Pick<BoardQuery, 'q' | 'phase' | 'overdueOnly' | 'now'>) {
  return db('branch_reviews')
    .where({ cycle_id: cycleId })
    .modify((b) => {
      if (q.phase) b.where('phase', q.phase);
      if (q.overdueOnly) b.where('deadline_at', '<', q.now);
      if (q.q) b.where((w) => w.whereRaw("code like ? escape '\\'", [likePattern(q.q!)]).orWhereRaw("name like ? escape '\\'", [likePattern(q.q!)]));
    });
}

/**
 * A page of the board, sorted and filtered in SQL by index (cycle_id with code, name, phase,
 * deadline_at and code, final_score). The total comes from the cycle's tallies unless a search for
 * a code or name (q) asks for a count of the rows that match.
 */
export async function boardPage(db: Tx, cycleId: number, q: BoardQuery): Promise<{ rows: BoardRow[]; total: number }> {
  const total = q.withTotal === false ? NaN : q.q ? Number((await filtered(db, cycleId, q).count({ n: '*' }))[0].n) : countOf(q.tallies ?? (await cycleTallies(db, cycleId, q.now)), q);
  const dir = q.dir === 'desc' ? 'desc' : 'asc';
  const rows = await filtered(db, cycleId, q)
    .select(BOARD_COLUMNS)
    .modify((b) => {
      switch (q.sort) {
        case 'phase':
          b.orderByRaw(`case phase ${q.phaseOrder.map(() => 'when ? then ?').join(' ')} else 99 end ${dir}`, q.phaseOrder.flatMap((p, i) => [p, i]));
          break;
        case 'overdue':
          // Most overdue first: the earliest binding deadline already passed; branches not overdue last.
          // Only overdue ones (the dashboard's list): the deadline alone, so the index gives the order.
          if (q.overdueOnly) b.orderBy('deadline_at', dir === 'desc' ? 'asc' : 'desc');
          else b.orderByRaw(`case when deadline_at < ? then 0 else 1 end, deadline_at ${dir === 'desc' ? 'asc' : 'desc'}`, [q.now]);
          break;
        case 'score':
          b.orderByRaw(`case when final_score is null then 1 else 0 end, final_score ${dir}`);
          break;
        case 'rank':
          b.orderByRaw(`case when "rank" is null then 1 else 0 end, "rank" ${dir}`);
          break;
        default:
          b.orderBy(q.sort, dir);
      }
      if (q.sort !== 'code') b.orderBy('code', 'asc');
    })
    .offset(q.offset)
    .limit(q.limit);
  return { rows: rows as BoardRow[], total };
}

/** Counts for the dashboard from the cycle's tallies: per phase, per grade, the score histogram, overdue, scored. */
export async function boardAggregates(db: Tx, cycleId: number, now: string) {
  return aggregatesOf(await cycleTallies(db, cycleId, now));
}

export const reviewsByCodes = (db: Tx, cycleId: number, codes: string[]): Promise<BoardRow[]> =>
  codes.length ? db('branch_reviews').where({ cycle_id: cycleId }).whereIn('code', codes).select(BOARD_COLUMNS) : Promise.resolve([]);

/** Changes whenever any branch review of the cycle changes: for the dashboard poll's ETag (the tallies' counter, not a scan). */
export async function cycleFingerprint(db: Tx, cycleId: number): Promise<string> {
  return `v${await cycleVersion(db, cycleId)}`;
}

/** Branch reviews a page at a time: the published ones by rank, or all by code (for exports). */
export const reviewsPage = (db: Tx, cycleId: number, q: { publishedOnly: boolean; offset: number; limit: number }): Promise<BranchReviewRow[]> =>
  db<BranchReviewRow>('branch_reviews')
    .where({ cycle_id: cycleId })
    .modify((b) => {
      if (q.publishedOnly) b.whereNotNull('rank').orderBy('rank');
    })
    .orderBy('code')
    .offset(q.offset)
    .limit(q.limit);

export async function countPublished(db: Tx, cycleId: number): Promise<number> {
  const [r] = await db('branch_reviews').where({ cycle_id: cycleId }).whereNotNull('rank').count({ n: '*' });
  return Number(r.n);
}

/** Grades and how many branches got each, best first (by the order they were first reached in rank). */
export async function gradeCounts(db: Tx, cycleId: number): Promise<[string, number][]> {
  const rows = (await db('branch_reviews').where({ cycle_id: cycleId }).whereNotNull('grade').groupBy('grade').select('grade').min({ best: 'rank' }).count({ n: '*' }).orderBy('best')) as {
    grade: string;
    n: number | string;
  }[];
  return rows.map((r) => [r.grade, Number(r.n)]);
}
