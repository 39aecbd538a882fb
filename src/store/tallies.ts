// The per-cycle summary of branch_reviews that the database's triggers keep
// (db/migrations/20261202_01_branch_review_tallies.ts): the dashboard's counts read from a few dozen
// rows instead of every branch. Nothing here writes it: every write to branch_reviews does.
// On PostgreSQL the triggers run at COMMIT, so a transaction that writes branch reviews and then
// reads these sees the counts as they were when it began: read them outside writing transactions.
import type { Tx } from './db';

/** One row of the summary: how many branches of the cycle share these values, and their scores' sum. */
export interface Tally {
  phase: string;
  deadlineKind: string | null;
  deadlineAt: string | null;
  /** the binding deadline has passed at the `now` it was read for (compared in SQL, as the rows were) */
  overdue: boolean;
  segment: string | null;
  grade: string | null;
  /** the score histogram's band: 0 below 60, 1 60–69, 2 70–79, 3 80–89, 4 from 90; null without a score */
  band: number | null;
  branches: number;
  /** the sum of their final scores, in hundredths */
  scoreCents: number;
}

/** '' and -1 stand for none in the summary's keys (they are NOT NULL so that ON CONFLICT finds them). */
const orNull = (v: unknown): string | null => (v === '' || v === null || v === undefined ? null : String(v));

export async function cycleTallies(db: Tx, cycleId: number, now: string): Promise<Tally[]> {
  const rows = (await db('branch_review_tallies')
    .where({ cycle_id: cycleId })
    .whereNot('branches', 0)
    .select('phase', 'deadline_kind', 'deadline_at', 'segment', 'grade', 'band', 'branches', 'score_cents', db.raw("case when deadline_at <> '' and deadline_at < ? then 1 else 0 end as overdue", [now]))) as Record<
    string,
    unknown
  >[];
  return rows.map((r) => ({
    phase: String(r.phase),
    deadlineKind: orNull(r.deadline_kind),
    deadlineAt: orNull(r.deadline_at),
    overdue: Number(r.overdue) === 1,
    segment: orNull(r.segment),
    grade: orNull(r.grade),
    band: Number(r.band) < 0 ? null : Number(r.band),
    branches: Number(r.branches),
    scoreCents: Number(r.score_cents),
  }));
}

/** Changes with every insert, update and delete of the cycle's branch reviews (0: it has none yet). */
export async function cycleVersion(db: Tx, cycleId: number): Promise<number> {
  const row = (await db('branch_review_versions').where({ cycle_id: cycleId }).first('version')) as { version: number | string } | undefined;
  return row ? Number(row.version) : 0;
}

export interface Aggregates {
  /** branches per phase (phases without any absent) */
  counts: Record<string, number>;
  grades: Record<string, number>;
  /** the score histogram: < 60, 60–69, 70–79, 80–89, ≥ 90 */
  distribution: number[];
  overdue: number;
  total: number;
  /** branches with a score, and the sum of their scores */
  scored: number;
  scoreSum: number | null;
}

/** The cycle's counts from its tallies. */
export function aggregatesOf(tallies: Tally[]): Aggregates {
  const out: Aggregates = { counts: {}, grades: {}, distribution: [0, 0, 0, 0, 0], overdue: 0, total: 0, scored: 0, scoreSum: null };
  let cents = 0;
  for (const t of tallies) {
    out.counts[t.phase] = (out.counts[t.phase] ?? 0) + t.branches;
    if (t.grade !== null) out.grades[t.grade] = (out.grades[t.grade] ?? 0) + t.branches;
    if (t.band !== null) {
      out.distribution[t.band] += t.branches;
      out.scored += t.branches;
      cents += t.scoreCents;
    }
    if (t.overdue) out.overdue += t.branches;
    out.total += t.branches;
  }
  out.scoreSum = out.scored ? cents / 100 : null;
  return out;
}

/** How many branches the board's filters let through, when they are the summary's (a phase, overdue only). */
export function countOf(tallies: Tally[], q: { phase?: string; overdueOnly?: boolean }): number {
  return tallies.filter((t) => (!q.phase || t.phase === q.phase) && (!q.overdueOnly || t.overdue)).reduce((n, t) => n + t.branches, 0);
}
