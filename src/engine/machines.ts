// Restoring and reading persisted snapshots, always against the workflow version they were made with.
import { createActor, type AnyActorScope, type AnyMachineSnapshot, type AnyStateMachine, type EventObject, type ExecutableActionObject } from 'xstate';
import { branchWorkflowOf, getWorkflow, type WorkflowId } from '../../workflows/index';

export function restore(id: WorkflowId, version: number, json: string): AnyMachineSnapshot {
  const persisted = JSON.parse(json) as { value: unknown; context: unknown };
  return getWorkflow(id, version).resolveState({ value: persisted.value, context: persisted.context } as never) as AnyMachineSnapshot;
}

export function persist(id: WorkflowId, version: number, snapshot: AnyMachineSnapshot): string {
  return JSON.stringify(getWorkflow(id, version).getPersistedSnapshot(snapshot));
}

/** A branch review's snapshot, restored against the workflow (of its cycle's kind) and version it was made with. */
export const restoreBranch = (row: { workflow?: string | null; workflow_version: number; snapshot: string }): AnyMachineSnapshot =>
  restore(branchWorkflowOf(row), row.workflow_version, row.snapshot);

/** `liveReview.questioning` for nested states, `preparing` otherwise. */
export function stateName(value: unknown): string {
  if (typeof value === 'string') return value;
  const [key, sub] = Object.entries(value as Record<string, unknown>)[0];
  return `${key}.${stateName(sub)}`;
}

export const phaseName = (value: unknown): string => stateName(value).split('.')[0];

/** Events the current state handles (guards aside); scheduler-only events are not offered to people. */
export function allowedEvents(snapshot: AnyMachineSnapshot): string[] {
  if (snapshot.status !== 'active') return [];
  const events = new Set<string>();
  for (const node of snapshot._nodes) for (const e of node.ownEvents) if (e !== 'DEADLINE_DUE' && !e.includes('*')) events.add(e);
  return [...events].sort();
}

/**
 * xstate's `transition()` with one inert actor scope per machine, made once. xstate builds a fresh
 * scope for every call, and that constructs an actor, which computes (and here, without input, fails
 * to compute) the machine's initial snapshot: a few percent of every event. Our machines are pure
 * (no invoked or spawned actors, no `self`), so one scope serves every call; calls are synchronous.
 */
interface PureScope { scope: AnyActorScope; actions: ExecutableActionObject[] }
const scopes = new WeakMap<AnyStateMachine, PureScope>();

export function pureTransition(machine: AnyStateMachine, snapshot: AnyMachineSnapshot, event: EventObject): [AnyMachineSnapshot, ExecutableActionObject[]] {
  let pure = scopes.get(machine);
  if (!pure) {
    const self = createActor(machine);
    const made: PureScope = { actions: [], scope: undefined as unknown as AnyActorScope };
    made.scope = {
      self,
      defer: () => {},
      id: '',
      logger: () => {},
      sessionId: '',
      stopChild: () => {},
      system: self.system,
      emit: () => {},
      actionExecutor: (action: ExecutableActionObject) => void made.actions.push(action),
    } as unknown as AnyActorScope;
    scopes.set(machine, (pure = made));
  }
  pure.actions = [];
  const next = machine.transition(snapshot as never, event, pure.scope) as AnyMachineSnapshot;
  return [next, pure.actions];
}
