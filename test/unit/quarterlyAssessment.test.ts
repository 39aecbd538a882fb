// The quarterly assessment's statechart and vocabulary, checked as the annual review's are
// (test/unit/phases.test.ts): tags and names on every state, meta on every event, its deadlines,
// its registration, the mail templates it names, and its path from notice to publication.
import { describe, expect, it } from 'vitest';
import { initialTransition, transition, type AnyStateNode } from 'xstate';
import {
  ALL_FINAL_PHASES,
  BRANCH_EVENT_ROLES,
  BRANCH_WORKFLOW,
  bindingDeadline,
  branchWorkflowOf,
  EVENT_META,
  eventLabel,
  getWorkflow,
  isFinalPhase,
  kindOf,
  latestVersion,
  launchNoticeOf,
  LOCALES,
  phaseLabel,
  PHASES,
  phasesHandling,
  phasesOfKind,
  QUARTERLY_DEADLINE_KINDS,
  QUARTERLY_EVENT_META,
  QUARTERLY_PHASES,
  quarterlyAssessmentMachine,
  turnOf,
  type QuarterlyAssessmentEvent,
} from '../../workflows/index';
import { templates } from '../../src/mail/templates/index';

const top = Object.values(quarterlyAssessmentMachine.root.states) as AnyStateNode[];
const input = {
  deadlines: { selfAssessment: '2021-01-08T10:00:00.000Z', review: '2021-01-15T10:00:00.000Z' },
  indicators: [
    { key: 'organization', name: '组织建设', max: 25 },
    { key: 'integration', name: '党建与业务融合', max: 30 },
  ],
};
const items = [
  { key: 'organization', score: 20 },
  { key: 'integration', score: 25 },
];
const ev = (e: QuarterlyAssessmentEvent) => e;

describe('the quarterly assessment machine', () => {
  it('is registered beside the annual review, and chosen by the cycle kind', () => {
    expect(getWorkflow('quarterlyAssessment', latestVersion('quarterlyAssessment'))).toBe(quarterlyAssessmentMachine);
    expect(BRANCH_WORKFLOW).toEqual({ annualReview: 'branchReview', quarterlyAssessment: 'quarterlyAssessment' });
    expect(kindOf({})).toBe('annualReview'); // configs naming no kind are annual reviews
    expect(kindOf({ kind: 'quarterlyAssessment' })).toBe('quarterlyAssessment');
    expect(branchWorkflowOf({})).toBe('branchReview');
    expect(branchWorkflowOf({ workflow: 'quarterlyAssessment' })).toBe('quarterlyAssessment');
    expect(phasesOfKind('quarterlyAssessment')).toEqual(QUARTERLY_PHASES);
    expect(phasesOfKind('annualReview')).toEqual(PHASES);
  });

  it('tags and names every state: open or final, one turn, the deadline that binds', () => {
    for (const node of top) {
      const tags = node.tags as string[];
      expect(tags.includes('open') !== tags.includes('final'), node.key).toBe(true);
      expect(tags.filter((t) => t.startsWith('turn:')), node.key).toHaveLength(1);
      expect(node.type === 'final', node.key).toBe(tags.includes('final'));
      for (const locale of LOCALES) expect(phaseLabel(node.key, locale), node.key).not.toBe(node.key);
    }
    // No state name is shared with the annual review: the phase vocabulary is one.
    expect(QUARTERLY_PHASES.filter((p) => (PHASES as readonly string[]).includes(p))).toEqual([]);
    expect(bindingDeadline('selfAssessing')).toBe('selfAssessment');
    expect(bindingDeadline('officeReview')).toBe('review');
    expect(bindingDeadline('assessed')).toBeNull();
    expect(turnOf('selfAssessing')).toBe('secretary');
    expect(turnOf('officeReview')).toBe('office');
    expect(QUARTERLY_PHASES.filter(isFinalPhase)).toEqual(['published', 'excused']);
    expect(ALL_FINAL_PHASES).toEqual(['closed', 'exempted', 'published', 'excused']);
    expect(phasesHandling('PUBLISH_RESULTS')).toEqual(['scored', 'assessed']);
    expect(phaseLabel('excused', 'zh-CN')).toBe('免于考核');
    for (const k of QUARTERLY_DEADLINE_KINDS) expect(top.filter((n) => (n.tags as string[]).includes(`deadline:${k}`))).toHaveLength(1);
  });

  it('names every event it handles, and an event both branch machines have means the same in both', () => {
    const handled = new Set(top.flatMap((n) => [...n.ownEvents]));
    expect([...handled].sort()).toEqual(Object.keys(QUARTERLY_EVENT_META).sort());
    for (const [type, meta] of Object.entries(QUARTERLY_EVENT_META)) {
      expect(BRANCH_EVENT_ROLES[type as keyof typeof BRANCH_EVENT_ROLES]).toEqual(meta.roles);
      if (Object.hasOwn(EVENT_META, type)) expect(meta, type).toEqual(EVENT_META[type as keyof typeof EVENT_META]);
      for (const locale of LOCALES) expect(eventLabel(type, locale)).toBe(meta.label[locale]);
    }
  });

  it('names only registered mail templates, and notifies the secretary as it starts', () => {
    const names = new Set<string>();
    const collect = (actions: unknown) => {
      for (const a of [actions].flat(3) as { type?: string; params?: { template?: string } }[]) if (a?.type === 'notify' && a.params?.template) names.add(a.params.template);
    };
    for (const node of top) {
      collect(node.entry);
      for (const ts of node.transitions.values()) for (const t of ts) collect(t.actions);
    }
    expect([...names].sort()).toEqual(['escalation', 'exempted', 'overdue', 'quarterNotice', 'quarterResults', 'reminder', 'selfAssessmentReturned', 'selfAssessmentSubmitted']);
    for (const name of names) expect(Object.hasOwn(templates, name), name).toBe(true);
    expect(launchNoticeOf('quarterlyAssessment')).toEqual({ template: 'quarterNotice', to: ['secretary'], deadline: 'selfAssessment' });
    expect(launchNoticeOf('branchReview')).toMatchObject({ template: 'notice', deadline: 'materials' });
  });

  it('runs from the self-assessment, through a return, to the office’s scores and publication', () => {
    const m = quarterlyAssessmentMachine;
    let [s, actions] = initialTransition(m, input);
    expect(s.value).toBe('selfAssessing');
    expect(actions.filter((a) => a.type === 'notify').map((a) => (a.params as { template: string }).template)).toEqual(['quarterNotice']);
    // Every indicator once, or the event is not taken.
    expect(s.can(ev({ type: 'SUBMIT_SELF_ASSESSMENT', by: '7', data: { items: items.slice(0, 1) } }))).toBe(false);
    [s] = transition(m, s, ev({ type: 'SUBMIT_SELF_ASSESSMENT', by: '7', data: { items } }));
    expect(s.value).toBe('officeReview');
    [s] = transition(m, s, ev({ type: 'RETURN_SELF_ASSESSMENT', by: '1', data: { reason: '缺佐证' } }));
    expect(s.value).toBe('selfAssessing');
    expect(s.context.selfAssessmentReturns).toEqual([{ reason: '缺佐证', by: '1' }]);
    [s] = transition(m, s, ev({ type: 'SUBMIT_SELF_ASSESSMENT', by: '7', data: { items, summary: '补充' } }));
    expect(s.context.selfAssessment).toEqual({ items: items.map((i) => ({ ...i, note: '', fileIds: [] })), summary: '补充' });
    expect(s.can(ev({ type: 'SCORE_INDICATORS', by: '1', data: { scores: { organization: 20 } } }))).toBe(false);
    [s] = transition(m, s, ev({ type: 'SCORE_INDICATORS', by: '1', data: { scores: { organization: 19, integration: 26 }, comment: '好' } }));
    expect(s.value).toBe('assessed');
    [s, actions] = transition(m, s, ev({ type: 'PUBLISH_RESULTS', by: '1', data: { final: 45, grade: '差', rank: 1, of: 1, scoreSheet: {} } }));
    expect(s.value).toBe('published');
    expect(s.status).toBe('done');
    expect(actions.filter((a) => a.type === 'notify').map((a) => (a.params as { template: string }).template)).toEqual(['quarterResults']);
  });

  it('takes DEADLINE_DUE only where its deadline binds, escalating at the deadline; EXEMPT from every open state', () => {
    const m = quarterlyAssessmentMachine;
    const [s0] = initialTransition(m, input);
    const due = (deadline: 'selfAssessment' | 'review', step: 'd-1' | 'overdue') => ev({ type: 'DEADLINE_DUE', by: 'system', data: { deadline, step } });
    expect(s0.can(due('review', 'overdue'))).toBe(false);
    const [, overdue] = transition(m, s0, due('selfAssessment', 'overdue'));
    expect(overdue.filter((a) => a.type === 'notify').map((a) => [(a.params as { template: string }).template, (a.params as { to: string[] }).to])).toEqual([
      ['overdue', ['secretary']],
      ['escalation', ['office', 'leaders']],
    ]);
    const [s1] = transition(m, s0, ev({ type: 'SUBMIT_SELF_ASSESSMENT', by: '7', data: { items } }));
    expect(s1.can(due('selfAssessment', 'd-1'))).toBe(false);
    const [, reminder] = transition(m, s1, due('review', 'd-1'));
    expect(reminder.filter((a) => a.type === 'notify').map((a) => (a.params as { to: string[] }).to)).toEqual([['office']]);
    for (const s of [s0, s1]) expect(transition(m, s, ev({ type: 'EXEMPT', by: '1', data: { reason: '撤并' } }))[0].value).toBe('excused');
  });
});
