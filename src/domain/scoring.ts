// Scoring rules (评分规则), pure: evaluator totals → panel (trimmed mean) → democratic rate →
// base → final with adjustments → grade (bands, veto, cap on the top grade) → competition rank.
// Every step is rounded half up to 2 decimals, as the score sheet shows it.

export interface Criterion { key: string; name: string; max: number }
export interface GradeBand { grade: string; min: number }
export interface ScoringRules {
  rubric: Criterion[];
  bands: GradeBand[];
  topGradeCapPercent?: number | null;
  democratic: { enabled: boolean; weightPercent: number };
}
export interface Ballots { satisfied: number; basic: number; unsatisfied: number }
export interface Adjustment { points: number; reason: string }
export interface BranchScoringInput {
  code: string;
  evaluatorTotals: number[]; // one total per evaluator, anonymised
  ballots?: Ballots | null;
  adjustments: Adjustment[];
  veto?: { reason: string } | null;
}
export interface ScoreSheet {
  code: string;
  totals: number[]; // as given
  dropped: { highest: number; lowest: number } | null; // the dropped values, null when < 5 totals
  panel: number;
  ballots: Ballots | null;
  rate: number | null; // null when disabled or no ballot cast
  base: number;
  adjustments: Adjustment[];
  adjustmentTotal: number;
  final: number;
  bandGrade: string; // grade from the bands alone
  veto: { reason: string } | null;
  capped: boolean; // true when the cap on the top grade demoted it
  grade: string;
  rank: number;
}
export interface ScoreIssue { path: string; message: string }

export const DEFAULT_RUBRIC: Criterion[] = [
  { key: 'effectiveness', name: '党建工作成效', max: 30 },
  { key: 'integration', name: '党建与生产经营融合', max: 30 },
  { key: 'highlights', name: '特色亮点', max: 15 },
  { key: 'problems', name: '问题查找与整改措施', max: 15 },
  { key: 'presentation', name: '述职与答辩表现', max: 10 },
];

export const DEFAULT_BANDS: GradeBand[] = [
  { grade: '好', min: 90 },
  { grade: '较好', min: 80 },
  { grade: '一般', min: 70 },
  { grade: '差', min: 0 },
];

/** Moves the decimal point through the exponent, so no multiplication adds binary error. */
function shiftDecimal(x: number, by: number): number {
  const [mantissa, exp = '0'] = String(x).split('e'); // String() may itself give "1e-7"
  return Number(`${mantissa}e${Number(exp) + by}`);
}

/**
 * Half up (away from zero) on the decimal digits.
 * Scores are decimal quantities; binary float turns 43.5 / 80 × 100 = 54.375 into 54.37499999…,
 * so the value is first read back at 15 significant digits (what the arithmetic meant),
 * then shifted via the exponent, so 84.125 → 84.13, 1.005 → 1.01, 2.675 → 2.68.
 */
export function roundHalfUp(x: number, decimals = 2): number {
  if (!Number.isFinite(x)) throw new RangeError(`cannot round a non-finite score: ${x}`);
  const meant = Math.abs(Number(x.toPrecision(15)));
  const rounded = shiftDecimal(Math.round(shiftDecimal(meant, decimals)), -decimals);
  return (x < 0 ? -rounded : rounded) + 0; // + 0 turns -0 into 0
}

/** Each criterion present, known, a number within 0..max, in half points (最小单位 0.5 分). */
/** `partial` accepts a draft: criteria not yet scored are not missing. */
export function checkScores(scores: Record<string, unknown>, rubric: Criterion[], opts: { partial?: boolean } = {}): ScoreIssue[] {
  const issues: ScoreIssue[] = [];
  const known = new Set(rubric.map((c) => c.key));
  for (const key of Object.keys(scores)) {
    if (!known.has(key)) issues.push({ path: `scores.${key}`, message: `评分细则中没有此项：${key}` });
  }
  for (const c of rubric) {
    const path = `scores.${c.key}`;
    const v = Object.prototype.hasOwnProperty.call(scores, c.key) ? scores[c.key] : undefined;
    if (v === undefined || v === null) {
      if (!opts.partial) issues.push({ path, message: `缺少“${c.name}”的得分` });
    }
    else if (typeof v !== 'number' || !Number.isFinite(v)) issues.push({ path, message: `“${c.name}”的得分须为数字` });
    else if (v < 0 || v > c.max) issues.push({ path, message: `“${c.name}”的得分须在 0 到 ${c.max} 之间` });
    else if (!Number.isInteger(v * 2)) issues.push({ path, message: `“${c.name}”的得分最小单位为 0.5 分` });
  }
  return issues;
}

/** One evaluator's total: the sum of the criteria (assumes checkScores passed). */
export function evaluatorTotal(scores: Record<string, number>, rubric: Criterion[]): number {
  return roundHalfUp(rubric.reduce((sum, c) => sum + (scores[c.key] ?? 0), 0));
}

/** 评委平均分: 去掉一个最高分和一个最低分 (only one of each, even when tied) with 5 or more totals. */
export function panelScore(totals: number[]): { panel: number; dropped: { highest: number; lowest: number } | null } {
  if (!totals.length) throw new Error('a branch cannot be scored without any evaluator total');
  if (totals.length < 5) return { panel: roundHalfUp(mean(totals)), dropped: null };
  const sorted = [...totals].sort((a, b) => a - b);
  return {
    panel: roundHalfUp(mean(sorted.slice(1, -1))),
    dropped: { highest: sorted[sorted.length - 1], lowest: sorted[0] },
  };
}

/** 民主测评满意率 = (满意 + 0.5 × 基本满意) / 实投票数 × 100; with no ballot cast there is no rate. */
export function approvalRate(b: Ballots | null | undefined): number | null {
  if (!b) return null;
  for (const n of [b.satisfied, b.basic, b.unsatisfied]) {
    // A count is a number of ballots; anything else is a bug upstream, not a score.
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`ballot counts must be whole numbers ≥ 0, got ${n}`);
  }
  const cast = b.satisfied + b.basic + b.unsatisfied;
  if (cast === 0) return null;
  return roundHalfUp(((b.satisfied + 0.5 * b.basic) / cast) * 100);
}

/** (100 − w)% panel + w% rate when the rate counts; otherwise the panel alone. */
export function baseScore(panel: number, rate: number | null, democratic: ScoringRules['democratic']): number {
  if (!democratic.enabled || rate === null) return roundHalfUp(panel);
  const w = democratic.weightPercent;
  // Divide once at the end: ((100 − w) × panel + w × rate) / 100 keeps the float error smallest.
  return roundHalfUp(((100 - w) * panel + w * rate) / 100);
}

/** Base plus 加分/扣分, kept within 0..100. */
export function finalScore(base: number, adjustments: Adjustment[]): number {
  return roundHalfUp(clamp(base + sumPoints(adjustments), 0, 100));
}

function sortedBands(bands: GradeBand[]): GradeBand[] {
  if (!bands.length) throw new Error('grade bands are empty');
  return [...bands].sort((a, b) => b.min - a.min);
}

/** The grade of the highest band whose minimum the final reaches; below every band, the lowest one. */
export function bandGrade(final: number, bands: GradeBand[]): string {
  const sorted = sortedBands(bands);
  return (sorted.find((b) => final >= b.min) ?? sorted[sorted.length - 1]).grade;
}

/** Competition ranking (1, 2, 2, 4) on finals, highest first; same order as the input. */
export function competitionRanks(finals: number[]): number[] {
  return finals.map((f) => finals.filter((other) => other > f).length + 1);
}

export function computeResults(rules: ScoringRules, branches: BranchScoringInput[]): ScoreSheet[] {
  const bands = sortedBands(rules.bands);
  const top = bands[0].grade;
  const second = (bands[1] ?? bands[0]).grade; // a single band cannot demote
  const lowest = bands[bands.length - 1].grade;

  const sheets: ScoreSheet[] = branches.map((b) => {
    const { panel, dropped } = panelScore(b.evaluatorTotals);
    const rate = rules.democratic.enabled ? approvalRate(b.ballots) : null;
    const base = baseScore(panel, rate, rules.democratic);
    const final = finalScore(base, b.adjustments);
    const band = bandGrade(final, bands);
    const veto = b.veto ?? null;
    return {
      code: b.code,
      totals: [...b.evaluatorTotals],
      dropped,
      panel,
      // With the appraisal disabled the ballots play no part, so the sheet does not show them.
      ballots: rules.democratic.enabled ? (b.ballots ?? null) : null,
      rate,
      base,
      adjustments: b.adjustments.map((a) => ({ ...a })),
      adjustmentTotal: roundHalfUp(sumPoints(b.adjustments)),
      final,
      bandGrade: band,
      veto,
      capped: false,
      grade: veto ? lowest : band, // 一票否决: the lowest grade whatever the score
      rank: 0,
    };
  });

  // 好 的比例上限: at most floor(pct% × scored branches) keep the top grade. "At most" is strict:
  // a branch keeps it only if the top-grade branches scoring at least as much fit under the cap,
  // so a tie straddling the cut is demoted whole. Vetoed branches already hold the lowest grade.
  const pct = rules.topGradeCapPercent;
  if (pct != null && pct > 0) {
    // pct × n / 100, not pct / 100 × n: 0.29 × 100 is 28.999… in binary and would floor to 28.
    const cap = Math.floor(Number(((pct * sheets.length) / 100).toPrecision(15)));
    const tops = sheets.filter((s) => !s.veto && s.grade === top);
    for (const s of tops) {
      if (tops.filter((o) => o.final >= s.final).length > cap) {
        s.grade = second;
        s.capped = true;
      }
    }
  }

  const ranks = competitionRanks(sheets.map((s) => s.final));
  sheets.forEach((s, i) => (s.rank = ranks[i]));
  return sheets;
}

function sumPoints(adjustments: Adjustment[]): number {
  return adjustments.reduce((s, a) => s + a.points, 0);
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
