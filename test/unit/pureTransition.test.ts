// The engine's transition (one inert scope per machine, reused) gives what xstate's own transition()
// gives, snapshot and actions, for every event in every state it passes through.
import { describe, expect, it } from 'vitest';
import { initialTransition, transition, type AnyMachineSnapshot } from 'xstate';
import { branchReviewMachine, type BranchReviewEvent } from '../../workflows/branchReview';
import { pureTransition } from '../../src/engine/machines';

const input = {
  expectedEvaluators: ['e1'],
  deadlines: { materials: '2020-12-04T10:00:00.000Z', scoring: '2020-12-14T10:00:00.000Z', plan: '2021-01-15T10:00:00.000Z', followUp: '2021-06-30T10:00:00.000Z' },
};
const items = [{ problem: '学习不深入', measure: '每月集中学习', owner: '王明', dueDate: '2021-03-31' }];
const path: BranchReviewEvent[] = [
  { type: 'APPROVE_PLAN', by: 'off' },
  { type: 'DEADLINE_DUE', by: 'system', data: { deadline: 'materials', step: 'd-3' } },
  { type: 'ACKNOWLEDGE', by: 'sec' },
  { type: 'EXTEND_DEADLINE', by: 'off', data: { deadline: 'materials', until: '2020-12-08T10:00:00.000Z' } },
  { type: 'DEADLINE_DUE', by: 'system', data: { deadline: 'materials', step: 'overdue' } },
  { type: 'SUBMIT_MATERIALS', by: 'sec', data: { summary: '述职报告' } },
  { type: 'RETURN_MATERIALS', by: 'off', data: { reason: '缺少问题查找部分' } },
  { type: 'SUBMIT_MATERIALS', by: 'sec', data: { summary: '述职报告（修改）' } },
  { type: 'ACCEPT_MATERIALS', by: 'off' },
  { type: 'START_PRESENTATION', by: 'off' },
  { type: 'RECORD_QA', by: 'off', data: { question: '如何融合？', answer: '项目化', askedBy: '考评组成员一' } },
  { type: 'END_PRESENTATION', by: 'off' },
  { type: 'ADJUST_SCORE', by: 'off', data: { points: 2, reason: '获评先进' } },
  { type: 'SUBMIT_SCORE', by: 'e1', data: { scores: { a: 1 } } },
  { type: 'PUBLISH_RESULTS', by: 'off', data: { final: 88, grade: '较好', rank: 2, of: 6, scoreSheet: {} } },
  { type: 'SUBMIT_PLAN', by: 'sec', data: { items } },
  { type: 'EXEMPT', by: 'off', data: { reason: '支部撤并' } },
] as never;

const plain = (s: AnyMachineSnapshot) => ({ value: s.value, context: s.context, status: s.status, tags: [...s.tags].sort() });
const described = (actions: { type: string; params?: unknown }[]) => actions.map((a) => ({ type: a.type, params: a.params }));

describe('pureTransition', () => {
  it('answers as xstate transition() does along a whole review, including refused events', () => {
    let [ours] = initialTransition(branchReviewMachine, input);
    let [theirs] = initialTransition(branchReviewMachine, input);
    let notifications = 0;
    for (const event of path) {
      const [a, aActions] = pureTransition(branchReviewMachine, ours, event);
      const [b, bActions] = transition(branchReviewMachine, theirs, event);
      expect(plain(a), event.type).toEqual(plain(b));
      expect(described(aActions as never), event.type).toEqual(described(bActions as never));
      notifications += aActions.filter((x) => x.type === 'notify').length;
      // A refused event (APPROVE_PLAN at the notice) leaves the snapshot as it was, in both.
      if (event.type === 'APPROVE_PLAN') expect(a.value).toBe('notified');
      ours = a;
      theirs = b;
    }
    expect(notifications).toBeGreaterThan(5);
    expect(ours.value).toBe('exempted');
  });
});
