// 板块对比: each segment's branches, mean, spread (highest minus lowest), lowest branch and grades,
// from the store's SQL aggregates; the dashboard shows this year beside last, the bulletin groups by it.
import { roundHalfUp } from '../domain/scoring';
import type { Tx } from '../store/db';
import { segmentGrades, segmentLowest, segmentOrder, segmentTotals } from '../store/segments';

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

/** Every segment of a cycle, in the order its roster names them (branches without a segment last); grades in `gradeOrder`. */
export async function segmentFigures(db: Tx, cycleId: number, gradeOrder: readonly string[] = []): Promise<SegmentFigures[]> {
  const [totals, grades, lowest, order] = [await segmentTotals(db, cycleId), await segmentGrades(db, cycleId), await segmentLowest(db, cycleId), await segmentOrder(db, cycleId)];
  const position = new Map(order.map((s, i) => [key(s), i]));
  const orderOf = (grade: string) => (gradeOrder.includes(grade) ? gradeOrder.indexOf(grade) : gradeOrder.length);
  const figures = totals.map((t): SegmentFigures => {
    const low = lowest.find((l) => key(l.segment) === key(t.segment));
    return {
      segment: t.segment,
      branches: t.branches,
      scored: t.scored,
      mean: t.scored && t.sum !== null ? roundHalfUp(t.sum / t.scored) : null,
      highest: t.max,
      spread: t.max !== null && t.min !== null ? roundHalfUp(t.max - t.min) : null,
      lowest: low ? { code: low.code, name: low.name, score: low.score } : null,
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
