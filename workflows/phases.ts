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

/** A top-level state of the branch review machine (支部所处环节), typed from the machine config. */
export type Phase = keyof StateSchemaFrom<typeof branchReviewMachine>['states'] & string;
/** A state of the cycle machine, typed from the machine config. */
export type CycleState = keyof StateSchemaFrom<typeof cycleMachine>['states'] & string;
/** An event of either machine. */
export type WorkflowEventType = BranchEventType | CycleEventType;

const topLevel = (machine: AnyStateMachine): AnyStateNode[] => Object.values(machine.root.states) as AnyStateNode[];
const labelOf = (node: AnyStateNode): Label | undefined => (node.meta as { label?: Label } | undefined)?.label;

const phaseNodes = new Map(topLevel(branchReviewMachine).map((n) => [n.key, n]));
const cycleNodes = new Map(topLevel(cycleMachine).map((n) => [n.key, n]));

/** The branch phases in definition order (the order of the steps on the branch page). */
export const PHASES: readonly Phase[] = Object.freeze([...phaseNodes.keys()] as Phase[]);
/** The cycle states in definition order. */
export const CYCLE_STATES: readonly CycleState[] = Object.freeze([...cycleNodes.keys()] as CycleState[]);

export function isPhase(value: string): value is Phase {
  return phaseNodes.has(value);
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
  return DEADLINE_KINDS.find((k) => tagsOf(phase).includes(`deadline:${k}`)) ?? null;
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

/** Both machines' events; an event both have (PUBLISH_RESULTS) has one name (a test checks it). */
const EVENTS: Record<WorkflowEventType, EventMeta> = { ...CYCLE_EVENT_META, ...EVENT_META };

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

export function deadlineLabel(kind: DeadlineKind, locale: Locale): string {
  return DEADLINE_LABELS[kind][locale];
}
