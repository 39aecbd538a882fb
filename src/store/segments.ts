// 板块: the segment figures of a cycle. Counts, grades and score sums come from the cycle's tallies
// (src/store/tallies.ts); each segment's lowest and highest score, and the roster's order of segments,
// by index (branch_reviews: cycle_id, segment, final_score, code; cycle_branches: cycle_id, segment,
// position), in one statement for all segments. Scores exist only once published (final_score is
// written at publication), so before that only counts come back.
import type { Tx } from './db';
import type { Tally } from './tallies';

export interface SegmentRow {
  segment: string | null;
  branches: number;
  scored: number;
  sum: number | null;
}

export interface SegmentExtremes {
  min: number;
  max: number;
  /** the branch with the lowest score (ties: the first by code) */
  lowest: { code: string; name: string; score: number };
}

const key = (s: string | null) => s ?? '\u0000none';
/** The rows of one segment ("no segment" is a group of its own), and the bindings that go with it. */
const ofSegment = (segment: string | null): [string, string[]] => (segment === null ? ['segment is null', []] : ['segment = ?', [segment]]);

/** Per segment: how many branches, how many published scores and their sum. */
export function segmentTotals(tallies: Tally[]): SegmentRow[] {
  const bySegment = new Map<string, { segment: string | null; branches: number; scored: number; cents: number }>();
  for (const t of tallies) {
    const s = bySegment.get(key(t.segment)) ?? { segment: t.segment, branches: 0, scored: 0, cents: 0 };
    s.branches += t.branches;
    if (t.band !== null) {
      s.scored += t.branches;
      s.cents += t.scoreCents;
    }
    bySegment.set(key(t.segment), s);
  }
  return [...bySegment.values()].map((s) => ({ segment: s.segment, branches: s.branches, scored: s.scored, sum: s.scored ? s.cents / 100 : null }));
}

/** Per segment and grade, how many branches got it. */
export function segmentGrades(tallies: Tally[]): { segment: string | null; grade: string; n: number }[] {
  const out = new Map<string, { segment: string | null; grade: string; n: number }>();
  for (const t of tallies) {
    if (t.grade === null) continue;
    const k = `${key(t.segment)}\u0000${t.grade}`;
    const g = out.get(k) ?? { segment: t.segment, grade: t.grade, n: 0 };
    g.n += t.branches;
    out.set(k, g);
  }
  return [...out.values()];
}

/** For each of `segments` (those with a published score): its lowest and highest score and its lowest branch, by index. */
export async function segmentExtremes(db: Tx, cycleId: number, segments: (string | null)[]): Promise<Map<string | null, SegmentExtremes>> {
  if (!segments.length) return new Map();
  const columns: string[] = [];
  const bindings: (string | number)[] = [];
  segments.forEach((segment, i) => {
    const [where, bind] = ofSegment(segment);
    const lowest = (col: string) => `(select ${col} from branch_reviews where cycle_id = ? and ${where} and final_score is not null order by final_score, code limit 1) as ${col}_${i}`;
    columns.push(lowest('code'), lowest('name'), lowest('final_score'), `(select max(final_score) from branch_reviews where cycle_id = ? and ${where}) as max_${i}`);
    for (let n = 0; n < 4; n++) bindings.push(cycleId, ...bind);
  });
  const [row] = (await db.select(db.raw(columns.join(', '), bindings))) as Record<string, unknown>[];
  const out = new Map<string | null, SegmentExtremes>();
  segments.forEach((segment, i) => {
    if (row[`final_score_${i}`] === null || row[`final_score_${i}`] === undefined) return;
    const min = Number(row[`final_score_${i}`]);
    out.set(segment, { min, max: Number(row[`max_${i}`]), lowest: { code: String(row[`code_${i}`]), name: String(row[`name_${i}`]), score: min } });
  });
  return out;
}

/** Of `segments`, those the roster names, in the order it first names them (a branch without one: null, last). */
export async function segmentOrder(db: Tx, cycleId: number, segments: (string | null)[]): Promise<(string | null)[]> {
  if (!segments.length) return [];
  const bindings: (string | number)[] = [];
  const columns = segments.map((segment, i) => {
    const [where, bind] = ofSegment(segment);
    bindings.push(cycleId, ...bind);
    return `(select min(position) from cycle_branches where cycle_id = ? and ${where}) as first_${i}`;
  });
  const [row] = (await db.select(db.raw(columns.join(', '), bindings))) as Record<string, unknown>[];
  return segments
    .map((segment, i) => ({ segment, first: row[`first_${i}`] }))
    .filter((s) => s.first !== null && s.first !== undefined)
    .sort((a, b) => (a.segment === null ? 1 : 0) - (b.segment === null ? 1 : 0) || Number(a.first) - Number(b.first))
    .map((s) => s.segment);
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
