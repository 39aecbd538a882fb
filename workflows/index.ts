// Workflow registry: a cycle pins the version it was launched with, and every snapshot
// is restored against exactly that machine. A changed machine gets a new version here;
// old versions stay registered until no snapshot uses them.
import type { AnyStateMachine } from 'xstate';
import { branchReviewMachine } from './branchReview';
import { cycleMachine } from './cycle';
import { quarterlyAssessmentMachine } from './quarterlyAssessment';

/** The machines: a cycle's (shared by every kind) and, per cycle kind, the one each branch runs. */
export type WorkflowId = 'branchReview' | 'cycle' | 'quarterlyAssessment';

const registry = new Map<WorkflowId, Map<number, AnyStateMachine>>();

export function registerWorkflow(id: WorkflowId, version: number, machine: AnyStateMachine): void {
  const versions = registry.get(id) ?? new Map<number, AnyStateMachine>();
  if (versions.has(version) && versions.get(version) !== machine) {
    throw new Error(`workflow ${id} v${version} is already registered with another machine`);
  }
  versions.set(version, machine);
  registry.set(id, versions);
}

export function getWorkflow(id: WorkflowId, version: number): AnyStateMachine {
  const machine = registry.get(id)?.get(version);
  if (!machine) throw new Error(`workflow ${id} v${version} is not registered`);
  return machine;
}

export function latestVersion(id: WorkflowId): number {
  return Math.max(...(registry.get(id)?.keys() ?? [0]));
}

registerWorkflow('branchReview', 1, branchReviewMachine);
registerWorkflow('cycle', 1, cycleMachine);
registerWorkflow('quarterlyAssessment', 1, quarterlyAssessmentMachine);

export * from './branchReview';
export * from './cycle';
export * from './kinds';
export * from './phases';
export * from './quarterlyAssessment';
