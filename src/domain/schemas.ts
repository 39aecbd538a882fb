// One schema per input (cycle configuration, each event's data). The web layer reuses them for OpenAPI.
import { z } from 'zod';
import { DEADLINE_KINDS, DEADLINE_STEPS, type BranchEventType } from '../../workflows/branchReview';
import { QUARTERLY_DEADLINE_KINDS, type QuarterlyEventType } from '../../workflows/quarterlyAssessment';
import { DEFAULT_BANDS, DEFAULT_RUBRIC } from './scoring';

/** NUL, the other C0 controls (tab and line breaks aside) and DEL: no column, page or mail wants them. */
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
/** A UTF-16 surrogate without its partner is no character: UTF-8 (PostgreSQL, mail, files) cannot hold it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a text cannot be stored as given, or undefined when it can. */
export function unsafeTextReason(s: string): string | undefined {
  if (s.includes('\u0000')) return '不能含 NUL 字符 (\\0)';
  if (CONTROL.test(s)) return '不能含控制字符';
  if (LONE_SURROGATE.test(s)) return '含有无效的 Unicode 字符（孤立的 UTF-16 代理项）';
  return undefined;
}

/**
 * Safe text, the one rule for every text we accept (schemas here, request bodies, roster rows): at
 * most `max` characters, no NUL or other control character, no lone surrogate; trimmed and required
 * unless told otherwise. An issue names the field it is in.
 */
export function safeText(max: number, opts: { trim?: boolean; min?: number } = {}) {
  const min = opts.min ?? 1;
  let s = z.string();
  if (opts.trim !== false) s = s.trim();
  if (min > 0) s = s.min(min, '不能为空');
  return s.max(max, `不能超过${max}个字符`).superRefine((v, ctx) => {
    const why = unsafeTextReason(v);
    if (why) ctx.addIssue({ code: 'custom', message: why });
  });
}

const text = (max: number) => safeText(max);
const instant = z.iso.datetime({ offset: true, message: '须为带时区的 ISO 8601 时间，如 2020-12-04T18:00:00+08:00' });
const email = z.email('邮箱格式不正确').max(254, '不能超过254个字符').transform((s) => s.toLowerCase());

/** The largest value of PostgreSQL's integer (int4), the type of every id and version column. */
export const MAX_DB_INT = 2_147_483_647;
/** An id (or a year) as it comes in a path, a query or an option: a positive integer within int4. */
export const idText = (message = '须为正整数') =>
  z.string().regex(/^[1-9][0-9]{0,9}$/, { message, abort: true }).refine((v) => Number(v) <= MAX_DB_INT, message);
/** A whole number within int4 (a count, a version): never one the database cannot hold. */
export const dbInt = () => z.number().int('须为整数').min(-MAX_DB_INT).max(MAX_DB_INT);
export const cycleRefSchema = idText('须为周期编号或年份');
export const branchCodeSchema = z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, '支部编号只能含字母、数字、-、_');
/** Stored files are named by 16 random bytes in hex (src/engine/files.ts). */
export const fileIdSchema = z.string().regex(/^[0-9a-f]{32}$/, '文件编号不正确');
export const ballotTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{10,100}$/, '测评票不正确');
/** A one-time password link's token (base64url). */
export const linkTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{10,200}$/, '链接不正确或已失效');
/** Idempotency-Key: visible ASCII, as long as its column. */
export const idempotencyKeySchema = z.string().regex(/^[\x21-\x7E]{1,200}$/, '须为 1–200 个可见 ASCII 字符');
/** An email typed to sign in, ask for a reset or unlock: any safe text (a wrong one simply matches nobody). */
export const emailTypedSchema = safeText(254);
const day = z.iso.date('须为日期，如 2021-03-31');

/** The problem categories of a cycle that names none. The catch-all (其他) is never a repeat (屡查屡犯). */
export const DEFAULT_PROBLEM_CATEGORIES = ['党建与业务融合（两张皮）', '三会一课', '发展党员', '理论学习', '作风建设', '其他'];
export const CATCH_ALL_CATEGORY = '其他';

export const personSchema = z.object({ email, name: text(100), locale: z.enum(['zh-CN', 'en']).optional() });

export const branchRowSchema = z.object({
  code: z.string().trim().pipe(branchCodeSchema),
  name: text(200),
  secretaryName: text(100),
  secretaryEmail: email,
  deputyEmail: email.optional(),
  /** 板块: the business segment the branch belongs to (compared on the dashboard, grouped in the bulletin). */
  segment: safeText(100).optional(),
});

export const panelRowSchema = personSchema.extend({
  /** The panel member's own branch: they never score it (回避). A code not in this cycle simply binds nothing. */
  branchCode: safeText(40).optional(),
});

export const cycleConfigSchema = z
  .object({
    /** 考核类型: this schema is the annual review's (src/domain/quarterly.ts has the quarterly assessment's). */
    kind: z.literal('annualReview').default('annualReview'),
    year: z.number().int().min(2000).max(2100),
    title: text(200),
    timezone: safeText(64).default('Asia/Shanghai'),
    topics: z.array(text(200)).max(50).default([]),
    deadlines: z.object({ materials: instant, scoring: instant, plan: instant, followUp: instant }),
    meeting: z.object({
      at: instant,
      place: text(200),
      host: safeText(254).optional(),
      segmentMinutes: z.record(safeText(40), z.number().min(0).max(1440)).optional(),
    }),
    rubric: z
      .array(z.object({ key: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,59}$/), name: text(50), max: z.number().positive().max(1000) }))
      .min(1)
      .max(50)
      .default(DEFAULT_RUBRIC),
    grades: z
      .object({
        bands: z.array(z.object({ grade: text(10), min: z.number().min(0).max(100) })).min(1).max(20),
        topGradeCapPercent: z.number().min(0).max(100).nullable().optional(),
      })
      .default({ bands: DEFAULT_BANDS }),
    democratic: z.object({ enabled: z.boolean(), weightPercent: z.number().min(0).max(100) }).default({ enabled: false, weightPercent: 30 }),
    office: z.array(personSchema).min(1, '至少需要一名党委办公室人员').max(100),
    leaders: z.array(personSchema).max(100).default([]),
    /** Extra addresses copied on escalations (抄送). */
    copyTo: z.array(email).max(100).default([]),
    /** Word documents (公文格式): the issuer (发文机关), its red mark, the document numbers (发文字号) and the signature (落款). */
    documents: z
      .object({
        issuer: text(100),
        /** the red issuer's mark; default: the issuer followed by 文件 */
        header: text(100).optional(),
        /** the bulletin's number, e.g. 中机中联党〔2020〕12号; default: 〔year〕1号 */
        number: text(60).optional(),
        /** the letters' number; default: the bulletin's */
        lettersNumber: text(60).optional(),
        /** 落款; default: the issuer */
        signature: text(100).optional(),
      })
      .optional(),
    /** 群机器人: office-level notices (launch, the daily overdue digest, results) to 企业微信 / 钉钉 group robots. */
    channels: z
      .array(
        z.object({
          kind: z.enum(['wecom', 'dingtalk']),
          url: z.url({ protocol: /^https?$/, message: '须为 http(s) 网址' }).max(1000),
          /** 钉钉 加签: the robot's secret (SEC…); the URL then carries timestamp and sign */
          secret: safeText(200).optional(),
        }),
      )
      .max(10)
      .default([]),
    /** 问题类别: the categories a branch's problems are filed under (屡查屡犯 is the same category again). */
    problemCategories: z.array(text(100)).min(1).max(50).default(DEFAULT_PROBLEM_CATEGORIES),
    /** 整改延续: each branch's unverified plan items of this earlier year open again in this cycle. */
    carryOverFrom: z.number().int().min(2000).max(2100).optional(),
    branches: z.array(branchRowSchema).min(1, '至少需要一个支部').max(100_000, '一个周期最多 100,000 个支部'),
    panel: z.array(panelRowSchema).min(1, '至少需要一名考评组成员').max(1000),
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
    if (cfg.carryOverFrom !== undefined && cfg.carryOverFrom >= cfg.year)
      ctx.addIssue({ code: 'custom', path: ['carryOverFrom'], message: '须为本年度之前的年度' });
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
const fileIds = z.array(fileIdSchema).max(20).optional();

/** Event data, by event type. SUBMIT_SCORE's criteria are checked against the cycle's rubric by the engine. */
export const eventDataSchemas = {
  ACKNOWLEDGE: none,
  SUBMIT_MATERIALS: z.object({ summary: text(20000), fileIds }),
  RETURN_MATERIALS: reason,
  ACCEPT_MATERIALS: none,
  START_PRESENTATION: none,
  // 提问人: a panel member, by user id (askedById; the engine fills in the name) or by name.
  RECORD_QA: z
    .object({ question: text(2000), answer: text(4000), askedBy: text(100).optional(), askedById: idText('须为考评组成员编号').optional() })
    .refine((d) => d.askedBy !== undefined || d.askedById !== undefined, { message: '请选择或填写提问人', path: ['askedBy'] }),
  END_PRESENTATION: none,
  SUBMIT_SCORE: z.object({ scores: z.record(safeText(60, { trim: false }), z.number()), comment: safeText(2000, { min: 0, trim: false }).optional() }),
  PUBLISH_RESULTS: none,
  SUBMIT_PLAN: z.object({
    items: z
      // Each item names the branch's problem it rectifies (problemId), or states a new one (problem).
      .array(
        z
          .object({ problemId: z.number().int().positive().max(MAX_DB_INT).optional(), problem: text(1000).optional(), measure: text(2000), owner: text(100), dueDate: day })
          .refine((i) => i.problemId !== undefined || i.problem !== undefined, { message: '请选择对应的问题或填写问题', path: ['problem'] }),
      )
      .min(1, '整改方案至少需要一项')
      .max(100),
  }),
  RETURN_PLAN: reason,
  APPROVE_PLAN: none,
  REPORT_PROGRESS: z.object({ itemId: text(20), note: text(4000), fileIds }),
  // acceptNote: the office accepts the progress note as the evidence (no file).
  VERIFY_ITEM: z.object({ itemId: text(20), acceptNote: z.boolean().optional() }),
  ADJUST_SCORE: z.object({
    points: z.number().min(-100).max(100).refine((n) => n !== 0, '加减分不能为 0'),
    reason: text(2000),
  }),
  VETO: reason,
  EXTEND_DEADLINE: z.object({ deadline: z.enum([...DEADLINE_KINDS, ...QUARTERLY_DEADLINE_KINDS]), until: instant }),
  EXEMPT: reason,
  DEADLINE_DUE: z.object({ deadline: z.enum([...DEADLINE_KINDS, ...QUARTERLY_DEADLINE_KINDS]), step: z.enum(DEADLINE_STEPS) }),
  // 季度党建考核 (workflows/quarterlyAssessment.ts): indicators are checked against the cycle's by the engine.
  SUBMIT_SELF_ASSESSMENT: z.object({
    items: z
      .array(z.object({ key: safeText(60), score: z.number(), note: safeText(2000, { min: 0 }).optional(), fileIds }))
      .min(1, '至少自评一项')
      .max(50),
    summary: safeText(20000, { min: 0 }).optional(),
  }),
  RETURN_SELF_ASSESSMENT: reason,
  SCORE_INDICATORS: z.object({ scores: z.record(safeText(60, { trim: false }), z.number()), comment: safeText(2000, { min: 0, trim: false }).optional() }),
} satisfies Record<BranchEventType | QuarterlyEventType, z.ZodType>;

export const eventTypeSchema = z.enum(Object.keys(eventDataSchemas) as [BranchEventType | QuarterlyEventType, ...(BranchEventType | QuarterlyEventType)[]]);

export const ballotChoiceSchema = z.enum(['满意', '基本满意', '不满意']);

/** An evaluator's draft: criteria keyed as in the rubric (checked against it by the engine), each unscored or a number. */
export const scoreDraftSchema = z
  .object({
    scores: z.record(safeText(60, { trim: false }), z.number().nullable()).refine((s) => Object.keys(s).length <= 50, '评分项过多'),
    comment: safeText(2000, { min: 0, trim: false }).optional(),
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
