// Restoring and reading persisted snapshots, always against the workflow version they were made with.
import type { AnyMachineSnapshot } from 'xstate';
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
