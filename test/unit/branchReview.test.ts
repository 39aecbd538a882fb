import { describe, expect, it } from 'vitest';
import { initialTransition, transition, type AnyMachineSnapshot } from 'xstate';
import { branchReviewMachine, type BranchReviewContext, type BranchReviewEvent, type DeadlineKind } from '../../workflows/branchReview';
import { stateName } from '../../src/engine/machines';

const input = {
  expectedEvaluators: ['e1', 'e2'],
  deadlines: {
    materials: '2020-12-04T10:00:00.000Z',
    scoring: '2020-12-14T10:00:00.000Z',
    plan: '2021-01-15T10:00:00.000Z',
    followUp: '2021-06-30T10:00:00.000Z',
  },
};

const plan = [
  { problem: '学习不深入', measure: '每月集中学习', owner: '王明', dueDate: '2021-03-31' },
  { problem: '融合不够', measure: '党建项目化', owner: '李华', dueDate: '2021-05-31' },
];

// One valid sample of every event.
const sample = {
  ACKNOWLEDGE: { type: 'ACKNOWLEDGE', by: 'sec' },
  SUBMIT_MATERIALS: { type: 'SUBMIT_MATERIALS', by: 'sec', data: { summary: '述职报告' } },
  RETURN_MATERIALS: { type: 'RETURN_MATERIALS', by: 'off', data: { reason: '缺少问题查找部分' } },
  ACCEPT_MATERIALS: { type: 'ACCEPT_MATERIALS', by: 'off' },
  START_PRESENTATION: { type: 'START_PRESENTATION', by: 'off' },
  RECORD_QA: { type: 'RECORD_QA', by: 'off', data: { question: '如何融合？', answer: '项目化', askedBy: '考评组成员一' } },
  END_PRESENTATION: { type: 'END_PRESENTATION', by: 'off' },
  SUBMIT_SCORE: { type: 'SUBMIT_SCORE', by: 'e1', data: { scores: { a: 1 } } },
  PUBLISH_RESULTS: { type: 'PUBLISH_RESULTS', by: 'off', data: { final: 88, grade: '较好', rank: 2, of: 6, scoreSheet: {} } },
  SUBMIT_PLAN: { type: 'SUBMIT_PLAN', by: 'sec', data: { items: plan } },
  RETURN_PLAN: { type: 'RETURN_PLAN', by: 'off', data: { reason: '措施不具体' } },
  APPROVE_PLAN: { type: 'APPROVE_PLAN', by: 'off' },
  REPORT_PROGRESS: { type: 'REPORT_PROGRESS', by: 'sec', data: { itemId: 'I1', note: '已开展3次集中学习', fileIds: ['0'.repeat(32)] } },
  VERIFY_ITEM: { type: 'VERIFY_ITEM', by: 'off', data: { itemId: 'I1' } },
  ADJUST_SCORE: { type: 'ADJUST_SCORE', by: 'off', data: { points: 2, reason: '获评先进' } },
  VETO: { type: 'VETO', by: 'off', data: { reason: '发生严重违纪' } },
  EXTEND_DEADLINE: { type: 'EXTEND_DEADLINE', by: 'off', data: { deadline: 'materials', until: '2020-12-08T10:00:00.000Z' } },
  EXEMPT: { type: 'EXEMPT', by: 'off', data: { reason: '支部撤并' } },
  DEADLINE_DUE: { type: 'DEADLINE_DUE', by: 'system', data: { deadline: 'materials', step: 'd-1' } },
} as const satisfies Record<BranchReviewEvent['type'], BranchReviewEvent>;

type Sample = keyof typeof sample;

function run(events: BranchReviewEvent[]): AnyMachineSnapshot {
  let [s] = initialTransition(branchReviewMachine, input);
  for (const e of events) {
    expect(s.can(e), `${stateName(s.value)} should accept ${e.type}`).toBe(true);
    [s] = transition(branchReviewMachine, s, e);
  }
  return s;
}

const toPlanning: BranchReviewEvent[] = [
  sample.ACKNOWLEDGE,
  sample.SUBMIT_MATERIALS,
  sample.ACCEPT_MATERIALS,
  sample.START_PRESENTATION,
  sample.END_PRESENTATION,
  { type: 'SUBMIT_SCORE', by: 'e1', data: { scores: { a: 1 } } },
  { type: 'SUBMIT_SCORE', by: 'e2', data: { scores: { a: 2 } } },
  sample.PUBLISH_RESULTS,
];

const paths: Record<string, BranchReviewEvent[]> = {
  notified: [],
  preparing: [sample.ACKNOWLEDGE],
  materialsReview: [sample.ACKNOWLEDGE, sample.SUBMIT_MATERIALS],
  awaitingReview: [sample.ACKNOWLEDGE, sample.SUBMIT_MATERIALS, sample.ACCEPT_MATERIALS],
  'liveReview.presenting': [sample.ACKNOWLEDGE, sample.SUBMIT_MATERIALS, sample.ACCEPT_MATERIALS, sample.START_PRESENTATION],
  'liveReview.questioning': [sample.ACKNOWLEDGE, sample.SUBMIT_MATERIALS, sample.ACCEPT_MATERIALS, sample.START_PRESENTATION, sample.RECORD_QA],
  scoring: toPlanning.slice(0, 5),
  scored: toPlanning.slice(0, 7),
  improvementPlanning: toPlanning,
  planReview: [...toPlanning, sample.SUBMIT_PLAN],
  followUp: [...toPlanning, sample.SUBMIT_PLAN, sample.APPROVE_PLAN],
  closed: [
    ...toPlanning,
    sample.SUBMIT_PLAN,
    sample.APPROVE_PLAN,
    sample.REPORT_PROGRESS,
    { type: 'REPORT_PROGRESS', by: 'sec', data: { itemId: 'I2', note: '已设立先锋岗' } },
    sample.VERIFY_ITEM,
    { type: 'VERIFY_ITEM', by: 'off', data: { itemId: 'I2', acceptNote: true } },
  ],
  exempted: [sample.EXEMPT],
};

const beforePublication: Sample[] = ['ADJUST_SCORE', 'VETO', 'EXTEND_DEADLINE', 'EXEMPT'];
const open: Sample[] = ['EXTEND_DEADLINE', 'EXEMPT'];

// What each state accepts of the samples; every other sample must be refused.
const accepts: Record<string, Sample[]> = {
  notified: ['ACKNOWLEDGE', 'DEADLINE_DUE', ...beforePublication],
  preparing: ['SUBMIT_MATERIALS', 'DEADLINE_DUE', ...beforePublication],
  materialsReview: ['RETURN_MATERIALS', 'ACCEPT_MATERIALS', ...beforePublication],
  awaitingReview: ['START_PRESENTATION', ...beforePublication],
  'liveReview.presenting': ['RECORD_QA', 'END_PRESENTATION', 'SUBMIT_SCORE', ...beforePublication],
  'liveReview.questioning': ['RECORD_QA', 'END_PRESENTATION', 'SUBMIT_SCORE', ...beforePublication],
  scoring: ['SUBMIT_SCORE', ...beforePublication],
  scored: ['PUBLISH_RESULTS', ...beforePublication],
  improvementPlanning: ['SUBMIT_PLAN', ...open],
  planReview: ['RETURN_PLAN', 'APPROVE_PLAN', ...open],
  // VERIFY_ITEM waits until the branch has reported progress on the item (see below).
  followUp: ['REPORT_PROGRESS', ...open],
  closed: [],
  exempted: [],
};

describe('branch review statechart', () => {
  it('starts notified and declares the notice to the secretary with the materials deadline', () => {
    const [s, actions] = initialTransition(branchReviewMachine, input);
    expect(s.value).toBe('notified');
    expect(actions.filter((a) => a.type === 'notify').map((a) => a.params)).toEqual([{ template: 'notice', to: ['secretary'], deadline: 'materials' }]);
  });

  for (const [state, events] of Object.entries(paths)) {
    describe(`in ${state}`, () => {
      const s = run(events);
      it('is in that state', () => expect(stateName(s.value)).toBe(state));
      for (const type of Object.keys(sample) as Sample[]) {
        const allowed = accepts[state].includes(type);
        it(`${allowed ? 'accepts' : 'refuses'} ${type}`, () => {
          expect(s.can(sample[type])).toBe(allowed);
          if (!allowed) expect(transition(branchReviewMachine, s, sample[type])[0]).toBe(s);
        });
      }
    });
  }

  const notifyOf = (s: AnyMachineSnapshot, e: BranchReviewEvent) =>
    transition(branchReviewMachine, s, e)[1]
      .filter((a) => a.type === 'notify')
      .map((a) => (a.params as { template: string }).template);

  it('returns materials to preparing with the reason, and accepts the resubmission', () => {
    let s = run(paths.materialsReview);
    [s] = transition(branchReviewMachine, s, sample.RETURN_MATERIALS);
    expect(s.value).toBe('preparing');
    expect((s.context as BranchReviewContext).materialsReturns).toEqual([{ reason: '缺少问题查找部分', by: 'off' }]);
    [s] = transition(branchReviewMachine, s, { type: 'SUBMIT_MATERIALS', by: 'sec', data: { summary: '修改稿', fileIds: ['f1'] } });
    expect(s.value).toBe('materialsReview');
    expect((s.context as BranchReviewContext).materials).toEqual({ summary: '修改稿', fileIds: ['f1'] });
    expect(notifyOf(s, sample.ACCEPT_MATERIALS)).toEqual(['materialsAccepted']);
  });

  it('records questions and answers during the live review (述、问、答)', () => {
    const s = run(paths['liveReview.questioning']);
    expect((s.context as BranchReviewContext).qa).toHaveLength(1);
  });

  it('asks the pending evaluators to score when the presentation ends', () => {
    const s = run(paths['liveReview.presenting']);
    const [next, actions] = transition(branchReviewMachine, s, sample.END_PRESENTATION);
    expect(next.value).toBe('scoring');
    expect(actions.find((a) => a.type === 'notify')?.params).toEqual({ template: 'scoreRequest', to: ['pendingEvaluators'], deadline: 'scoring' });
  });

  it('goes straight to scored when every score came in during the presentation', () => {
    let s = run(paths['liveReview.presenting']);
    [s] = transition(branchReviewMachine, s, { type: 'SUBMIT_SCORE', by: 'e1', data: { scores: { a: 1 } } });
    [s] = transition(branchReviewMachine, s, { type: 'SUBMIT_SCORE', by: 'e2', data: { scores: { a: 1 } } });
    [s] = transition(branchReviewMachine, s, sample.END_PRESENTATION);
    expect(s.value).toBe('scored');
  });

  it('stays in scoring until every expected evaluator scored, and refuses anyone else', () => {
    let s = run(paths.scoring);
    expect(s.can({ type: 'SUBMIT_SCORE', by: 'stranger', data: { scores: {} } })).toBe(false);
    [s] = transition(branchReviewMachine, s, { type: 'SUBMIT_SCORE', by: 'e1', data: { scores: { a: 1 } } });
    expect(s.value).toBe('scoring');
    // Revising one's own score does not complete the set.
    [s] = transition(branchReviewMachine, s, { type: 'SUBMIT_SCORE', by: 'e1', data: { scores: { a: 3 } } });
    expect(s.value).toBe('scoring');
    expect((s.context as BranchReviewContext).scores.e1.scores).toEqual({ a: 3 });
    const [done, actions] = transition(branchReviewMachine, s, { type: 'SUBMIT_SCORE', by: 'e2', data: { scores: { a: 2 } } });
    expect(done.value).toBe('scored');
    expect(actions.find((a) => a.type === 'notify')?.params).toMatchObject({ template: 'scored', to: ['office'] });
  });

  it('records adjustments and a veto before publication', () => {
    let s = run(paths.scored);
    [s] = transition(branchReviewMachine, s, sample.ADJUST_SCORE);
    [s] = transition(branchReviewMachine, s, sample.VETO);
    const ctx = s.context as BranchReviewContext;
    expect(ctx.adjustments).toEqual([{ points: 2, reason: '获评先进', by: 'off' }]);
    expect(ctx.veto).toEqual({ reason: '发生严重违纪', by: 'off' });
  });

  it('stores the published result and asks for the plan', () => {
    const s = run(paths.improvementPlanning);
    expect((s.context as BranchReviewContext).result).toMatchObject({ final: 88, grade: '较好', rank: 2 });
  });

  it('returns a plan, then approves it, numbering the items', () => {
    let s = run(paths.planReview);
    [s] = transition(branchReviewMachine, s, sample.RETURN_PLAN);
    expect(s.value).toBe('improvementPlanning');
    [s] = transition(branchReviewMachine, s, sample.SUBMIT_PLAN);
    [s] = transition(branchReviewMachine, s, sample.APPROVE_PLAN);
    expect(s.value).toBe('followUp');
    expect((s.context as BranchReviewContext).planItems.map((i) => [i.id, i.status])).toEqual([
      ['I1', 'open'],
      ['I2', 'open'],
    ]);
  });

  it('verifies (销号) only an item the branch has reported progress on', () => {
    let s = run(paths.followUp);
    expect(s.can(sample.VERIFY_ITEM)).toBe(false); // open: nothing reported yet
    expect(transition(branchReviewMachine, s, sample.VERIFY_ITEM)[0]).toBe(s);
    [s] = transition(branchReviewMachine, s, sample.REPORT_PROGRESS);
    expect(s.can(sample.VERIFY_ITEM)).toBe(true);
    expect(s.can({ type: 'VERIFY_ITEM', by: 'off', data: { itemId: 'I2' } })).toBe(false); // I2 still open
  });

  it('follows up item by item and closes when the last is verified (销号)', () => {
    let s = run(paths.followUp);
    [s] = transition(branchReviewMachine, s, sample.REPORT_PROGRESS);
    expect((s.context as BranchReviewContext).planItems[0].status).toBe('inProgress');
    expect(s.can({ type: 'REPORT_PROGRESS', by: 'sec', data: { itemId: 'I9', note: 'x' } })).toBe(false);
    [s] = transition(branchReviewMachine, s, sample.VERIFY_ITEM);
    expect(s.value).toBe('followUp');
    expect(s.can(sample.VERIFY_ITEM)).toBe(false); // already verified
    [s] = transition(branchReviewMachine, s, { type: 'REPORT_PROGRESS', by: 'sec', data: { itemId: 'I2', note: '已完成' } });
    // A note alone is evidence only when the office accepts it as such.
    expect(s.can({ type: 'VERIFY_ITEM', by: 'off', data: { itemId: 'I2' } })).toBe(false);
    const [closed, actions] = transition(branchReviewMachine, s, { type: 'VERIFY_ITEM', by: 'off', data: { itemId: 'I2', acceptNote: true } });
    expect((closed.context as BranchReviewContext).planItems.map((i) => i.verifiedWith)).toEqual(['file', 'note']);
    expect(closed.value).toBe('closed');
    expect(closed.status).toBe('done');
    expect(actions.find((a) => a.type === 'notify')?.params).toMatchObject({ template: 'closed', to: ['secretary', 'office'] });
  });

  it('keeps items carried over from an earlier cycle when the plan is filed, and needs them verified to close', () => {
    const carried = { id: '2019-I1', problem: '三会一课不规范', measure: '按月召开', owner: '书记', dueDate: '2020-06-30', status: 'open' as const, progress: [], carriedOverFrom: 2019 };
    const [start] = initialTransition(branchReviewMachine, { ...input, carriedItems: [carried] });
    expect((start.context as BranchReviewContext).planItems.map((i) => i.id)).toEqual(['2019-I1']);
    let s = start;
    for (const e of paths.followUp) [s] = transition(branchReviewMachine, s, e);
    expect((s.context as BranchReviewContext).planItems.map((i) => [i.id, i.carriedOverFrom])).toEqual([['2019-I1', 2019], ['I1', undefined], ['I2', undefined]]);
    for (const id of ['I1', 'I2']) {
      [s] = transition(branchReviewMachine, s, { type: 'REPORT_PROGRESS', by: 'sec', data: { itemId: id, note: '完成', fileIds: ['1'.repeat(32)] } });
      [s] = transition(branchReviewMachine, s, { type: 'VERIFY_ITEM', by: 'off', data: { itemId: id } });
    }
    expect(s.value).toBe('followUp'); // the carried item is still open
    [s] = transition(branchReviewMachine, s, { type: 'REPORT_PROGRESS', by: 'sec', data: { itemId: '2019-I1', note: '完成', fileIds: ['2'.repeat(32)] } });
    [s] = transition(branchReviewMachine, s, { type: 'VERIFY_ITEM', by: 'off', data: { itemId: '2019-I1' } });
    expect(s.value).toBe('closed');
  });

  it('moves a deadline and keeps its history', () => {
    let s = run(paths.preparing);
    [s] = transition(branchReviewMachine, s, sample.EXTEND_DEADLINE);
    const ctx = s.context as BranchReviewContext;
    expect(ctx.deadlines.materials).toBe('2020-12-08T10:00:00.000Z');
    expect(ctx.deadlineHistory).toEqual([{ kind: 'materials', from: '2020-12-04T10:00:00.000Z', until: '2020-12-08T10:00:00.000Z', by: 'off' }]);
  });

  it('exempts from any open phase with the reason', () => {
    for (const state of ['notified', 'scoring', 'followUp']) {
      const [s] = transition(branchReviewMachine, run(paths[state]), sample.EXEMPT);
      expect(s.value).toBe('exempted');
      expect((s.context as BranchReviewContext).exemptReason).toBe('支部撤并');
    }
  });

  describe('deadlines bind only in their phases', () => {
    const due = (deadline: DeadlineKind, step: 'd-3' | 'overdue') => ({ type: 'DEADLINE_DUE' as const, by: 'system', data: { deadline, step } });
    const binding: [string, DeadlineKind][] = [
      ['notified', 'materials'],
      ['preparing', 'materials'],
      ['scoring', 'scoring'],
      ['improvementPlanning', 'plan'],
      ['followUp', 'followUp'],
    ];
    for (const [state, kind] of binding) {
      it(`${kind} in ${state}: reminder to who must act, escalation when overdue`, () => {
        const s = run(paths[state]);
        for (const other of ['materials', 'scoring', 'plan', 'followUp'] as DeadlineKind[]) {
          expect(s.can(due(other, 'd-3'))).toBe(other === kind);
        }
        const who = kind === 'scoring' ? 'pendingEvaluators' : 'secretary';
        expect(transition(branchReviewMachine, s, due(kind, 'd-3'))[1].map((a) => a.params)).toEqual([{ template: 'reminder', to: [who], deadline: kind }]);
        expect(transition(branchReviewMachine, s, due(kind, 'overdue'))[1].map((a) => a.params)).toEqual([
          { template: 'overdue', to: [who], deadline: kind },
          { template: 'escalation', to: ['office', 'leaders'], deadline: kind },
        ]);
      });
    }
    it('refuses the materials deadline once materials are under review', () => {
      expect(run(paths.materialsReview).can(due('materials', 'overdue'))).toBe(false);
    });
  });
});
