// Recording a transition: the one helper every branch and cycle event goes through. It refuses what
// the state does not allow, writes the snapshot with version + 1 (optimistically), the audit record,
// the outbox mails and the timers, inside the caller's transaction.
import type { AnyMachineSnapshot } from 'xstate';
import { ALL_FINAL_PHASES, bindingDeadline, branchWorkflowOf, getWorkflow, isFinalPhase, type BranchReviewContext, type BranchWorkflowId, type DeadlineKind, type NotifyParams } from '../../workflows/index';
import type { CycleRules } from '../domain/schemas';
import { AppError } from '../errors';
import { countBranchesOutside, updateBranchReview, updateBranchReviewSteps, type BranchReviewRow } from '../store/branchReviews';
import { findCycle, updateCycle, type CycleRow } from '../store/cycles';
import type { Db, Tx } from '../store/db';
import { queueMails, type MailRow } from '../store/outbox';
import { usersByIds, type UserRow } from '../store/users';
import { cancelPendingTimers, insertTimers } from '../store/timers';
import { actorKey, type Actor } from './actors';
import { recordAudit, type AuditEntry } from './audit';
import { mailsFor, timersFor, type MailSettings, type NotifyContext, type Recipient } from './effects';
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

/** A transition worked out in memory: what it writes, before anything is written. */
export interface PlannedTransition {
  args: BranchTransition;
  next: AnyMachineSnapshot;
  phase: string;
  /** the columns it writes (with version + 1), and the branch row as it will be once written */
  changes: Partial<BranchReviewRow>;
  row: BranchReviewRow;
  audit: AuditEntry;
  notify: NotifyParams[];
  context: BranchReviewContext;
  answer: EventAnswer;
}

/** Refuses what the state does not allow, else transitions the snapshot: pure, nothing written. */
export function planBranchTransition(args: BranchTransition): PlannedTransition {
  const { branch, snapshot, event, now } = args;
  if (!snapshot.can(event)) throw notAllowed(snapshot, event.type);
  const workflow = branchWorkflowOf(branch);
  const [next, actions] = pureTransition(branchMachine(workflow, branch.workflow_version), snapshot, event);
  const version = branch.version + 1;
  const state = stateName(next.value);
  const phase = phaseName(next.value);
  const context = next.context as BranchReviewContext;
  const changes: Partial<BranchReviewRow> = {
    ...args.patch,
    phase,
    state,
    ...bindingColumns(phase, context.deadlines),
    snapshot: persist(workflow, branch.workflow_version, next),
    updated_at: now,
  };
  const row: BranchReviewRow = { ...branch, ...changes, version };
  const audit: AuditEntry = {
    actor: args.actor,
    as: args.as,
    action: event.type,
    cycleId: args.cycle.id,
    branchReviewId: branch.id,
    data: event.data,
    fromState: branch.state,
    toState: state,
    version,
    at: now,
  };
  return { args, next, phase, changes, row, audit, notify: notifyParams(actions), context, answer: { phase, state, version, allowedEvents: allowedEvents(next) } };
}

const notifyContextOf = (p: PlannedTransition): NotifyContext => {
  const { cycle, config, event, now, people } = p.args;
  return { cycle, config, branch: { ...p.args.branch, version: p.row.version }, context: p.context, event, version: p.row.version, now, people };
};

/** What a planned transition writes beyond its row, audit and mails: the new timers, the cycle's archive. */
const writesMore = (p: PlannedTransition) => p.args.event.type === 'EXTEND_DEADLINE' || isFinalPhase(p.phase) || p.args.patch !== undefined;

export async function recordBranchTransition(trx: Tx, deps: EngineDeps, args: BranchTransition): Promise<{ answer: EventAnswer; mailsQueued: number }> {
  const planned = planBranchTransition(args);
  const { cycle, config, branch, event, now } = args;
  if (!(await updateBranchReview(trx, branch.id, branch.version, planned.changes))) throw new LostRace();
  await recordAudit(trx, planned.audit);
  const mailsQueued = await queueMails(trx, await mailsFor(trx, notifyContextOf(planned), planned.notify, deps.mail));
  if (event.type === 'EXTEND_DEADLINE') {
    const { deadline, until } = event.data as { deadline: DeadlineKind; until: string };
    await cancelPendingTimers(trx, branch.id, deadline, now);
    await insertTimers(trx, timersFor(cycle.id, branch.id, deadline, until, config.timezone, now));
  }
  if (isFinalPhase(planned.phase)) await archiveIfDone(trx, deps, cycle, args.actor, now);
  return { answer: planned.answer, mailsQueued };
}

/**
 * Many planned transitions written set-based: one statement for the rows (each still only if its
 * version is unchanged), the audit records appended in order, the mails in a few inserts. Holds only
 * transitions that write nothing else (see `fits`); the caller records the others one by one, after
 * flushing what it holds, so the order of the writes is the order of the events.
 */
export class TransitionBatch {
  private planned: PlannedTransition[] = [];
  private mails: MailRow[] = [];
  /** people read once for the whole batch */
  readonly people = new Map<string, Recipient[]>();
  /** users the caller has read for the batch's branches (their secretaries and deputies) */
  readonly users = new Map<number, UserRow>();

  constructor(
    private readonly trx: Tx,
    private readonly deps: EngineDeps,
  ) {}

  static fits = (p: PlannedTransition): boolean => !writesMore(p);

  /** Reads at once the secretaries and deputies of branches the batch will move (their mails name them). */
  async knowPeopleOf(branches: Iterable<BranchReviewRow>): Promise<void> {
    const ids = new Set<number>();
    for (const b of branches) {
      ids.add(b.secretary_id);
      if (b.deputy_id !== null) ids.add(b.deputy_id);
    }
    const unknown = [...ids].filter((id) => !this.users.has(id));
    for (let i = 0; i < unknown.length; i += 500) for (const u of await usersByIds(this.trx, unknown.slice(i, i + 500))) this.users.set(u.id, u);
  }

  get size(): number {
    return this.planned.length;
  }

  async add(p: PlannedTransition): Promise<void> {
    if (!TransitionBatch.fits(p)) throw new Error(`a ${p.args.event.type} transition is recorded on its own`);
    const mails = await mailsFor(this.trx, { ...notifyContextOf(p), people: this.people, users: this.users }, p.notify, this.deps.mail);
    this.planned.push(p);
    this.mails.push(...mails);
  }

  /** A part being written by writeAhead, and the mails the parts written so had new in the outbox. */
  private writing: Promise<void> | undefined;
  private queuedAhead = 0;

  /**
   * Starts writing what the batch holds and returns as soon as the part written before is done, so
   * that the caller plans the next part while the database writes this one. One part is written at a
   * time, as the audit chain's head moves part by part; a part that fails to write fails the next
   * writeAhead or flush.
   */
  async writeAhead(): Promise<void> {
    await this.written();
    this.writing = this.write().then((n) => void (this.queuedAhead += n));
    this.writing.catch(() => {}); // seen by whoever awaits it next
  }

  /** Writes what the batch holds; answers how many mails were new in the outbox. */
  async flush(): Promise<number> {
    await this.written();
    const queued = (await this.write()) + this.queuedAhead;
    this.queuedAhead = 0;
    return queued;
  }

  private async written(): Promise<void> {
    const part = this.writing;
    this.writing = undefined;
    await part;
  }

  private async write(): Promise<number> {
    const planned = this.planned;
    const mails = this.mails;
    this.planned = [];
    this.mails = [];
    if (!planned.length) return 0;
    // A branch that took several events is written once, from the version on record to the last one's.
    const rows = new Map<number, { id: number; expectedVersion: number; row: BranchReviewRow }>();
    for (const p of planned) rows.set(p.row.id, { id: p.row.id, expectedVersion: rows.get(p.row.id)?.expectedVersion ?? p.args.branch.version, row: p.row });
    if ((await updateBranchReviewSteps(this.trx, [...rows.values()])) !== rows.size) throw new LostRace();
    await recordAudit(this.trx, planned.map((p) => p.audit));
    return queueMails(this.trx, mails);
  }
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
