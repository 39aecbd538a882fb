// The quarterly Party-work assessment (季度党建考核): one per branch per quarterly cycle. The branch is
// notified, its secretary submits a self-assessment per indicator with evidence (自评), the office
// scores each indicator or returns the self-assessment with a reason (审核评分), and the office
// publishes the results for the whole cycle (公布). Pure like the annual branch review: guards and
// assigns only, mails declared as `notify` actions, deadlines bound by `deadline:*` tags.
//
// Its context keeps the shape the engine's read models know (the annual review's fields, empty where
// the quarter has none: no panel, no plan), plus what the quarter adds: indicators, the self-assessment
// and its returns, the office's indicator scores.
import { assign, setup } from 'xstate';
import type { Audience, BranchReviewContext, EventMeta, Label, NotifyParams, Role, StateMeta, Turn } from './branchReview';

export const QUARTERLY_DEADLINE_KINDS = ['selfAssessment', 'review'] as const;
export type QuarterlyDeadlineKind = (typeof QUARTERLY_DEADLINE_KINDS)[number];
type Step = 'd-3' | 'd-1' | 'd0' | 'overdue';

export const QUARTERLY_DEADLINE_LABELS: Record<QuarterlyDeadlineKind, Label> = {
  selfAssessment: { 'zh-CN': '季度自评', en: 'Self-assessment' },
  review: { 'zh-CN': '审核评分', en: 'Office review' },
};

/** State tags of the quarterly assessment: `open`/`final`, one `turn:*`, the `deadline:*` that binds. */
export type QuarterlyTag = 'open' | 'final' | `turn:${Turn}` | `deadline:${QuarterlyDeadlineKind}`;

export interface Indicator { key: string; name: string; max: number }

export interface SelfAssessmentItem { key: string; score: number; note: string; fileIds: string[] }

export interface QuarterlyAssessmentContext extends Omit<BranchReviewContext, 'deadlines' | 'deadlineHistory'> {
  deadlines: Record<QuarterlyDeadlineKind, string>;
  deadlineHistory: { kind: QuarterlyDeadlineKind; from: string; until: string; by: string }[];
  indicators: Indicator[];
  selfAssessment: { items: SelfAssessmentItem[]; summary: string } | null;
  selfAssessmentReturns: { reason: string; by: string }[];
  /** the office's score of each indicator, with its comment */
  indicatorScores: { scores: Record<string, number>; comment: string; by: string } | null;
}

export interface QuarterlyAssessmentInput {
  deadlines: Record<QuarterlyDeadlineKind, string>;
  indicators: Indicator[];
}

type E<T extends string, D = undefined> = D extends undefined
  ? { type: T; by: string; data?: undefined }
  : { type: T; by: string; data: D };

export type QuarterlyAssessmentEvent =
  | E<'SUBMIT_SELF_ASSESSMENT', { items: { key: string; score: number; note?: string; fileIds?: string[] }[]; summary?: string }>
  | E<'RETURN_SELF_ASSESSMENT', { reason: string }>
  | E<'SCORE_INDICATORS', { scores: Record<string, number>; comment?: string }>
  | E<'PUBLISH_RESULTS', { final: number; grade: string; rank: number; of: number; scoreSheet: unknown }>
  | E<'EXTEND_DEADLINE', { deadline: QuarterlyDeadlineKind; until: string }>
  | E<'EXEMPT', { reason: string }>
  | E<'DEADLINE_DUE', { deadline: QuarterlyDeadlineKind; step: Step }>;

export type QuarterlyEventType = QuarterlyAssessmentEvent['type'];

/** Every event of the quarterly machine; events both branch machines have carry the same meta (a test checks it). */
export const QUARTERLY_EVENT_META: Record<QuarterlyEventType, EventMeta> = {
  SUBMIT_SELF_ASSESSMENT: { label: { 'zh-CN': '提交季度自评', en: 'Submit self-assessment' }, roles: ['secretary'] },
  RETURN_SELF_ASSESSMENT: { label: { 'zh-CN': '退回自评', en: 'Return self-assessment' }, roles: ['office'] },
  SCORE_INDICATORS: { label: { 'zh-CN': '逐项评分', en: 'Score indicators' }, roles: ['office'], weighty: true },
  PUBLISH_RESULTS: { label: { 'zh-CN': '公布结果', en: 'Publish results' }, roles: ['office'], weighty: true },
  EXTEND_DEADLINE: { label: { 'zh-CN': '延长截止时间', en: 'Extend deadline' }, roles: ['office'] },
  EXEMPT: { label: { 'zh-CN': '免于述评', en: 'Exempt' }, roles: ['office'], weighty: true },
  DEADLINE_DUE: { label: { 'zh-CN': '截止提醒', en: 'Deadline reminder' }, roles: ['system'] },
};

export const QUARTERLY_EVENT_ROLES = Object.fromEntries(
  Object.entries(QUARTERLY_EVENT_META).map(([type, meta]) => [type, meta.roles]),
) as Record<QuarterlyEventType, readonly Role[]>;

const label = (zh: string, en: string): StateMeta => ({ label: { 'zh-CN': zh, en } });

const notify = (template: string, to: Audience[], deadline?: QuarterlyDeadlineKind) => ({
  type: 'notify' as const,
  params: { template, to, deadline } as unknown as NotifyParams,
});

/** Who must act on a deadline: the secretary for the self-assessment, the office for the review. */
export const QUARTERLY_RESPONSIBLE: Record<QuarterlyDeadlineKind, Audience> = { selfAssessment: 'secretary', review: 'office' };
const RESPONSIBLE = QUARTERLY_RESPONSIBLE;

// As in the annual review: DEADLINE_DUE is handled only where its deadline binds; at the deadline the
// one who must act is told and the office and the leaders get an escalation (督办).
const deadlineDue = (kind: QuarterlyDeadlineKind) => [
  {
    guard: { type: 'deadlineIs' as const, params: { kind, overdue: true } },
    actions: [notify('overdue', [RESPONSIBLE[kind]], kind), notify('escalation', ['office', 'leaders'], kind)],
  },
  { guard: { type: 'deadlineIs' as const, params: { kind, overdue: false } }, actions: notify('reminder', [RESPONSIBLE[kind]], kind) },
];

const whileOpen = {
  EXTEND_DEADLINE: { actions: ['recordExtension', { type: 'notify', params: ({ event }: { event: QuarterlyAssessmentEvent }) => extensionNotice(event) }] },
  EXEMPT: { target: '#quarterlyAssessment.excused', actions: ['recordExemption', notify('exempted', ['secretary', 'office'])] },
} as const;

function extensionNotice(event: QuarterlyAssessmentEvent): NotifyParams {
  const kind = event.type === 'EXTEND_DEADLINE' ? event.data.deadline : 'selfAssessment';
  return { template: 'deadlineExtended', to: [RESPONSIBLE[kind]], deadline: kind } as unknown as NotifyParams;
}

export const quarterlyAssessmentMachine = setup({
  types: {
    context: {} as QuarterlyAssessmentContext,
    events: {} as QuarterlyAssessmentEvent,
    input: {} as QuarterlyAssessmentInput,
    tags: {} as QuarterlyTag,
    meta: {} as StateMeta,
  },
  actions: {
    notify: (_, _params: NotifyParams) => {},
    recordExtension: assign(({ context, event }) =>
      event.type === 'EXTEND_DEADLINE'
        ? {
            deadlines: { ...context.deadlines, [event.data.deadline]: event.data.until },
            deadlineHistory: [...context.deadlineHistory, { kind: event.data.deadline, from: context.deadlines[event.data.deadline], until: event.data.until, by: event.by }],
          }
        : {},
    ),
    recordExemption: assign({ exemptReason: ({ context, event }) => (event.type === 'EXEMPT' ? event.data.reason : context.exemptReason) }),
  },
  guards: {
    // Every indicator assessed once, no unknown one (the engine checks the ranges against the indicators).
    coversIndicators: ({ context, event }) => {
      if (event.type !== 'SUBMIT_SELF_ASSESSMENT' && event.type !== 'SCORE_INDICATORS') return false;
      const keys = event.type === 'SUBMIT_SELF_ASSESSMENT' ? event.data.items.map((i) => i.key) : Object.keys(event.data.scores);
      const wanted = context.indicators.map((i) => i.key);
      return keys.length === wanted.length && wanted.every((k) => keys.includes(k));
    },
    deadlineIs: ({ event }, params: { kind: QuarterlyDeadlineKind; overdue: boolean }) =>
      event.type === 'DEADLINE_DUE' && event.data.deadline === params.kind && (event.data.step === 'overdue') === params.overdue,
  },
}).createMachine({
  id: 'quarterlyAssessment',
  context: ({ input }) => ({
    // The annual review's fields, empty: the read models know this shape.
    expectedEvaluators: [],
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
    // The quarter's own.
    deadlines: input.deadlines,
    deadlineHistory: [],
    indicators: input.indicators,
    selfAssessment: null,
    selfAssessmentReturns: [],
    indicatorScores: null,
  }),
  initial: 'selfAssessing',
  states: {
    // 自评: the notice goes out with the initial transition; the secretary assesses each indicator.
    selfAssessing: {
      tags: ['open', 'turn:secretary', 'deadline:selfAssessment'],
      meta: label('季度自评', 'Self-assessment'),
      entry: notify('quarterNotice', ['secretary'], 'selfAssessment'),
      on: {
        ...whileOpen,
        SUBMIT_SELF_ASSESSMENT: {
          guard: 'coversIndicators',
          target: 'officeReview',
          actions: [
            assign({
              selfAssessment: ({ event }) => ({
                items: event.data.items.map((i) => ({ key: i.key, score: i.score, note: i.note ?? '', fileIds: i.fileIds ?? [] })),
                summary: event.data.summary ?? '',
              }),
            }),
            notify('selfAssessmentSubmitted', ['office'], 'review'),
          ],
        },
        DEADLINE_DUE: deadlineDue('selfAssessment'),
      },
    },
    // 审核评分: the office scores each indicator, or returns the self-assessment with a reason.
    officeReview: {
      tags: ['open', 'turn:office', 'deadline:review'],
      meta: label('审核评分', 'Office review'),
      on: {
        ...whileOpen,
        RETURN_SELF_ASSESSMENT: {
          target: 'selfAssessing',
          actions: [
            assign({ selfAssessmentReturns: ({ context, event }) => [...context.selfAssessmentReturns, { reason: event.data.reason, by: event.by }] }),
            notify('selfAssessmentReturned', ['secretary'], 'selfAssessment'),
          ],
        },
        SCORE_INDICATORS: {
          guard: 'coversIndicators',
          target: 'assessed',
          actions: assign({ indicatorScores: ({ event }) => ({ scores: event.data.scores, comment: event.data.comment ?? '', by: event.by }) }),
        },
        DEADLINE_DUE: deadlineDue('review'),
      },
    },
    // 已评分, waiting for the cycle-wide publication
    assessed: {
      tags: ['open', 'turn:office'],
      meta: label('已评分（待公布）', 'Scored'),
      on: {
        ...whileOpen,
        PUBLISH_RESULTS: { target: 'published', actions: [assign({ result: ({ event }) => event.data }), notify('quarterResults', ['secretary'])] },
      },
    },
    published: { type: 'final', tags: ['final', 'turn:none'], meta: label('已公布', 'Published') },
    excused: { type: 'final', tags: ['final', 'turn:none'], meta: label('免于考核', 'Excused') },
  },
});
