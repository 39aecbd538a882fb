// One schema per input (cycle configuration, each event's data). The web layer reuses them for OpenAPI.
import { z } from 'zod';
import { DEADLINE_KINDS, DEADLINE_STEPS, type BranchEventType } from '../../workflows/branchReview';
import { DEFAULT_BANDS, DEFAULT_RUBRIC } from './scoring';

const text = (max: number) => z.string().trim().min(1, '不能为空').max(max, `不能超过${max}个字符`);
const instant = z.iso.datetime({ offset: true, message: '须为带时区的 ISO 8601 时间，如 2020-12-04T18:00:00+08:00' });
const email = z.email('邮箱格式不正确').transform((s) => s.toLowerCase());
const day = z.iso.date('须为日期，如 2021-03-31');

export const personSchema = z.object({ email, name: text(100), locale: z.enum(['zh-CN', 'en']).optional() });

export const branchRowSchema = z.object({
  code: z.string().trim().regex(/^[A-Za-z0-9_-]{1,40}$/, '编号只能含字母、数字、-、_'),
  name: text(200),
  secretaryName: text(100),
  secretaryEmail: email,
  deputyEmail: email.optional(),
});

export const panelRowSchema = personSchema.extend({
  /** The panel member's own branch: they never score it (回避). A code not in this cycle simply binds nothing. */
  branchCode: z.string().trim().min(1).optional(),
});

export const cycleConfigSchema = z
  .object({
    year: z.number().int().min(2000).max(2100),
    title: text(200),
    timezone: z.string().default('Asia/Shanghai'),
    topics: z.array(text(200)).default([]),
    deadlines: z.object({ materials: instant, scoring: instant, plan: instant, followUp: instant }),
    meeting: z.object({
      at: instant,
      place: text(200),
      host: z.string().optional(),
      segmentMinutes: z.record(z.string(), z.number()).optional(),
    }),
    rubric: z
      .array(z.object({ key: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/), name: text(50), max: z.number().positive() }))
      .min(1)
      .default(DEFAULT_RUBRIC),
    grades: z
      .object({
        bands: z.array(z.object({ grade: text(10), min: z.number().min(0).max(100) })).min(1),
        topGradeCapPercent: z.number().min(0).max(100).nullable().optional(),
      })
      .default({ bands: DEFAULT_BANDS }),
    democratic: z.object({ enabled: z.boolean(), weightPercent: z.number().min(0).max(100) }).default({ enabled: false, weightPercent: 30 }),
    office: z.array(personSchema).min(1, '至少需要一名党委办公室人员'),
    leaders: z.array(personSchema).default([]),
    /** Extra addresses copied on escalations (抄送). */
    copyTo: z.array(email).default([]),
    branches: z.array(branchRowSchema).min(1, '至少需要一个支部'),
    panel: z.array(panelRowSchema).min(1, '至少需要一名考评组成员'),
  })
  .superRefine((cfg, ctx) => {
    const seen = new Set<string>();
    cfg.branches.forEach((b, i) => {
      if (seen.has(b.code)) ctx.addIssue({ code: 'custom', path: ['branches', i, 'code'], message: `支部编号 ${b.code} 重复` });
      seen.add(b.code);
    });
    const keys = new Set<string>();
    cfg.rubric.forEach((c, i) => {
      if (keys.has(c.key)) ctx.addIssue({ code: 'custom', path: ['rubric', i, 'key'], message: `评分项 ${c.key} 重复` });
      keys.add(c.key);
    });
    const order = Object.entries(cfg.deadlines).sort((a, b) => Date.parse(a[1]) - Date.parse(b[1])).map(([k]) => k);
    if (order.join() !== 'materials,scoring,plan,followUp')
      ctx.addIssue({ code: 'custom', path: ['deadlines'], message: '截止时间须按 材料 < 评分 < 整改方案 < 整改落实 的顺序' });
  });

export type CycleConfig = z.infer<typeof cycleConfigSchema>;

/** What a cycle keeps as its rules: the configuration without its roster (branches and panel have rows of their own). */
export type CycleRules = Omit<CycleConfig, 'branches' | 'panel'> & { branchCount: number };

export function rulesOf(config: CycleConfig): CycleRules {
  const { branches, panel: _panel, ...rules } = config;
  return { ...rules, branchCount: branches.length };
}

const none = z.object({}).strict().optional();
const reason = z.object({ reason: text(2000) });
const fileIds = z.array(z.string().min(1).max(64)).max(20).optional();

/** Event data, by event type. SUBMIT_SCORE's criteria are checked against the cycle's rubric by the engine. */
export const eventDataSchemas = {
  ACKNOWLEDGE: none,
  SUBMIT_MATERIALS: z.object({ summary: text(20000), fileIds }),
  RETURN_MATERIALS: reason,
  ACCEPT_MATERIALS: none,
  START_PRESENTATION: none,
  RECORD_QA: z.object({ question: text(2000), answer: text(4000), askedBy: text(100) }),
  END_PRESENTATION: none,
  SUBMIT_SCORE: z.object({ scores: z.record(z.string(), z.number()), comment: z.string().max(2000).optional() }),
  PUBLISH_RESULTS: none,
  SUBMIT_PLAN: z.object({
    items: z
      .array(z.object({ problem: text(1000), measure: text(2000), owner: text(100), dueDate: day }))
      .min(1, '整改方案至少需要一项'),
  }),
  RETURN_PLAN: reason,
  APPROVE_PLAN: none,
  REPORT_PROGRESS: z.object({ itemId: text(20), note: text(4000), fileIds }),
  VERIFY_ITEM: z.object({ itemId: text(20) }),
  ADJUST_SCORE: z.object({
    points: z.number().min(-100).max(100).refine((n) => n !== 0, '加减分不能为 0'),
    reason: text(2000),
  }),
  VETO: reason,
  EXTEND_DEADLINE: z.object({ deadline: z.enum(DEADLINE_KINDS), until: instant }),
  EXEMPT: reason,
  DEADLINE_DUE: z.object({ deadline: z.enum(DEADLINE_KINDS), step: z.enum(DEADLINE_STEPS) }),
} satisfies Record<BranchEventType, z.ZodType>;

export const eventTypeSchema = z.enum(Object.keys(eventDataSchemas) as [BranchEventType, ...BranchEventType[]]);

export const ballotChoiceSchema = z.enum(['满意', '基本满意', '不满意']);

/** An evaluator's draft: criteria keyed as in the rubric (checked against it by the engine), each unscored or a number. */
export const scoreDraftSchema = z
  .object({
    scores: z.record(z.string().min(1).max(60), z.number().nullable()).refine((s) => Object.keys(s).length <= 50, '评分项过多'),
    comment: z.string().max(2000, '不能超过2000个字符').optional(),
  })
  .strict();

export const localeSchema = z.enum(['zh-CN', 'en']);
export const roleSchema = z.enum(['office', 'leader', 'secretary', 'evaluator']);
export const newUserSchema = z.object({
  email,
  name: text(100),
  roles: z.array(roleSchema).min(1, '至少一个角色').max(4),
  locale: localeSchema.optional(),
});
export const deputySchema = z.object({ email, name: text(100) }).nullable();
