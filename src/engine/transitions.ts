// Recording a transition: the one helper every branch and cycle event goes through. It refuses what
// the state does not allow, writes the snapshot with version + 1 (optimistically), the audit record,
// the outbox mails and the timers, inside the caller's transaction.
import type { AnyMachineSnapshot } from 'xstate';
import { ALL_FINAL_PHASES, bindingDeadline, branchWorkflowOf, getWorkflow, isFinalPhase, type BranchReviewContext, type BranchWorkflowId, type DeadlineKind, type NotifyParams } from '../../workflows/index';
import type { CycleRules } from '../domain/schemas';
import { AppError } from '../errors';
import { countBranchesOutside, updateBranchReview, type BranchReviewRow } from '../store/branchReviews';
import { findCycle, updateCycle, type CycleRow } from '../store/cycles';
import type { Db, Tx } from '../store/db';
import { queueMails } from '../store/outbox';
import { cancelPendingTimers, insertTimers } from '../store/timers';
import { actorKey, type Actor } from './actors';
import { recordAudit } from './audit';
import { mailsFor, timersFor, type MailSettings, type NotifyContext } from './effects';
import { allowedEvents, persist, phaseName, pureTransition, restore, stateName } from './machines';
import { notAllowedMessage } from './messages';

/** What every use case is given: the database and how mail is addressed. */
export interface EngineDeps {
  db: Db;
  mail: MailSettings;
}

export interface EventAnswer {
  phase: string;
  state: string;
  version: number;
  allowedEvents: string[];
}

/** A concurrent writer moved the snapshot between read and write. */
export class LostRace extends Error {}

export const parseConfig = (cycle: CycleRow): CycleRules => JSON.parse(cycle.config) as CycleRules;

export const notifyParams = (actions: { type: string; params?: unknown }[]): NotifyParams[] =>
  actions.filter((a) => a.type === 'notify').map((a) => a.params as NotifyParams);

/** The deadline a phase binds, as the columns the dashboard counts overdue branches with. */
export function bindingColumns(phase: string, deadlines: Record<DeadlineKind, string>): { deadline_kind: string | null; deadline_at: string | null } {
  const kind = bindingDeadline(phase);
  return kind ? { deadline_kind: kind, deadline_at: new Date(deadlines[kind]).toISOString() } : { deadline_kind: null, deadline_at: null };
}

/** The machine a branch review runs: its cycle kind's workflow, at the version it was created with. */
export const branchMachine = (workflow: BranchWorkflowId, version: number) => getWorkflow(workflow, version);
export const cycleMachine = (version: number) => getWorkflow('cycle', version);

export function notAllowed(snapshot: AnyMachineSnapshot, type: string, what = '当前状态'): AppError {
  const allowed = allowedEvents(snapshot);
  const state = stateName(snapshot.value);
  return new AppError('EVENT_NOT_ALLOWED', notAllowedMessage({ state, type, allowed, cycle: what === '周期状态' }), {
    state,
    allowedEvents: allowed,
  });
}

export interface BranchTransition {
  cycle: CycleRow;
  config: CycleRules;
  branch: BranchReviewRow;
  snapshot: AnyMachineSnapshot;
  event: { type: string; by: string; data?: Record<string, unknown> };
  actor: Actor;
  /** the capacity the actor acted in, for the audit */
  as: string;
  now: string;
  people?: NotifyContext['people'];
  patch?: Partial<BranchReviewRow>;
}

export async function recordBranchTransition(trx: Tx, deps: EngineDeps, args: BranchTransition): Promise<{ answer: EventAnswer; mailsQueued: number }> {
  const { cycle, config, branch, snapshot, event, now } = args;
  if (!snapshot.can(event)) throw notAllowed(snapshot, event.type);
  const workflow = branchWorkflowOf(branch);
  const [next, actions] = pureTransition(branchMachine(workflow, branch.workflow_version), snapshot, event);
  const version = branch.version + 1;
  const state = stateName(next.value);
  const phase = phaseName(next.value);
  const context = next.context as BranchReviewContext;
  const ok = await updateBranchReview(trx, branch.id, branch.version, {
    ...args.patch,
    phase,
    state,
    ...bindingColumns(phase, context.deadlines),
    snapshot: persist(workflow, branch.workflow_version, next),
    updated_at: now,
  });
  if (!ok) throw new LostRace();
  await recordAudit(trx, {
    actor: args.actor,
    as: args.as,
    action: event.type,
    cycleId: cycle.id,
    branchReviewId: branch.id,
    data: event.data,
    fromState: branch.state,
    toState: state,
    version,
    at: now,
  });
  const mails = await mailsFor(
    trx,
    { cycle, config, branch: { ...branch, version }, context, event, version, now, people: args.people },
    notifyParams(actions),
    deps.mail,
  );
  const mailsQueued = await queueMails(trx, mails);
  if (event.type === 'EXTEND_DEADLINE') {
    const { deadline, until } = event.data as { deadline: DeadlineKind; until: string };
    await cancelPendingTimers(trx, branch.id, deadline, now);
    await insertTimers(trx, timersFor(cycle.id, branch.id, deadline, until, config.timezone, now));
  }
  if (isFinalPhase(phase)) await archiveIfDone(trx, deps, cycle, args.actor, now);
  return { answer: { phase, state, version, allowedEvents: allowedEvents(next) }, mailsQueued };
}

export async function recordCycleTransition(
  trx: Tx,
  deps: EngineDeps,
  cycle: CycleRow,
  event: { type: 'LAUNCH' | 'PUBLISH_RESULTS' | 'ARCHIVE'; by: string; data?: unknown },
  actor: Actor,
  now: string,
): Promise<CycleRow> {
  const snapshot = restore('cycle', cycle.workflow_version, cycle.snapshot);
  if (!snapshot.can(event)) throw notAllowed(snapshot, event.type, '周期状态');
  const [next, actions] = pureTransition(cycleMachine(cycle.workflow_version), snapshot, event);
  const state = stateName(next.value);
  if (!(await updateCycle(trx, cycle.id, cycle.version, { state, snapshot: persist('cycle', cycle.workflow_version, next), updated_at: now }))) {
    throw new AppError('VERSION_CONFLICT', '周期已被他人修改，请重试 (concurrent update of the cycle)');
  }
  await recordAudit(trx, {
    actor,
    action: event.type,
    cycleId: cycle.id,
    data: event.data,
    fromState: cycle.state,
    toState: state,
    version: cycle.version + 1,
    at: now,
  });
  await queueMails(trx, await mailsFor(trx, { cycle, config: parseConfig(cycle), version: cycle.version + 1, now }, notifyParams(actions), deps.mail));
  return (await findCycle(trx, cycle.id))!;
}

/** 归档: once every branch is closed or exempted the cycle archives itself, in the same transaction. */
async function archiveIfDone(trx: Tx, deps: EngineDeps, cycle: CycleRow, actor: Actor, now: string): Promise<void> {
  const current = (await findCycle(trx, cycle.id))!;
  const open = await countBranchesOutside(trx, cycle.id, ALL_FINAL_PHASES);
  const event = { type: 'ARCHIVE' as const, by: actorKey(actor), data: { open } };
  if (restore('cycle', current.workflow_version, current.snapshot).can(event)) await recordCycleTransition(trx, deps, current, event, actor, now);
}
