// The quarterly Party-work assessment (季度党建考核), pure: its configuration (kind, quarter, indicators,
// two deadlines), the checks on a self-assessment or the office's scores against the indicators, and
// the results: each branch's final is the sum of the office's indicator scores, graded by the cycle's
// bands (and cap), ranked by competition — the annual rules with one "evaluator", the office.
import { z } from 'zod';
import { QUARTERLY_DEADLINE_KINDS, type Indicator } from '../../workflows/quarterlyAssessment';
import { branchRowSchema, cycleConfigSchema, personSchema, safeText } from './schemas';
import { computeResults, DEFAULT_BANDS, roundHalfUp, type ScoreSheet } from './scoring';

const instant = z.iso.datetime({ offset: true, message: '须为带时区的 ISO 8601 时间，如 2020-12-04T18:00:00+08:00' });
const text = (max: number) => safeText(max);
const shape = cycleConfigSchema.shape;

/** A quarterly cycle's configuration (the annual review's is cycleConfigSchema). */
export const quarterlyConfigSchema = z
  .object({
    kind: z.literal('quarterlyAssessment'),
    year: z.number().int().min(2000).max(2100),
    quarter: z.number().int().min(1, '季度须为 1–4').max(4, '季度须为 1–4'),
    title: text(200).optional(),
    timezone: safeText(64).default('Asia/Shanghai'),
    topics: z.array(text(200)).max(50).default([]),
    deadlines: z.object({ selfAssessment: instant, review: instant }),
    indicators: z
      .array(z.object({ key: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,59}$/), name: text(50), max: z.number().positive().max(1000) }))
      .min(1, '至少需要一项考核指标')
      .max(50),
    grades: z
      .object({
        bands: z.array(z.object({ grade: text(10), min: z.number().min(0).max(100) })).min(1).max(20),
        topGradeCapPercent: z.number().min(0).max(100).nullable().optional(),
      })
      .default({ bands: DEFAULT_BANDS }),
    office: z.array(personSchema).min(1, '至少需要一名党委办公室人员').max(100),
    leaders: z.array(personSchema).max(100).default([]),
    copyTo: shape.copyTo,
    documents: shape.documents,
    channels: shape.channels,
    branches: z.array(branchRowSchema).min(1, '至少需要一个支部').max(10000),
    /** No panel: the office scores. Accepted (and ignored) so one file can serve both kinds. */
    panel: z.array(z.unknown()).max(1000).default([]),
  })
  .superRefine((cfg, ctx) => {
    const seen = new Set<string>();
    cfg.branches.forEach((b, i) => {
      if (seen.has(b.code)) ctx.addIssue({ code: 'custom', path: ['branches', i, 'code'], message: `支部编号 ${b.code} 重复` });
      seen.add(b.code);
    });
    const keys = new Set<string>();
    cfg.indicators.forEach((c, i) => {
      if (keys.has(c.key)) ctx.addIssue({ code: 'custom', path: ['indicators', i, 'key'], message: `考核指标 ${c.key} 重复` });
      keys.add(c.key);
    });
    if (Date.parse(cfg.deadlines.selfAssessment) >= Date.parse(cfg.deadlines.review))
      ctx.addIssue({ code: 'custom', path: ['deadlines'], message: '截止时间须按 自评 < 审核评分 的顺序' });
  })
  .transform((cfg) => ({ ...cfg, title: cfg.title ?? `${cfg.year}年第${'一二三四'[cfg.quarter - 1]}季度党建工作考核`, panel: [] as never[] }));

export type QuarterlyConfig = z.output<typeof quarterlyConfigSchema>;
export type QuarterlyRules = Omit<QuarterlyConfig, 'branches' | 'panel'> & { branchCount: number };

export function quarterlyRulesOf(config: QuarterlyConfig): QuarterlyRules {
  const { branches, panel: _panel, ...rules } = config;
  return { ...rules, branchCount: branches.length };
}

export const QUARTERLY_DEADLINES = QUARTERLY_DEADLINE_KINDS;

/** Each indicator present once, known, within 0..max in half points; as for the annual rubric. */
export function checkIndicatorScores(scores: Record<string, unknown>, indicators: Indicator[]): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  const known = new Map(indicators.map((i) => [i.key, i]));
  for (const key of Object.keys(scores)) if (!known.has(key)) issues.push({ path: key, message: `没有考核指标 ${key}` });
  for (const ind of indicators) {
    const v = scores[ind.key];
    if (v === undefined) issues.push({ path: ind.key, message: `缺少「${ind.name}」的分数` });
    else if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > ind.max) issues.push({ path: ind.key, message: `「${ind.name}」须在 0–${ind.max} 分之间` });
    else if (Math.round(v * 2) !== v * 2) issues.push({ path: ind.key, message: `「${ind.name}」的最小单位为 0.5 分` });
  }
  return issues;
}

/** A quarterly score sheet: the annual sheet's fields (one total: the office's) and each indicator. */
export interface QuarterlySheet extends ScoreSheet {
  indicators: { key: string; name: string; max: number; self: number | null; score: number }[];
  comment: string;
}

export interface QuarterlyBranchInput {
  code: string;
  indicators: Indicator[];
  self: Record<string, number>;
  scores: Record<string, number>;
  comment: string;
}

/** Finals (sum of the office's indicator scores), grades (bands, cap) and ranks of a quarter's scored branches. */
export function quarterlyResults(rules: Pick<QuarterlyRules, 'grades'>, branches: QuarterlyBranchInput[]): QuarterlySheet[] {
  const totals = branches.map((b) => roundHalfUp(b.indicators.reduce((s, i) => s + (b.scores[i.key] ?? 0), 0)));
  const sheets = computeResults(
    { rubric: [], bands: rules.grades.bands, topGradeCapPercent: rules.grades.topGradeCapPercent ?? null, democratic: { enabled: false, weightPercent: 0 } },
    branches.map((b, n) => ({ code: b.code, evaluatorTotals: [totals[n]], adjustments: [], veto: null })),
  );
  return sheets.map((sheet, n) => ({
    ...sheet,
    indicators: branches[n].indicators.map((i) => ({ key: i.key, name: i.name, max: i.max, self: branches[n].self[i.key] ?? null, score: branches[n].scores[i.key] })),
    comment: branches[n].comment,
  }));
}
