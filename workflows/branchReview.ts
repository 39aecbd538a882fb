// The branch review statechart (支部述评流程): one per branch per cycle.
// Pure: guards and assigns only. Side effects are declared as `notify` actions
// with params; the engine turns them into outbox mails inside its transaction.
import { and, assign, setup } from 'xstate';

export const DEADLINE_KINDS = ['materials', 'scoring', 'plan', 'followUp'] as const;
export type DeadlineKind = (typeof DEADLINE_KINDS)[number];
/** Reminder steps of a deadline: 3 days before, 1 day before, on the day, overdue. */
export const DEADLINE_STEPS = ['d-3', 'd-1', 'd0', 'overdue'] as const;
export type DeadlineStep = (typeof DEADLINE_STEPS)[number];

export type Role = 'office' | 'secretary' | 'evaluator' | 'leader' | 'system';

// ── Vocabulary ────────────────────────────────────────────────────────────────
// The names people read, in both languages, live here next to the machine; the glossary,
// the web dictionaries and the read models derive theirs from it (see phases.ts).
export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export type Label = Readonly<Record<Locale, string>>;

/** Whose move it is in a phase. */
export const TURNS = ['office', 'secretary', 'evaluator', 'none'] as const;
export type Turn = (typeof TURNS)[number];

/**
 * State tags. Every top-level state carries `open` or `final`, one `turn:*`, and where it applies
 * the `deadline:*` that binds there, `ballots` (民主测评 ballots are accepted) and `scoringOpen`
 * (an evaluator may score or keep a draft).
 */
export type PhaseTag = 'open' | 'final' | `turn:${Turn}` | `deadline:${DeadlineKind}` | 'ballots' | 'scoringOpen';

/** State meta: every state names itself. */
export interface StateMeta {
  label: Label;
}

export const ROLE_LABELS: Record<Role, Label> = {
  office: { 'zh-CN': '党委办公室', en: 'Party Committee Office' },
  secretary: { 'zh-CN': '党支部书记', en: 'Branch secretary' },
  evaluator: { 'zh-CN': '考评组成员', en: 'Panel member' },
  leader: { 'zh-CN': '党委领导', en: 'Leader' },
  system: { 'zh-CN': '调度程序', en: 'Scheduler' },
};

export const DEADLINE_LABELS: Record<DeadlineKind, Label> = {
  materials: { 'zh-CN': '述职材料', en: 'Materials' },
  scoring: { 'zh-CN': '评分', en: 'Scoring' },
  plan: { 'zh-CN': '整改方案', en: 'Improvement plan' },
  followUp: { 'zh-CN': '整改落实', en: 'Follow-up' },
};

const label = (zh: string, en: string): StateMeta => ({ label: { 'zh-CN': zh, en } });

/** Who is addressed by a notify action; the engine resolves these to people. */
export type Audience = 'secretary' | 'office' | 'leaders' | 'evaluators' | 'pendingEvaluators';

export interface PlanItem {
  id: string;
  /** The branch's problem (问题清单) the item rectifies: every item is tied to one. */
  problemId?: number;
  problem: string;
  measure: string;
  owner: string;
  dueDate: string;
  status: 'open' | 'inProgress' | 'verified';
  progress: { note: string; fileIds: string[]; by: string }[];
  /** The year of the cycle an unverified item was carried over from (整改延续); open until verified here. */
  carriedOverFrom?: number;
  /** What the office accepted as evidence when it verified the item: a file, or the progress note. */
  verifiedWith?: 'file' | 'note';
}

export interface ScoreEntry { scores: Record<string, number>; comment: string }

export interface BranchReviewContext {
  expectedEvaluators: string[]; // user ids of panel members minus conflicts (回避)
  deadlines: Record<DeadlineKind, string>; // ISO instants
  deadlineHistory: { kind: DeadlineKind; from: string; until: string; by: string }[];
  materials: { summary: string; fileIds: string[] } | null;
  materialsReturns: { reason: string; by: string }[];
  qa: { question: string; answer: string; askedBy: string; askedById?: string }[];
  scores: Record<string, ScoreEntry>; // by evaluator user id; private until publication
  adjustments: { points: number; reason: string; by: string }[];
  veto: { reason: string; by: string } | null;
  result: { final: number; grade: string; rank: number; of: number; scoreSheet: unknown } | null;
  planItems: PlanItem[];
  planReturns: { reason: string; by: string }[];
  exemptReason: string | null;
}

export interface BranchReviewInput {
  expectedEvaluators: string[];
  deadlines: Record<DeadlineKind, string>;
  /** Unverified items of an earlier cycle (`carryOverFrom`), open in this review until verified. */
  carriedItems?: PlanItem[];
}

type E<T extends string, D = undefined> = D extends undefined
  ? { type: T; by: string; data?: undefined }
  : { type: T; by: string; data: D };

export type BranchReviewEvent =
  | E<'ACKNOWLEDGE'>
  | E<'SUBMIT_MATERIALS', { summary: string; fileIds?: string[] }>
  | E<'RETURN_MATERIALS', { reason: string }>
  | E<'ACCEPT_MATERIALS'>
  | E<'START_PRESENTATION'>
  | E<'RECORD_QA', { question: string; answer: string; askedBy: string; askedById?: string }>
  | E<'END_PRESENTATION'>
  | E<'SUBMIT_SCORE', { scores: Record<string, number>; comment?: string }>
  | E<'PUBLISH_RESULTS', { final: number; grade: string; rank: number; of: number; scoreSheet: unknown }>
  | E<'SUBMIT_PLAN', { items: { problemId?: number; problem: string; measure: string; owner: string; dueDate: string }[] }>
  | E<'RETURN_PLAN', { reason: string }>
  | E<'APPROVE_PLAN'>
  | E<'REPORT_PROGRESS', { itemId: string; note: string; fileIds?: string[] }>
  | E<'VERIFY_ITEM', { itemId: string; acceptNote?: boolean }>
  | E<'ADJUST_SCORE', { points: number; reason: string }>
  | E<'VETO', { reason: string }>
  | E<'EXTEND_DEADLINE', { deadline: DeadlineKind; until: string }>
  | E<'EXEMPT', { reason: string }>
  | E<'DEADLINE_DUE', { deadline: DeadlineKind; step: DeadlineStep }>;

export type BranchEventType = BranchReviewEvent['type'];

export interface EventMeta {
  label: Label;
  /** Who may send it (谁可发起). The engine enforces it, together with the branch check. */
  roles: readonly Role[];
  /** Decides an outcome or is hard to undo: worth a confirmation before it is sent. */
  weighty?: boolean;
}

/** Every event of the branch machine: a new event does not compile until it is named here. */
export const EVENT_META: Record<BranchEventType, EventMeta> = {
  ACKNOWLEDGE: { label: { 'zh-CN': '确认收到通知', en: 'Acknowledge' }, roles: ['secretary'] },
  SUBMIT_MATERIALS: { label: { 'zh-CN': '提交述职材料', en: 'Submit materials' }, roles: ['secretary'] },
  RETURN_MATERIALS: { label: { 'zh-CN': '退回材料', en: 'Return materials' }, roles: ['office'] },
  ACCEPT_MATERIALS: { label: { 'zh-CN': '材料通过', en: 'Accept materials' }, roles: ['office'], weighty: true },
  START_PRESENTATION: { label: { 'zh-CN': '开始现场述职', en: 'Start presentation' }, roles: ['office'] },
  RECORD_QA: { label: { 'zh-CN': '记录问答', en: 'Record Q&A' }, roles: ['office', 'evaluator'] },
  END_PRESENTATION: { label: { 'zh-CN': '结束述职，进入评分', en: 'End presentation' }, roles: ['office'], weighty: true },
  SUBMIT_SCORE: { label: { 'zh-CN': '提交评分', en: 'Submit score' }, roles: ['evaluator'] },
  PUBLISH_RESULTS: { label: { 'zh-CN': '公布结果', en: 'Publish results' }, roles: ['office'], weighty: true },
  SUBMIT_PLAN: { label: { 'zh-CN': '提交整改方案', en: 'Submit plan' }, roles: ['secretary'] },
  RETURN_PLAN: { label: { 'zh-CN': '退回整改方案', en: 'Return plan' }, roles: ['office'] },
  APPROVE_PLAN: { label: { 'zh-CN': '批准整改方案', en: 'Approve plan' }, roles: ['office'], weighty: true },
  REPORT_PROGRESS: { label: { 'zh-CN': '报告进展', en: 'Report progress' }, roles: ['secretary'] },
  VERIFY_ITEM: { label: { 'zh-CN': '销号', en: 'Verify' }, roles: ['office'], weighty: true },
  ADJUST_SCORE: { label: { 'zh-CN': '加减分', en: 'Adjust score' }, roles: ['office'] },
  VETO: { label: { 'zh-CN': '一票否决', en: 'Veto' }, roles: ['office'], weighty: true },
  EXTEND_DEADLINE: { label: { 'zh-CN': '延长截止时间', en: 'Extend deadline' }, roles: ['office'] },
  EXEMPT: { label: { 'zh-CN': '免于述评', en: 'Exempt' }, roles: ['office'], weighty: true },
  DEADLINE_DUE: { label: { 'zh-CN': '截止提醒', en: 'Deadline reminder' }, roles: ['system'] },
};

/** Who may send each event (谁可发起), from EVENT_META. */
export const EVENT_ROLES = Object.fromEntries(
  Object.entries(EVENT_META).map(([type, meta]) => [type, meta.roles]),
) as Record<BranchEventType, readonly Role[]>;

export interface NotifyParams {
  template: string;
  to: Audience[];
  /** The deadline the mail speaks of ("by when"). */
  deadline?: DeadlineKind;
}

/** An item has evidence on file: some progress report came with at least one file. */
export const hasEvidenceFile = (item: PlanItem): boolean => item.progress.some((p) => p.fileIds.length > 0);

const notify = (template: string, to: Audience[], deadline?: DeadlineKind) => ({
  type: 'notify' as const,
  params: { template, to, deadline } satisfies NotifyParams,
});

/** Who must act on a deadline kind: reminders go to them, escalations copy them. */
const RESPONSIBLE: Record<DeadlineKind, Audience> = {
  materials: 'secretary',
  scoring: 'pendingEvaluators',
  plan: 'secretary',
  followUp: 'secretary',
};

// DEADLINE_DUE is handled only in the phases where that deadline binds (tagged `deadline:<kind>`);
// anywhere else it is refused, and the scheduler records the timer as skipped.
const deadlineDue = (kind: DeadlineKind) => [
  {
    guard: { type: 'deadlineIs' as const, params: { kind, overdue: true } },
    actions: [notify('overdue', [RESPONSIBLE[kind]], kind), notify('escalation', ['office', 'leaders'], kind)],
  },
  { guard: { type: 'deadlineIs' as const, params: { kind, overdue: false } }, actions: notify('reminder', [RESPONSIBLE[kind]], kind) },
];

// 加减分 and 一票否决 are allowed until results are published.
// Every open phase takes these. (Handlers on the root would make can() answer true even in a final state.)
const whileOpen = {
  EXTEND_DEADLINE: { actions: ['recordExtension', { type: 'notify', params: ({ event }: { event: BranchReviewEvent }) => extensionNotice(event) }] },
  EXEMPT: { target: '#branchReview.exempted', actions: ['recordExemption', notify('exempted', ['secretary', 'office'])] },
} as const;

const beforePublication = {
  ...whileOpen,
  ADJUST_SCORE: { actions: 'recordAdjustment' },
  VETO: { actions: 'recordVeto' },
} as const;

function extensionNotice(event: BranchReviewEvent): NotifyParams {
  const kind = event.type === 'EXTEND_DEADLINE' ? event.data.deadline : 'materials';
  return { template: 'deadlineExtended', to: [RESPONSIBLE[kind]], deadline: kind };
}

export const branchReviewMachine = setup({
  types: {
    context: {} as BranchReviewContext,
    events: {} as BranchReviewEvent,
    input: {} as BranchReviewInput,
    tags: {} as PhaseTag,
    meta: {} as StateMeta,
  },
  actions: {
    // Declared, never executed here: the engine reads it from transition()'s action list.
    notify: (_, _params: NotifyParams) => {},
    saveScore: assign({
      scores: ({ context, event }) =>
        event.type === 'SUBMIT_SCORE'
          ? { ...context.scores, [event.by]: { scores: event.data.scores, comment: event.data.comment ?? '' } }
          : context.scores,
    }),
    recordExtension: assign(({ context, event }) =>
      event.type === 'EXTEND_DEADLINE'
        ? {
            deadlines: { ...context.deadlines, [event.data.deadline]: event.data.until },
            deadlineHistory: [
              ...context.deadlineHistory,
              { kind: event.data.deadline, from: context.deadlines[event.data.deadline], until: event.data.until, by: event.by },
            ],
          }
        : {},
    ),
    recordExemption: assign({ exemptReason: ({ context, event }) => (event.type === 'EXEMPT' ? event.data.reason : context.exemptReason) }),
    recordAdjustment: assign({
      adjustments: ({ context, event }) =>
        event.type === 'ADJUST_SCORE'
          ? [...context.adjustments, { points: event.data.points, reason: event.data.reason, by: event.by }]
          : context.adjustments,
    }),
    recordVeto: assign({
      veto: ({ context, event }) => (event.type === 'VETO' ? { reason: event.data.reason, by: event.by } : context.veto),
    }),
    verifyItem: assign({
      planItems: ({ context, event }) =>
        event.type === 'VERIFY_ITEM'
          ? context.planItems.map((i) =>
              i.id === event.data.itemId ? { ...i, status: 'verified' as const, verifiedWith: hasEvidenceFile(i) ? ('file' as const) : ('note' as const) } : i,
            )
          : context.planItems,
    }),
  },
  guards: {
    isExpectedEvaluator: ({ context, event }) => context.expectedEvaluators.includes(event.by),
    completesScoring: ({ context, event }) => {
      const done = new Set(Object.keys(context.scores));
      if (event.type === 'SUBMIT_SCORE') done.add(event.by);
      return context.expectedEvaluators.length > 0 && context.expectedEvaluators.every((id) => done.has(id));
    },
    isOpenItem: ({ context, event }) =>
      (event.type === 'VERIFY_ITEM' || event.type === 'REPORT_PROGRESS') &&
      context.planItems.some((i) => i.id === event.data.itemId && i.status !== 'verified'),
    // 销号 only what the branch has reported on: the item is in progress with at least one progress entry.
    isReportedItem: ({ context, event }) =>
      event.type === 'VERIFY_ITEM' &&
      context.planItems.some((i) => i.id === event.data.itemId && i.status === 'inProgress' && i.progress.length > 0),
    // 销号 needs evidence: a file reported with the progress, or the progress note the office accepts as evidence.
    hasEvidence: ({ context, event }) =>
      event.type === 'VERIFY_ITEM' &&
      context.planItems.some((i) => i.id === event.data.itemId && (hasEvidenceFile(i) || (event.data.acceptNote === true && i.progress.some((p) => p.note.trim() !== '')))),
    completesFollowUp: ({ context, event }) =>
      event.type === 'VERIFY_ITEM' && context.planItems.every((i) => i.status === 'verified' || i.id === event.data.itemId),
    deadlineIs: ({ event }, params: { kind: DeadlineKind; overdue: boolean }) =>
      event.type === 'DEADLINE_DUE' && event.data.deadline === params.kind && (event.data.step === 'overdue') === params.overdue,
  },
}).createMachine({
  id: 'branchReview',
  context: ({ input }) => ({
    expectedEvaluators: input.expectedEvaluators,
    deadlines: input.deadlines,
    deadlineHistory: [],
    materials: null,
    materialsReturns: [],
    qa: [],
    scores: {},
    adjustments: [],
    veto: null,
    result: null,
    planItems: input.carriedItems ?? [],
    planReturns: [],
    exemptReason: null,
  }),
  initial: 'notified',
  states: {
    // 通知: the notice goes out with the initial transition.
    notified: {
      tags: ['open', 'turn:secretary', 'deadline:materials', 'ballots'],
      meta: label('已通知', 'Notified'),
      entry: notify('notice', ['secretary'], 'materials'),
      on: { ...beforePublication, ACKNOWLEDGE: 'preparing', DEADLINE_DUE: deadlineDue('materials') },
    },
    // 准备述职材料
    preparing: {
      tags: ['open', 'turn:secretary', 'deadline:materials', 'ballots'],
      meta: label('准备材料', 'Preparing'),
      on: {
        ...beforePublication,
        SUBMIT_MATERIALS: {
          target: 'materialsReview',
          actions: [
            assign({ materials: ({ event }) => ({ summary: event.data.summary, fileIds: event.data.fileIds ?? [] }) }),
            notify('materialsSubmitted', ['office']),
          ],
        },
        DEADLINE_DUE: deadlineDue('materials'),
      },
    },
    // 材料审核
    materialsReview: {
      tags: ['open', 'turn:office', 'ballots'],
      meta: label('材料审核', 'Materials review'),
      on: {
        ...beforePublication,
        RETURN_MATERIALS: {
          target: 'preparing',
          actions: [
            assign({ materialsReturns: ({ context, event }) => [...context.materialsReturns, { reason: event.data.reason, by: event.by }] }),
            notify('materialsReturned', ['secretary'], 'materials'),
          ],
        },
        ACCEPT_MATERIALS: { target: 'awaitingReview', actions: notify('materialsAccepted', ['secretary']) },
      },
    },
    // 待现场述职
    awaitingReview: {
      tags: ['open', 'turn:office', 'ballots'],
      meta: label('待现场述职', 'Awaiting live review'),
      on: { ...beforePublication, START_PRESENTATION: 'liveReview' },
    },
    // 现场述职: 述 then 问/答
    liveReview: {
      tags: ['open', 'turn:office', 'ballots', 'scoringOpen'],
      meta: label('现场述职', 'Live review'),
      initial: 'presenting',
      states: {
        presenting: { meta: label('述（汇报中）', 'Presenting') },
        questioning: { meta: label('问、答', 'Questions and answers') },
      },
      on: {
        ...beforePublication,
        RECORD_QA: {
          target: '.questioning',
          actions: assign({
            qa: ({ context, event }) => [
              ...context.qa,
              { question: event.data.question, answer: event.data.answer, askedBy: event.data.askedBy },
            ],
          }),
        },
        // Evaluators may score while the branch presents (DESIGN: during/after the live review).
        SUBMIT_SCORE: { guard: 'isExpectedEvaluator', actions: 'saveScore' },
        END_PRESENTATION: [
          { guard: 'completesScoring', target: 'scored', actions: notify('scored', ['office']) },
          { target: 'scoring', actions: notify('scoreRequest', ['pendingEvaluators'], 'scoring') },
        ],
      },
    },
    // 评: each expected evaluator scores once (may revise until all are in)
    scoring: {
      tags: ['open', 'turn:evaluator', 'deadline:scoring', 'ballots', 'scoringOpen'],
      meta: label('评分中', 'Scoring'),
      on: {
        ...beforePublication,
        SUBMIT_SCORE: [
          { guard: and(['isExpectedEvaluator', 'completesScoring']), target: 'scored', actions: ['saveScore', notify('scored', ['office'])] },
          { guard: 'isExpectedEvaluator', actions: 'saveScore' },
        ],
        DEADLINE_DUE: deadlineDue('scoring'),
      },
    },
    // 已评分, waiting for the cycle-wide publication
    scored: {
      tags: ['open', 'turn:office', 'ballots'],
      meta: label('已评分', 'Scored'),
      on: {
        ...beforePublication,
        PUBLISH_RESULTS: {
          target: 'improvementPlanning',
          actions: [
            assign({ result: ({ event }) => event.data }),
            notify('results', ['secretary'], 'plan'),
          ],
        },
      },
    },
    // 整改: the secretary files the plan
    improvementPlanning: {
      tags: ['open', 'turn:secretary', 'deadline:plan'],
      meta: label('制定整改方案', 'Improvement plan'),
      on: {
        ...whileOpen,
        SUBMIT_PLAN: {
          target: 'planReview',
          actions: [
            assign({
              // Items carried over from an earlier cycle stay; the plan's own items are numbered I1, I2, …
              planItems: ({ context, event }) => [
                ...context.planItems.filter((i) => i.carriedOverFrom !== undefined),
                ...event.data.items.map((item, n) => ({ ...item, id: `I${n + 1}`, status: 'open' as const, progress: [] })),
              ],
            }),
            notify('planSubmitted', ['office']),
          ],
        },
        DEADLINE_DUE: deadlineDue('plan'),
      },
    },
    // 整改方案审核
    planReview: {
      tags: ['open', 'turn:office'],
      meta: label('方案审核', 'Plan review'),
      on: {
        ...whileOpen,
        RETURN_PLAN: {
          target: 'improvementPlanning',
          actions: [
            assign({ planReturns: ({ context, event }) => [...context.planReturns, { reason: event.data.reason, by: event.by }] }),
            notify('planReturned', ['secretary'], 'plan'),
          ],
        },
        APPROVE_PLAN: { target: 'followUp', actions: notify('planApproved', ['secretary'], 'followUp') },
      },
    },
    // 跟踪督办 until every item is verified (销号)
    followUp: {
      tags: ['open', 'turn:secretary', 'deadline:followUp'],
      meta: label('跟踪督办', 'Follow-up'),
      on: {
        ...whileOpen,
        REPORT_PROGRESS: {
          guard: 'isOpenItem',
          actions: [
            assign({
              planItems: ({ context, event }) =>
                context.planItems.map((i) =>
                  i.id === event.data.itemId
                    ? {
                        ...i,
                        status: 'inProgress' as const,
                        progress: [...i.progress, { note: event.data.note, fileIds: event.data.fileIds ?? [], by: event.by }],
                      }
                    : i,
                ),
            }),
            notify('progressReported', ['office']),
          ],
        },
        VERIFY_ITEM: [
          { guard: and(['isReportedItem', 'hasEvidence', 'completesFollowUp']), target: 'closed', actions: ['verifyItem', notify('closed', ['secretary', 'office'])] },
          { guard: and(['isReportedItem', 'hasEvidence']), actions: ['verifyItem', notify('itemVerified', ['secretary'])] },
        ],
        DEADLINE_DUE: deadlineDue('followUp'),
      },
    },
    closed: { type: 'final', tags: ['final', 'turn:none'], meta: label('已完成', 'Closed') },
    exempted: { type: 'final', tags: ['final', 'turn:none'], meta: label('免于述评', 'Exempted') },
  },
});

const statesTagged = (tag: PhaseTag): readonly string[] =>
  Object.values(branchReviewMachine.root.states)
    .filter((node) => node.tags.includes(tag))
    .map((node) => node.key);

/** Phases in which a deadline kind binds the branch (reminders and overdue apply): the `deadline:*` tags. */
export const DEADLINE_PHASES: Record<DeadlineKind, readonly string[]> = {
  materials: statesTagged('deadline:materials'),
  scoring: statesTagged('deadline:scoring'),
  plan: statesTagged('deadline:plan'),
  followUp: statesTagged('deadline:followUp'),
};
