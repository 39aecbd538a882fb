// 板块: the segment figures of a cycle, aggregated in SQL (index on cycle_id, segment). Scores exist
// only once published (final_score is written at publication), so before that only counts come back.
import type { Tx } from './db';

export interface SegmentRow {
  segment: string | null;
  branches: number;
  scored: number;
  sum: number | null;
  min: number | null;
  max: number | null;
}

export interface SegmentLowest { segment: string | null; code: string; name: string; score: number }

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
/** Both databases compare a null segment with null here ("no segment" is a group of its own). */
const sameSegment = (a: string, b: string) => `(${a}.segment = ${b}.segment or (${a}.segment is null and ${b}.segment is null))`;

/** Per segment: how many branches, how many published scores, their sum, lowest and highest. */
export async function segmentTotals(db: Tx, cycleId: number): Promise<SegmentRow[]> {
  const rows = (await db('branch_reviews')
    .where({ cycle_id: cycleId })
    .groupBy('segment')
    .select('segment', db.raw('count(*) as branches'), db.raw('count(final_score) as scored'), db.raw('sum(final_score) as total'), db.raw('min(final_score) as low'), db.raw('max(final_score) as high'))) as Record<string, unknown>[];
  return rows.map((r) => ({
    segment: (r.segment as string | null) ?? null,
    branches: Number(r.branches),
    scored: Number(r.scored),
    sum: num(r.total),
    min: num(r.low),
    max: num(r.high),
  }));
}

/** Per segment and grade, how many branches got it. */
export async function segmentGrades(db: Tx, cycleId: number): Promise<{ segment: string | null; grade: string; n: number }[]> {
  const rows = (await db('branch_reviews').where({ cycle_id: cycleId }).whereNotNull('grade').groupBy('segment', 'grade').select('segment', 'grade').count({ n: '*' })) as Record<string, unknown>[];
  return rows.map((r) => ({ segment: (r.segment as string | null) ?? null, grade: String(r.grade), n: Number(r.n) }));
}

/** The branches with the lowest published score of their segment (ties: every one of them, by code). */
export async function segmentLowest(db: Tx, cycleId: number): Promise<SegmentLowest[]> {
  const rows = (await db('branch_reviews as b')
    .where('b.cycle_id', cycleId)
    .whereNotNull('b.final_score')
    .whereRaw(`b.final_score = (select min(b2.final_score) from branch_reviews b2 where b2.cycle_id = b.cycle_id and ${sameSegment('b2', 'b')})`)
    .orderBy('b.code')
    .select('b.segment', 'b.code', 'b.name', 'b.final_score')) as Record<string, unknown>[];
  return rows.map((r) => ({ segment: (r.segment as string | null) ?? null, code: String(r.code), name: String(r.name), score: Number(r.final_score) }));
}

/** Segments in the order the roster first names them (a branch without one: null, last). */
export async function segmentOrder(db: Tx, cycleId: number): Promise<(string | null)[]> {
  const rows = (await db('cycle_branches').where({ cycle_id: cycleId }).groupBy('segment').select('segment').min({ first: 'position' })) as { segment: string | null; first: number | string }[];
  return rows.sort((a, b) => (a.segment === null ? 1 : 0) - (b.segment === null ? 1 : 0) || Number(a.first) - Number(b.first)).map((r) => r.segment ?? null);
}

/** Published branches of one segment by rank, a page at a time (for the bulletin). */
export const publishedOfSegment = (db: Tx, cycleId: number, segment: string | null, q: { offset: number; limit: number }) =>
  db('branch_reviews')
    .where({ cycle_id: cycleId })
    .whereNotNull('rank')
    .modify((b) => (segment === null ? b.whereNull('segment') : b.where('segment', segment)))
    .orderBy('rank')
    .orderBy('code')
    .offset(q.offset)
    .limit(q.limit);
