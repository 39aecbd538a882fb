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
  evaluatorTotals: number[];
  ballots?: Ballots | null;
  adjustments: Adjustment[];
  veto?: { reason: string } | null;
}
export interface ScoreSheet {
  code: string;
  totals: number[];
  dropped: { highest: number; lowest: number } | null;
  panel: number;
  ballots: Ballots | null;
  rate: number | null;
  base: number;
  adjustments: Adjustment[];
  adjustmentTotal: number;
  final: number;
  bandGrade: string;
  veto: { reason: string } | null;
  capped: boolean;
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

/** Half up on the decimal digits, shifting through the exponent so 84.125 is not 84.12499999… */
export function roundHalfUp(x: number, decimals = 2): number {
  const sign = x < 0 ? -1 : 1;
  const shifted = Math.round(Number(`${Math.abs(x)}e${decimals}`));
  return sign * Number(`${shifted}e-${decimals}`);
}

/** Each criterion present, known, within 0..max, in half points. */
export function checkScores(scores: Record<string, unknown>, rubric: Criterion[]): ScoreIssue[] {
  const issues: ScoreIssue[] = [];
  const known = new Set(rubric.map((c) => c.key));
  for (const key of Object.keys(scores)) {
    if (!known.has(key)) issues.push({ path: `scores.${key}`, message: `评分细则中没有此项 ${key}` });
  }
  for (const c of rubric) {
    const v = scores[c.key];
    if (v === undefined || v === null) issues.push({ path: `scores.${c.key}`, message: `缺少“${c.name}”的得分` });
    else if (typeof v !== 'number' || !Number.isFinite(v)) issues.push({ path: `scores.${c.key}`, message: `“${c.name}”须为数字` });
    else if (v < 0 || v > c.max) issues.push({ path: `scores.${c.key}`, message: `“${c.name}”须在 0 到 ${c.max} 之间` });
    else if (!Number.isInteger(v * 2)) issues.push({ path: `scores.${c.key}`, message: `“${c.name}”最小单位为 0.5 分` });
  }
  return issues;
}

export function evaluatorTotal(scores: Record<string, number>, rubric: Criterion[]): number {
  return roundHalfUp(rubric.reduce((sum, c) => sum + (scores[c.key] ?? 0), 0));
}

/** 去掉一个最高分和一个最低分 when there are 5 or more totals. */
export function panelScore(totals: number[]): { panel: number; dropped: { highest: number; lowest: number } | null } {
  if (!totals.length) throw new Error('a branch cannot be scored without any evaluator total');
  if (totals.length < 5) return { panel: roundHalfUp(mean(totals)), dropped: null };
  const sorted = [...totals].sort((a, b) => a - b);
  return { panel: roundHalfUp(mean(sorted.slice(1, -1))), dropped: { highest: sorted[sorted.length - 1], lowest: sorted[0] } };
}

/** 民主测评满意率 = (满意 + 0.5 × 基本满意) / 票数 × 100; no ballot cast, no rate. */
export function approvalRate(b: Ballots | null | undefined): number | null {
  if (!b) return null;
  const cast = b.satisfied + b.basic + b.unsatisfied;
  if (cast === 0) return null;
  return roundHalfUp(((b.satisfied + 0.5 * b.basic) / cast) * 100);
}

export function baseScore(panel: number, rate: number | null, democratic: ScoringRules['democratic']): number {
  if (!democratic.enabled || rate === null) return roundHalfUp(panel);
  const w = democratic.weightPercent / 100;
  return roundHalfUp(panel * (1 - w) + rate * w);
}

export function finalScore(base: number, adjustments: Adjustment[]): number {
  const total = adjustments.reduce((s, a) => s + a.points, 0);
  return roundHalfUp(Math.min(100, Math.max(0, base + total)));
}

const byMinDesc = (bands: GradeBand[]) => [...bands].sort((a, b) => b.min - a.min);

export function bandGrade(final: number, bands: GradeBand[]): string {
  const sorted = byMinDesc(bands);
  return (sorted.find((b) => final >= b.min) ?? sorted[sorted.length - 1]).grade;
}

/** Competition ranking (1, 2, 2, 4) on finals, highest first; same order as the input. */
export function competitionRanks(finals: number[]): number[] {
  return finals.map((f) => finals.filter((other) => other > f).length + 1);
}

export function computeResults(rules: ScoringRules, branches: BranchScoringInput[]): ScoreSheet[] {
  const bands = byMinDesc(rules.bands);
  const top = bands[0].grade;
  const second = (bands[1] ?? bands[0]).grade;
  const lowest = bands[bands.length - 1].grade;

  const sheets: ScoreSheet[] = branches.map((b) => {
    const { panel, dropped } = panelScore(b.evaluatorTotals);
    const rate = rules.democratic.enabled ? approvalRate(b.ballots) : null;
    const base = baseScore(panel, rate, rules.democratic);
    const final = finalScore(base, b.adjustments);
    const band = bandGrade(final, rules.bands);
    const veto = b.veto ?? null;
    return {
      code: b.code,
      totals: [...b.evaluatorTotals],
      dropped,
      panel,
      ballots: rules.democratic.enabled ? (b.ballots ?? null) : null,
      rate,
      base,
      adjustments: b.adjustments,
      adjustmentTotal: roundHalfUp(b.adjustments.reduce((s, a) => s + a.points, 0)),
      final,
      bandGrade: band,
      veto,
      capped: false,
      grade: veto ? lowest : band, // 一票否决
      rank: 0,
    };
  });

  // The cap on the top grade is strict ("at most"): a branch keeps it only if the top-grade
  // branches scoring at least as much as it fit under the cap, so a tie across the cut is demoted whole.
  if (rules.topGradeCapPercent) {
    const cap = Math.floor((rules.topGradeCapPercent / 100) * sheets.length);
    const tops = sheets.filter((s) => s.grade === top);
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

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
