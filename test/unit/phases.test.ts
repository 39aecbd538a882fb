// The phase vocabulary: tags and names on the machines' states, names and roles of their events,
// and what workflows/phases.ts derives from them. Adding a state or an event to a machine without
// its tags and names fails here (or does not compile).
import { describe, expect, expectTypeOf, it } from 'vitest';
import { initialTransition, type AnyStateMachine, type AnyStateNode } from 'xstate';
import {
  acceptsBallots,
  bindingDeadline,
  branchReviewMachine,
  CYCLE_EVENT_META,
  CYCLE_EVENT_ROLES,
  CYCLE_STATES,
  cycleMachine,
  cycleStateLabel,
  DEADLINE_KINDS,
  DEADLINE_PHASES,
  EVENT_META,
  EVENT_ROLES,
  eventLabel,
  FINAL_PHASES,
  isFinalPhase,
  isPhase,
  LOCALES,
  phaseLabel,
  PHASES,
  phasesTagged,
  scoringOpen,
  TURNS,
  turnOf,
  type CycleState,
  type DeadlineKind,
  type Phase,
  type PhaseTag,
} from '../../workflows/index';

// Every tag there is; the Record makes the compiler list them all.
const KNOWN_TAGS: Record<PhaseTag, true> = {
  open: true,
  final: true,
  'turn:office': true,
  'turn:secretary': true,
  'turn:evaluator': true,
  'turn:none': true,
  'deadline:materials': true,
  'deadline:scoring': true,
  'deadline:plan': true,
  'deadline:followUp': true,
  ballots: true,
  scoringOpen: true,
};

function walk(node: AnyStateNode, out: AnyStateNode[] = []): AnyStateNode[] {
  for (const child of Object.values(node.states) as AnyStateNode[]) {
    out.push(child);
    walk(child, out);
  }
  return out;
}

const top = (m: AnyStateMachine) => Object.values(m.root.states) as AnyStateNode[];
const handledIn = (node: AnyStateNode) => [...node.transitions.keys()].filter((e) => !e.startsWith('xstate.'));
const handledAnywhere = (m: AnyStateMachine) => new Set(walk(m.root).flatMap(handledIn));
const labelOf = (node: AnyStateNode) => (node.meta as { label?: Record<string, string> } | undefined)?.label;

const input = {
  expectedEvaluators: ['e1'],
  deadlines: { materials: '2020-12-04T10:00:00.000Z', scoring: '2020-12-14T10:00:00.000Z', plan: '2021-01-15T10:00:00.000Z', followUp: '2021-06-30T10:00:00.000Z' },
};
const [initial] = initialTransition(branchReviewMachine, input);
const snapshotIn = (phase: string) => branchReviewMachine.resolveState({ value: phase, context: initial.context });

describe('the phases', () => {
  it('are the top-level branch states in definition order, typed from the machine', () => {
    expect(PHASES).toEqual(Object.keys(branchReviewMachine.root.states));
    expectTypeOf<Phase>().toEqualTypeOf<
      | 'notified'
      | 'preparing'
      | 'materialsReview'
      | 'awaitingReview'
      | 'liveReview'
      | 'scoring'
      | 'scored'
      | 'improvementPlanning'
      | 'planReview'
      | 'followUp'
      | 'closed'
      | 'exempted'
    >();
    expect(PHASES.every(isPhase)).toBe(true);
    expect(isPhase('liveReview.questioning')).toBe(false);
  });

  it('cycle states likewise', () => {
    expect(CYCLE_STATES).toEqual(Object.keys(cycleMachine.root.states));
    expectTypeOf<CycleState>().toEqualTypeOf<'draft' | 'launched' | 'resultsPublished' | 'archived'>();
  });

  for (const node of top(branchReviewMachine)) {
    describe(node.key, () => {
      const tags = node.tags as string[];
      it('has only known tags', () => expect(tags.filter((t) => !(t in KNOWN_TAGS))).toEqual([]));
      it('is open or final, and final exactly when the machine says so', () => {
        expect(tags.filter((t) => t === 'open' || t === 'final')).toEqual([node.type === 'final' ? 'final' : 'open']);
      });
      it('says whose turn it is, once', () => {
        expect(tags.filter((t) => t.startsWith('turn:'))).toHaveLength(1);
        if (node.type === 'final') expect(tags).toContain('turn:none');
      });
      it('binds at most one deadline', () => expect(tags.filter((t) => t.startsWith('deadline:')).length).toBeLessThanOrEqual(1));
      it('has a name in every locale', () => {
        for (const locale of LOCALES) expect(labelOf(node)?.[locale], locale).toBeTruthy();
      });
    });
  }

  it('names the nested states too', () => {
    for (const node of walk(branchReviewMachine.root)) {
      for (const locale of LOCALES) expect(labelOf(node)?.[locale], `${node.path.join('.')} ${locale}`).toBeTruthy();
    }
    expect(phaseLabel('liveReview.questioning', 'zh-CN')).toBe('问、答');
  });

  it('tags the cycle states open or final and names them', () => {
    for (const node of walk(cycleMachine.root)) {
      expect(node.tags).toEqual([node.type === 'final' ? 'final' : 'open']);
      for (const locale of LOCALES) expect(labelOf(node)?.[locale], `${node.key} ${locale}`).toBeTruthy();
    }
    expect(cycleStateLabel('launched', 'zh-CN')).toBe('进行中');
    expect(cycleStateLabel('launched', 'en')).toBe('Running');
  });
});

describe('the tags agree with what the machine does', () => {
  const sample = (deadline: DeadlineKind) => ({ type: 'DEADLINE_DUE' as const, by: 'system', data: { deadline, step: 'd-1' as const } });

  it('DEADLINE_DUE is handled exactly where the deadline:* tag says, for that deadline only', () => {
    for (const phase of PHASES) {
      const s = snapshotIn(phase);
      for (const kind of DEADLINE_KINDS) expect(s.can(sample(kind)), `${kind} in ${phase}`).toBe(bindingDeadline(phase) === kind);
    }
  });

  it('scoringOpen exactly where SUBMIT_SCORE is handled', () => {
    for (const node of top(branchReviewMachine)) expect(scoringOpen(node.key), node.key).toBe(handledIn(node).includes('SUBMIT_SCORE'));
  });

  it('ballots exactly until results are published (where VETO still applies)', () => {
    for (const node of top(branchReviewMachine)) expect(acceptsBallots(node.key), node.key).toBe(handledIn(node).includes('VETO'));
  });

  it('the party whose turn it is can move: it may send an event handled there', () => {
    const everywhere = ['EXEMPT', 'EXTEND_DEADLINE', 'ADJUST_SCORE', 'VETO'];
    for (const node of top(branchReviewMachine)) {
      const turn = turnOf(node.key);
      const moves = handledIn(node).filter((e) => !everywhere.includes(e));
      if (turn === 'none') expect(moves, node.key).toEqual([]);
      else expect(moves.some((e) => EVENT_META[e as keyof typeof EVENT_META].roles.includes(turn)), `${turn} in ${node.key}`).toBe(true);
    }
  });
});

describe('the events', () => {
  it('every event a branch state handles has its vocabulary, and every event named is handled somewhere', () => {
    expect([...handledAnywhere(branchReviewMachine)].sort()).toEqual(Object.keys(EVENT_META).sort());
  });

  it('the same for the cycle machine', () => {
    expect([...handledAnywhere(cycleMachine)].sort()).toEqual(Object.keys(CYCLE_EVENT_META).sort());
  });

  it('every event has a name in every locale and at least one role', () => {
    for (const [type, meta] of Object.entries({ ...EVENT_META, ...CYCLE_EVENT_META })) {
      for (const locale of LOCALES) expect(meta.label[locale], `${type} ${locale}`).toBeTruthy();
      expect(meta.roles.length, type).toBeGreaterThan(0);
    }
  });

  it('an event of both machines has one name', () => {
    for (const type of Object.keys(CYCLE_EVENT_META).filter((t) => t in EVENT_META)) {
      expect(CYCLE_EVENT_META[type as keyof typeof CYCLE_EVENT_META].label, type).toEqual(EVENT_META[type as keyof typeof EVENT_META].label);
    }
    expect(eventLabel('ACKNOWLEDGE', 'zh-CN')).toBe('确认收到通知');
    expect(eventLabel('LAUNCH', 'en')).toBe('Launch');
    expect(eventLabel('RESEND_NOTICE', 'en')).toBe('RESEND_NOTICE');
  });

  it('EVENT_ROLES and CYCLE_EVENT_ROLES come from the metadata', () => {
    expect(EVENT_ROLES).toEqual(Object.fromEntries(Object.entries(EVENT_META).map(([t, m]) => [t, m.roles])));
    expect(CYCLE_EVENT_ROLES).toEqual({ LAUNCH: ['office'], PUBLISH_RESULTS: ['office'], ARCHIVE: ['system', 'office'] });
  });

  it('marks the weighty branch events', () => {
    const weighty = Object.entries(EVENT_META).filter(([, m]) => m.weighty).map(([t]) => t);
    expect(weighty.sort()).toEqual(['ACCEPT_MATERIALS', 'APPROVE_PLAN', 'END_PRESENTATION', 'EXEMPT', 'PUBLISH_RESULTS', 'VERIFY_ITEM', 'VETO']);
  });
});

// The lists the code used to copy by hand, kept here once to show the tags reproduce them.
describe('the derived sets equal the lists they replace', () => {
  it('DEADLINE_PHASES', () => {
    expect(DEADLINE_PHASES).toEqual({
      materials: ['notified', 'preparing'],
      scoring: ['scoring'],
      plan: ['improvementPlanning'],
      followUp: ['followUp'],
    });
  });

  it('final phases (engine)', () => {
    expect(FINAL_PHASES).toEqual(['closed', 'exempted']);
    expect(PHASES.filter(isFinalPhase)).toEqual(['closed', 'exempted']);
  });

  it('phases accepting ballots (ballots)', () => {
    expect(phasesTagged('ballots')).toEqual(['notified', 'preparing', 'materialsReview', 'awaitingReview', 'liveReview', 'scoring', 'scored']);
  });

  it("the office's phases (read models)", () => {
    expect(phasesTagged('turn:office')).toEqual(['materialsReview', 'awaitingReview', 'liveReview', 'scored', 'planReview']);
    expect(phasesTagged('turn:secretary')).toEqual(['notified', 'preparing', 'improvementPlanning', 'followUp']);
    expect(phasesTagged('turn:evaluator')).toEqual(['scoring']);
  });

  it('scoring is open during the live review and scoring', () => {
    expect(phasesTagged('scoringOpen')).toEqual(['liveReview', 'scoring']);
  });
});

describe('unknown phases (a state of another workflow version)', () => {
  it('are neither final nor anyone’s turn, bind no deadline and take no ballots', () => {
    expect(isFinalPhase('precheck')).toBe(false);
    expect(turnOf('precheck')).toBe('none');
    expect(bindingDeadline('precheck')).toBeNull();
    expect(acceptsBallots('precheck')).toBe(false);
    expect(scoringOpen('precheck')).toBe(false);
    expect(phaseLabel('precheck', 'en')).toBe('precheck');
    expect(TURNS).toContain(turnOf('notified'));
  });
});
