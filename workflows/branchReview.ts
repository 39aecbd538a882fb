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
/** Who is addressed by a notify action; the engine resolves these to people. */
export type Audience = 'secretary' | 'office' | 'leaders' | 'evaluators' | 'pendingEvaluators';

export interface PlanItem {
  id: string;
  problem: string;
  measure: string;
  owner: string;
  dueDate: string;
  status: 'open' | 'inProgress' | 'verified';
  progress: { note: string; fileIds: string[]; by: string }[];
}

export interface ScoreEntry { scores: Record<string, number>; comment: string }

export interface BranchReviewContext {
  expectedEvaluators: string[]; // user ids of panel members minus conflicts (回避)
  deadlines: Record<DeadlineKind, string>; // ISO instants
  deadlineHistory: { kind: DeadlineKind; from: string; until: string; by: string }[];
  materials: { summary: string; fileIds: string[] } | null;
  materialsReturns: { reason: string; by: string }[];
  qa: { question: string; answer: string; askedBy: string }[];
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
  | E<'RECORD_QA', { question: string; answer: string; askedBy: string }>
  | E<'END_PRESENTATION'>
  | E<'SUBMIT_SCORE', { scores: Record<string, number>; comment?: string }>
  | E<'PUBLISH_RESULTS', { final: number; grade: string; rank: number; of: number; scoreSheet: unknown }>
  | E<'SUBMIT_PLAN', { items: { problem: string; measure: string; owner: string; dueDate: string }[] }>
  | E<'RETURN_PLAN', { reason: string }>
  | E<'APPROVE_PLAN'>
  | E<'REPORT_PROGRESS', { itemId: string; note: string; fileIds?: string[] }>
  | E<'VERIFY_ITEM', { itemId: string }>
  | E<'ADJUST_SCORE', { points: number; reason: string }>
  | E<'VETO', { reason: string }>
  | E<'EXTEND_DEADLINE', { deadline: DeadlineKind; until: string }>
  | E<'EXEMPT', { reason: string }>
  | E<'DEADLINE_DUE', { deadline: DeadlineKind; step: DeadlineStep }>;

export type BranchEventType = BranchReviewEvent['type'];

/** Who may send each event (谁可发起). The engine enforces it, together with the branch check. */
export const EVENT_ROLES: Record<BranchEventType, readonly Role[]> = {
  ACKNOWLEDGE: ['secretary'],
  SUBMIT_MATERIALS: ['secretary'],
  RETURN_MATERIALS: ['office'],
  ACCEPT_MATERIALS: ['office'],
  START_PRESENTATION: ['office'],
  RECORD_QA: ['office', 'evaluator'],
  END_PRESENTATION: ['office'],
  SUBMIT_SCORE: ['evaluator'],
  PUBLISH_RESULTS: ['office'],
  SUBMIT_PLAN: ['secretary'],
  RETURN_PLAN: ['office'],
  APPROVE_PLAN: ['office'],
  REPORT_PROGRESS: ['secretary'],
  VERIFY_ITEM: ['office'],
  ADJUST_SCORE: ['office'],
  VETO: ['office'],
  EXTEND_DEADLINE: ['office'],
  EXEMPT: ['office'],
  DEADLINE_DUE: ['system'],
};

/** Phases in which a deadline kind binds the branch (reminders and overdue apply). */
export const DEADLINE_PHASES: Record<DeadlineKind, readonly string[]> = {
  materials: ['notified', 'preparing'],
  scoring: ['scoring'],
  plan: ['improvementPlanning'],
  followUp: ['followUp'],
};

export interface NotifyParams {
  template: string;
  to: Audience[];
  /** The deadline the mail speaks of ("by when"). */
  deadline?: DeadlineKind;
}

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

// DEADLINE_DUE is handled only in the phases where that deadline binds (DEADLINE_PHASES);
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
          ? context.planItems.map((i) => (i.id === event.data.itemId ? { ...i, status: 'verified' as const } : i))
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
    planItems: [],
    planReturns: [],
    exemptReason: null,
  }),
  initial: 'notified',
  states: {
    // 通知: the notice goes out with the initial transition.
    notified: {
      entry: notify('notice', ['secretary'], 'materials'),
      on: {
        ...beforePublication, ACKNOWLEDGE: 'preparing', DEADLINE_DUE: deadlineDue('materials') },
    },
    // 准备述职材料
    preparing: {
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
      on: {
        ...beforePublication, START_PRESENTATION: 'liveReview' },
    },
    // 现场述职: 述 then 问/答
    liveReview: {
      initial: 'presenting',
      states: { presenting: {}, questioning: {} },
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
      on: {
        ...whileOpen,
        SUBMIT_PLAN: {
          target: 'planReview',
          actions: [
            assign({
              planItems: ({ event }) =>
                event.data.items.map((item, n) => ({ ...item, id: `I${n + 1}`, status: 'open' as const, progress: [] })),
            }),
            notify('planSubmitted', ['office']),
          ],
        },
        DEADLINE_DUE: deadlineDue('plan'),
      },
    },
    // 整改方案审核
    planReview: {
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
          { guard: and(['isOpenItem', 'completesFollowUp']), target: 'closed', actions: ['verifyItem', notify('closed', ['secretary', 'office'])] },
          { guard: 'isOpenItem', actions: ['verifyItem', notify('itemVerified', ['secretary'])] },
        ],
        DEADLINE_DUE: deadlineDue('followUp'),
      },
    },
    closed: { type: 'final' },
    exempted: { type: 'final' },
  },
});
