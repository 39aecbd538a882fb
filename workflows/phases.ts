// The phase vocabulary, read off the machines: their top-level states, tags and meta.
// Nothing here lists a phase by hand; a new state or tag in a machine shows up here by itself,
// and test/unit/phases.test.ts fails when a state lacks a tag or a name.
import type { AnyStateMachine, AnyStateNode, StateSchemaFrom } from 'xstate';
import {
  branchReviewMachine,
  DEADLINE_KINDS,
  DEADLINE_LABELS,
  EVENT_META,
  ROLE_LABELS,
  TURNS,
  type BranchEventType,
  type DeadlineKind,
  type EventMeta,
  type Label,
  type Locale,
  type PhaseTag,
  type Role,
  type Turn,
} from './branchReview';
import { CYCLE_EVENT_META, cycleMachine, type CycleEventType, type CycleTag } from './cycle';
import { BRANCH_WORKFLOW, type BranchWorkflowId, type CycleKind } from './kinds';
import {
  QUARTERLY_DEADLINE_KINDS,
  QUARTERLY_DEADLINE_LABELS,
  QUARTERLY_EVENT_META,
  QUARTERLY_RESPONSIBLE,
  quarterlyAssessmentMachine,
  type QuarterlyDeadlineKind,
  type QuarterlyEventType,
} from './quarterlyAssessment';

/** A top-level state of the branch review machine (支部所处环节), typed from the machine config. */
export type Phase = keyof StateSchemaFrom<typeof branchReviewMachine>['states'] & string;
/** A state of the cycle machine, typed from the machine config. */
export type CycleState = keyof StateSchemaFrom<typeof cycleMachine>['states'] & string;
/** A top-level state of the quarterly assessment machine. */
export type QuarterlyPhase = keyof StateSchemaFrom<typeof quarterlyAssessmentMachine>['states'] & string;
/** An event of any machine. */
export type WorkflowEventType = BranchEventType | CycleEventType | QuarterlyEventType;
/** An event a branch-level machine (of any kind) handles. */
export type AnyBranchEventType = BranchEventType | QuarterlyEventType;
/** A deadline of any kind of cycle. */
export type AnyDeadlineKind = DeadlineKind | QuarterlyDeadlineKind;
export const ALL_DEADLINE_KINDS: readonly AnyDeadlineKind[] = Object.freeze([...DEADLINE_KINDS, ...QUARTERLY_DEADLINE_KINDS]);

const topLevel = (machine: AnyStateMachine): AnyStateNode[] => Object.values(machine.root.states) as AnyStateNode[];
const labelOf = (node: AnyStateNode): Label | undefined => (node.meta as { label?: Label } | undefined)?.label;

const annualNodes = new Map(topLevel(branchReviewMachine).map((n) => [n.key, n]));
const quarterlyNodes = new Map(topLevel(quarterlyAssessmentMachine).map((n) => [n.key, n]));
// The branch machines' phases share one vocabulary (tags, names): no state name is in both.
for (const key of quarterlyNodes.keys()) if (annualNodes.has(key)) throw new Error(`phase ${key} is in both branch machines`);
const phaseNodes = new Map([...annualNodes, ...quarterlyNodes]);
const cycleNodes = new Map(topLevel(cycleMachine).map((n) => [n.key, n]));

/** The annual review's branch phases in definition order (the order of the steps on the branch page). */
export const PHASES: readonly Phase[] = Object.freeze([...annualNodes.keys()] as Phase[]);
/** The quarterly assessment's phases in definition order. */
export const QUARTERLY_PHASES: readonly QuarterlyPhase[] = Object.freeze([...quarterlyNodes.keys()] as QuarterlyPhase[]);
/** Every branch phase of every kind. */
export const ALL_PHASES: readonly (Phase | QuarterlyPhase)[] = Object.freeze([...PHASES, ...QUARTERLY_PHASES]);
const PHASES_OF: Record<BranchWorkflowId, readonly string[]> = { branchReview: PHASES, quarterlyAssessment: QUARTERLY_PHASES };

/** The phases of a cycle kind's branch workflow, in order. */
export const phasesOfKind = (kind: CycleKind): readonly string[] => PHASES_OF[BRANCH_WORKFLOW[kind]];
/** The phases of a branch workflow, in order. */
export const phasesOfWorkflow = (workflow: BranchWorkflowId): readonly string[] => PHASES_OF[workflow];
/** The cycle states in definition order. */
export const CYCLE_STATES: readonly CycleState[] = Object.freeze([...cycleNodes.keys()] as CycleState[]);

export function isPhase(value: string): value is Phase {
  return annualNodes.has(value);
}

export function isCycleState(value: string): value is CycleState {
  return cycleNodes.has(value);
}

const tagsOf = (phase: string): readonly string[] => phaseNodes.get(phase)?.tags ?? [];

/** The phases carrying a tag, in definition order. */
export function phasesTagged(tag: PhaseTag): readonly Phase[] {
  return PHASES.filter((p) => tagsOf(p).includes(tag));
}

/** The cycle states carrying a tag, in definition order. */
export function cycleStatesTagged(tag: CycleTag): readonly CycleState[] {
  return CYCLE_STATES.filter((s) => cycleNodes.get(s)!.tags.includes(tag));
}

/** closed and exempted: nothing more happens to the branch. */
export const FINAL_PHASES: readonly Phase[] = Object.freeze(phasesTagged('final'));
/** The final phases of every kind (a cycle archives when each of its branches is in one). */
export const ALL_FINAL_PHASES: readonly string[] = Object.freeze(ALL_PHASES.filter((p) => tagsOf(p).includes('final')));

// The predicates take any string: phases come back from the database, and a snapshot of an
// older or newer workflow version may be in a state this version does not have (then: false / null).

export function isFinalPhase(phase: string): boolean {
  return tagsOf(phase).includes('final');
}

/** Whose move it is (`turn:*`); 'none' for final or unknown phases. */
export function turnOf(phase: string): Turn {
  return TURNS.find((t) => tagsOf(phase).includes(`turn:${t}`)) ?? 'none';
}

/** The deadline that binds the branch in this phase (reminders and overdue apply), if any. */
export function bindingDeadline(phase: string): DeadlineKind | null {
  return (ALL_DEADLINE_KINDS.find((k) => tagsOf(phase).includes(`deadline:${k}`)) ?? null) as DeadlineKind | null;
}

/** The notice a branch workflow sends as it starts (its initial state's `notify` entry): what 重发通知 sends again. */
export function launchNoticeOf(workflow: BranchWorkflowId): { template: string; to: string[]; deadline?: string } {
  const machine = workflow === 'quarterlyAssessment' ? quarterlyAssessmentMachine : branchReviewMachine;
  const initial = (machine.root as unknown as { initial: { target: AnyStateNode[] } }).initial.target[0];
  const entry = (initial.entry as { type: string; params?: unknown }[]).find((a) => a.type === 'notify');
  if (!entry) throw new Error(`${workflow} sends no notice as it starts`);
  return entry.params as { template: string; to: string[]; deadline?: string };
}

/** The phases (of every kind) whose state handles an event itself: e.g. where PUBLISH_RESULTS finds a branch ready. */
export function phasesHandling(type: string): readonly string[] {
  return ALL_PHASES.filter((p) => (phaseNodes.get(p)!.ownEvents as string[]).includes(type));
}

/** Democratic-appraisal ballots (民主测评) are issued and cast only until results are published. */
export function acceptsBallots(phase: string): boolean {
  return tagsOf(phase).includes('ballots');
}

/** An evaluator may score (or keep a score draft) in this phase. */
export function scoringOpen(phase: string): boolean {
  return tagsOf(phase).includes('scoringOpen');
}

/** The name of a phase; nested states as `liveReview.questioning`. Unknown phases are returned as they are. */
export function phaseLabel(phase: string, locale: Locale): string {
  const [top, ...rest] = phase.split('.');
  let node = phaseNodes.get(top);
  for (const key of rest) node = node?.states[key];
  const label = node && labelOf(node);
  return label ? label[locale] : phase;
}

export function cycleStateLabel(state: string, locale: Locale): string {
  const node = cycleNodes.get(state);
  const label = node && labelOf(node);
  return label ? label[locale] : state;
}

/** Every machine's events; an event several have (PUBLISH_RESULTS, EXEMPT…) has one name (a test checks it). */
const EVENTS: Record<WorkflowEventType, EventMeta> = { ...CYCLE_EVENT_META, ...QUARTERLY_EVENT_META, ...EVENT_META };
/** Who may send each branch-level event, of every kind's machine. */
export const BRANCH_EVENT_ROLES = Object.fromEntries(
  Object.entries({ ...QUARTERLY_EVENT_META, ...EVENT_META }).map(([type, meta]) => [type, meta.roles]),
) as Record<AnyBranchEventType, readonly Role[]>;

export function eventMeta(type: string): EventMeta | undefined {
  return Object.hasOwn(EVENTS, type) ? EVENTS[type as WorkflowEventType] : undefined;
}

export function eventLabel(type: string, locale: Locale): string {
  return eventMeta(type)?.label[locale] ?? type;
}

/** Events that decide an outcome or are hard to undo (pages confirm them). */
export function isWeighty(type: string): boolean {
  return eventMeta(type)?.weighty === true;
}

export function roleLabel(role: Role, locale: Locale): string {
  return ROLE_LABELS[role][locale];
}

export function deadlineLabel(kind: AnyDeadlineKind, locale: Locale): string {
  return (Object.hasOwn(DEADLINE_LABELS, kind) ? DEADLINE_LABELS[kind as DeadlineKind] : QUARTERLY_DEADLINE_LABELS[kind as QuarterlyDeadlineKind])[locale];
}

/** Who must act on a deadline (reminders go to them; escalations name them). */
export function responsibleFor(kind: string): 'secretary' | 'pendingEvaluators' | 'office' {
  if (kind === 'scoring') return 'pendingEvaluators';
  return Object.hasOwn(QUARTERLY_RESPONSIBLE, kind) ? (QUARTERLY_RESPONSIBLE[kind as QuarterlyDeadlineKind] as 'secretary' | 'office') : 'secretary';
}
