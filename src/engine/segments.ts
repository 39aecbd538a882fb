// 板块对比: each segment's branches, mean, spread (highest minus lowest), lowest branch and grades,
// from the cycle's tallies and a few index lookups (src/store/segments.ts); the dashboard shows this
// year beside last, the bulletin groups by it.
import { roundHalfUp } from '../domain/scoring';
import type { Tx } from '../store/db';
import { segmentExtremes, segmentGrades, segmentOrder, segmentTotals } from '../store/segments';
import { cycleTallies, type Tally } from '../store/tallies';

export interface SegmentFigures {
  /** null: the branches that name no segment */
  segment: string | null;
  branches: number;
  /** branches with a published score */
  scored: number;
  mean: number | null;
  highest: number | null;
  spread: number | null;
  /** the lowest-scoring branch (ties: the first by code) */
  lowest: { code: string; name: string; score: number } | null;
  grades: Record<string, number>;
}

const key = (s: string | null) => s ?? '\u0000none';

/**
 * Every segment of a cycle, in the order its roster names them (branches without a segment last);
 * grades in `gradeOrder`. `read`: the cycle's tallies, if the caller has them.
 */
export async function segmentFigures(db: Tx, cycleId: number, gradeOrder: readonly string[] = [], read?: Tally[]): Promise<SegmentFigures[]> {
  // Tallies read at any "now" will do: it decides overdue, which the segments do not show.
  const tallies = read ?? (await cycleTallies(db, cycleId, ''));
  const totals = segmentTotals(tallies);
  const grades = segmentGrades(tallies);
  const extremes = await segmentExtremes(db, cycleId, totals.filter((t) => t.scored > 0).map((t) => t.segment));
  const order = await segmentOrder(db, cycleId, totals.map((t) => t.segment));
  const position = new Map(order.map((s, i) => [key(s), i]));
  const orderOf = (grade: string) => (gradeOrder.includes(grade) ? gradeOrder.indexOf(grade) : gradeOrder.length);
  const figures = totals.map((t): SegmentFigures => {
    const x = extremes.get(t.segment);
    return {
      segment: t.segment,
      branches: t.branches,
      scored: t.scored,
      mean: t.scored && t.sum !== null ? roundHalfUp(t.sum / t.scored) : null,
      highest: x ? x.max : null,
      spread: x ? roundHalfUp(x.max - x.min) : null,
      lowest: x ? x.lowest : null,
      grades: Object.fromEntries(
        grades
          .filter((g) => key(g.segment) === key(t.segment))
          .sort((a, b) => orderOf(a.grade) - orderOf(b.grade) || a.grade.localeCompare(b.grade, 'zh-CN'))
          .map((g) => [g.grade, g.n]),
      ),
    };
  });
  const rank = (s: string | null) => position.get(key(s)) ?? (s === null ? Number.MAX_SAFE_INTEGER : order.length);
  return figures.sort((a, b) => rank(a.segment) - rank(b.segment) || key(a.segment).localeCompare(key(b.segment), 'zh-CN'));
}

/** Whether a cycle uses segments at all (a cycle whose branches name none shows no segment table). */
export const usesSegments = (figures: SegmentFigures[]): boolean => figures.some((f) => f.segment !== null);
