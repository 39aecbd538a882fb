// The engine: the one place that loads a snapshot, transitions it and persists the result with its
// audit record, outbox mails and timers in one transaction (DESIGN.md: Architecture).
import { createHash } from 'node:crypto';
import { initialTransition, transition, type AnyMachineSnapshot } from 'xstate';
import {
  DEADLINE_KINDS,
  EVENT_ROLES,
  latestVersion,
  CYCLE_EVENT_ROLES,
  getWorkflow,
  type BranchEventType,
  type BranchReviewContext,
  type BranchReviewInput,
  type NotifyParams,
  type Role,
} from '../../workflows/index';
import { computeResults, checkScores, evaluatorTotal } from '../domain/scoring';
import { cycleConfigSchema, eventDataSchemas, eventTypeSchema, type CycleConfig } from '../domain/schemas';
import { AppError, fromZod, invalidInput } from '../errors';
import type { Db, Tx } from '../store/db';
import { insertAudit } from '../store/audit';
import { ballotCounts } from '../store/ballots';
import {
  branchCodes,
  getBranchReview as findBranchReviewById,
  insertBranchReviews,
  listBranchReviews,
  updateBranchReview,
  type BranchReviewRow,
} from '../store/branchReviews';
import { addCyclePerson, cyclePeople, findCycle, insertCycle, updateCycle, type CycleRow } from '../store/cycles';
import { findAnswer, saveAnswer } from '../store/idempotency';
import { queueMails, type MailRow } from '../store/outbox';
import { cancelPendingTimers, claimDueTimer, insertTimers, markTimer, type TimerRow } from '../store/timers';
import { addRole, upsertUser, type UserRow } from '../store/users';
import { queuePasswordLink } from './accounts';
import { actorKey, rolesForBranch, requireRole, SYSTEM, type Actor } from './actors';
import { mailsFor, timersFor, type MailSettings, type NotifyContext } from './effects';
import { requireBranch, requireCycle } from './lookup';
import { allowedEvents, persist, phaseName, restore, stateName } from './machines';

export interface EventAnswer {
  phase: string;
  state: string;
  version: number;
  allowedEvents: string[];
}

export interface BranchEventRequest {
  cycle: string | number;
  branch: string;
  type: string;
  data?: unknown;
  actor: Actor;
  expectedVersion?: number;
  idempotencyKey?: string;
  now?: string;
}

export interface LaunchProgress { done: number; total: number }

const nowIso = () => new Date().toISOString();
const OPTIMISTIC_RETRIES = 5;
const FINAL_PHASES = ['closed', 'exempted'];

export class Engine {
  constructor(
    readonly db: Db,
    readonly mail: MailSettings,
  ) {}

  requireCycle(db: Tx, ref: string | number): Promise<CycleRow> {
    return requireCycle(db, ref);
  }

  requireBranch(db: Tx, cycle: CycleRow, code: string, forUpdate = false): Promise<BranchReviewRow> {
    return requireBranch(db, cycle, code, forUpdate);
  }

  // ── cycle creation and launch ────────────────────────────────────────────────

  /** Creates a draft cycle from its configuration; people are linked by email, new ones created without a password. */
  async createCycle(input: unknown, actor: Actor, now = nowIso()): Promise<{ cycle: CycleRow; newUsers: number }> {
    if (!actor.roles.includes('office')) throw new AppError('FORBIDDEN', '只有党委办公室可以创建述评周期 (office only)');
    const parsed = cycleConfigSchema.safeParse(input);
    if (!parsed.success) throw fromZod(parsed.error);
    const config = parsed.data;
    return this.db.transaction(async (trx) => {
      if (await findCycle(trx, config.year)) {
        throw invalidInput([{ field: 'year', message: `${config.year} 年度的述评周期已存在` }]);
      }
      const version = latestVersion('cycle');
      const [snapshot] = initialTransition(getCycleMachine(version));
      const id = await insertCycle(trx, {
        year: config.year,
        title: config.title,
        timezone: config.timezone,
        config: JSON.stringify(config),
        state: stateName(snapshot.value),
        snapshot: persist('cycle', version, snapshot),
        version: 1,
        workflow_version: version,
        created_at: now,
        updated_at: now,
      });
      let newUsers = 0;
      const invite: UserRow[] = [];
      const link = async (p: { email: string; name: string; locale?: string }) => {
        const { user, created } = await upsertUser(trx, p, now);
        if (created) {
          newUsers++;
          invite.push(user);
        }
        return user;
      };
      for (const p of config.office) {
        const u = await link(p);
        await addRole(trx, u.id, 'office');
        await addCyclePerson(trx, { cycle_id: id, user_id: u.id, role: 'office' });
      }
      for (const p of config.leaders) {
        const u = await link(p);
        await addRole(trx, u.id, 'leader');
        await addCyclePerson(trx, { cycle_id: id, user_id: u.id, role: 'leader' });
      }
      for (const b of config.branches) {
        const u = await link({ email: b.secretaryEmail, name: b.secretaryName });
        await addRole(trx, u.id, 'secretary');
        if (b.deputyEmail) await link({ email: b.deputyEmail, name: b.deputyEmail });
      }
      for (const p of config.panel) {
        const u = await link(p);
        await addRole(trx, u.id, 'evaluator');
        await addCyclePerson(trx, { cycle_id: id, user_id: u.id, role: 'evaluator', conflict_branch_code: p.branchCode ?? null });
      }
      // New people get a one-time link to set their password, queued with the cycle itself.
      for (const u of invite) await queuePasswordLink(trx, u, 'invitation', this.mail, now, config.title);
      await insertAudit(trx, [
        { cycle_id: id, branch_review_id: null, actor: actorKey(actor), event_type: 'CREATE', data: null, from_state: null, to_state: 'draft', version: 1, at: now },
      ]);
      return { cycle: (await findCycle(trx, id))!, newUsers };
    });
  }

  /**
   * Launches a cycle: moves it to `launched`, then creates every branch review in batches, each
   * batch one transaction with its notices and timers. Re-running resumes a launch cut short.
   */
  async launchCycle(
    ref: string | number,
    actor: Actor,
    opts: { now?: string; batchSize?: number; onProgress?: (p: LaunchProgress) => void } = {},
  ): Promise<{ cycle: CycleRow; created: number }> {
    const now = opts.now ?? nowIso();
    requireRole(new Set(actor.roles as Role[]), CYCLE_EVENT_ROLES.LAUNCH, 'LAUNCH');
    let cycle = await this.requireCycle(this.db, ref);
    const config = parseConfig(cycle);
    const existing = await branchCodes(this.db, cycle.id);
    const missing = config.branches.filter((b) => !existing.has(b.code));
    if (cycle.state !== 'draft' && missing.length === 0) {
      throw new AppError('EVENT_NOT_ALLOWED', `周期已启动 (cycle is ${cycle.state})`, { allowedEvents: [] });
    }
    if (cycle.state === 'draft') cycle = await this.applyCycleEvent(cycle, { type: 'LAUNCH', by: actorKey(actor) }, actor, now);

    const branchVersion = latestVersion('branchReview');
    const machine = getBranchMachine(branchVersion);
    const batchSize = opts.batchSize ?? 200;
    const total = config.branches.length;
    let done = total - missing.length;
    opts.onProgress?.({ done, total });
    for (let i = 0; i < missing.length; i += batchSize) {
      const batch = missing.slice(i, i + batchSize);
      await this.db.transaction(async (trx) => {
        const panel = await cyclePeople(trx, cycle.id, 'evaluator');
        const people: NotifyContext['people'] = new Map();
        const users = new Map<number, UserRow>();
        const prepared: { row: Omit<BranchReviewRow, 'id'>; snapshot: AnyMachineSnapshot; notify: NotifyParams[] }[] = [];
        for (const b of batch) {
          const secretary = (await upsertUser(trx, { email: b.secretaryEmail, name: b.secretaryName }, now)).user;
          const deputy = b.deputyEmail ? (await upsertUser(trx, { email: b.deputyEmail, name: b.deputyEmail }, now)).user : null;
          for (const u of [secretary, deputy]) if (u) users.set(u.id, u);
          const input: BranchReviewInput = {
            // 回避: a panel member never scores their own branch, declared or as its secretary.
            expectedEvaluators: panel
              .filter((p) => p.conflict_branch_code !== b.code && p.user_id !== secretary.id && p.user_id !== deputy?.id)
              .map((p) => String(p.user_id)),
            deadlines: { ...config.deadlines },
          };
          const [snapshot, actions] = initialTransition(machine, input);
          prepared.push({
            snapshot,
            notify: notifyParams(actions),
            row: {
              cycle_id: cycle.id,
              code: b.code,
              name: b.name,
              secretary_id: secretary.id,
              deputy_id: deputy?.id ?? null,
              phase: phaseName(snapshot.value),
              state: stateName(snapshot.value),
              snapshot: persist('branchReview', branchVersion, snapshot),
              version: 1,
              workflow_version: branchVersion,
              final_score: null,
              grade: null,
              rank: null,
              created_at: now,
              updated_at: now,
            },
          });
        }
        const rows = await insertBranchReviews(trx, prepared.map((p) => p.row));
        const mails: MailRow[] = [];
        const timers: TimerRow[] = [];
        for (const [n, row] of rows.entries()) {
          const { snapshot, notify } = prepared[n];
          const context = snapshot.context as BranchReviewContext;
          mails.push(...(await mailsFor(trx, { cycle, config, branch: row, context, version: 1, now, people, users }, notify, this.mail)));
          for (const kind of DEADLINE_KINDS) timers.push(...timersFor(cycle.id, row.id, kind, context.deadlines[kind], config.timezone, now));
        }
        await insertAudit(
          trx,
          rows.map((row) => ({
            cycle_id: cycle.id,
            branch_review_id: row.id,
            actor: actorKey(actor),
            event_type: 'LAUNCH',
            data: null,
            from_state: null,
            to_state: row.state,
            version: 1,
            at: now,
          })),
        );
        await queueMails(trx, mails);
        await insertTimers(trx, timers);
      });
      done += batch.length;
      opts.onProgress?.({ done, total });
    }
    return { cycle: (await findCycle(this.db, cycle.id))!, created: missing.length };
  }

  // ── branch events ───────────────────────────────────────────────────────────

  /** Applies one event to one branch review: validated, authorised, all or nothing. */
  async sendBranchEvent(req: BranchEventRequest): Promise<EventAnswer> {
    const now = req.now ?? nowIso();
    const typeParse = eventTypeSchema.safeParse(req.type);
    if (!typeParse.success) throw invalidInput([{ field: 'type', message: `未知事件 ${String(req.type)}` }]);
    const type = typeParse.data;
    if (type === 'PUBLISH_RESULTS') {
      throw invalidInput([{ field: 'branch', message: 'PUBLISH_RESULTS 面向整个周期，不能指定支部 (cycle-wide event)' }]);
    }
    const dataParse = eventDataSchemas[type].safeParse(req.data ?? undefined);
    if (!dataParse.success) throw fromZod(dataParse.error, 'data');
    const data = dataParse.data as Record<string, unknown> | undefined;
    const requestHash = hash({ cycle: String(req.cycle), branch: req.branch, type, data: data ?? null });

    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction(async (trx) => {
          if (req.idempotencyKey) {
            const earlier = await findAnswer(trx, req.idempotencyKey, actorKey(req.actor));
            if (earlier) {
              if (earlier.requestHash !== requestHash) {
                throw new AppError('IDEMPOTENCY_KEY_REUSED', '该幂等键已用于另一个请求 (Idempotency-Key reused for a different request)');
              }
              return earlier.response as EventAnswer;
            }
          }
          const cycle = await this.requireCycle(trx, req.cycle);
          const branch = await this.requireBranch(trx, cycle, req.branch, true);
          const config = parseConfig(cycle);
          const roles = await rolesForBranch(trx, req.actor, branch, EVENT_ROLES[type]);
          requireRole(roles, EVENT_ROLES[type], type);
          if (req.expectedVersion !== undefined && req.expectedVersion !== branch.version) {
            throw new AppError('VERSION_CONFLICT', `版本已变化：期望 ${req.expectedVersion}，当前 ${branch.version} (stale version)`, {
              currentVersion: branch.version,
            });
          }
          const snapshot = restore('branchReview', branch.workflow_version, branch.snapshot);
          const context = snapshot.context as BranchReviewContext;
          checkEventFacts(type, data, context, config, req.actor, now);
          const event = { type, by: actorKey(req.actor), data } as never;
          const answer = await this.applyBranchEvent(trx, { cycle, config, branch, snapshot, event, actor: req.actor, now });
          if (req.idempotencyKey) await saveAnswer(trx, req.idempotencyKey, actorKey(req.actor), requestHash, answer.answer, now);
          return answer.answer;
        });
      } catch (err) {
        // Without an expected version the caller wants the event applied to whatever is current:
        // a concurrent writer won the race, so read again and retry rather than lose the update.
        const retryable = err instanceof LostRace && req.expectedVersion === undefined && attempt < OPTIMISTIC_RETRIES;
        if (retryable) continue;
        if (err instanceof LostRace) throw new AppError('VERSION_CONFLICT', '数据已被他人修改，请刷新后重试 (concurrent update)');
        throw err;
      }
    }
  }

  /** Transition + persist inside the caller's transaction. Refuses (changing nothing) what the state does not allow. */
  private async applyBranchEvent(
    trx: Tx,
    args: {
      cycle: CycleRow;
      config: CycleConfig;
      branch: BranchReviewRow;
      snapshot: AnyMachineSnapshot;
      event: { type: string; by: string; data?: Record<string, unknown> };
      actor: Actor;
      now: string;
      people?: NotifyContext['people'];
      patch?: Partial<BranchReviewRow>;
    },
  ): Promise<{ answer: EventAnswer; mailsQueued: number }> {
    const { cycle, config, branch, snapshot, event, now } = args;
    if (!snapshot.can(event)) {
      const allowed = allowedEvents(snapshot);
      throw new AppError(
        'EVENT_NOT_ALLOWED',
        `当前状态 ${stateName(snapshot.value)} 不允许 ${event.type}；可用：${allowed.join(', ') || '无'} (event not allowed now)`,
        { state: stateName(snapshot.value), allowedEvents: allowed },
      );
    }
    const machine = getBranchMachine(branch.workflow_version);
    const [next, actions] = transition(machine, snapshot, event as never);
    const version = branch.version + 1;
    const state = stateName(next.value);
    const phase = phaseName(next.value);
    const ok = await updateBranchReview(trx, branch.id, branch.version, {
      ...args.patch,
      phase,
      state,
      snapshot: persist('branchReview', branch.workflow_version, next),
      updated_at: now,
    });
    if (!ok) throw new LostRace();
    await insertAudit(trx, [
      {
        cycle_id: cycle.id,
        branch_review_id: branch.id,
        actor: actorKey(args.actor),
        event_type: event.type,
        data: event.data === undefined ? null : JSON.stringify(event.data),
        from_state: branch.state,
        to_state: state,
        version,
        at: now,
      },
    ]);
    const context = next.context as BranchReviewContext;
    const mails = await mailsFor(
      trx,
      { cycle, config, branch: { ...branch, version }, context, event, version, now, people: args.people },
      notifyParams(actions),
      this.mail,
    );
    const mailsQueued = await queueMails(trx, mails);
    if (event.type === 'EXTEND_DEADLINE') {
      const { deadline, until } = event.data as { deadline: (typeof DEADLINE_KINDS)[number]; until: string };
      await cancelPendingTimers(trx, branch.id, deadline, now);
      await insertTimers(trx, timersFor(cycle.id, branch.id, deadline, until, config.timezone, now));
    }
    if (FINAL_PHASES.includes(phase)) await this.archiveIfDone(trx, cycle, args.actor, now);
    return { answer: { phase, state, version, allowedEvents: allowedEvents(next) }, mailsQueued };
  }

  /**
   * 委托: the office, or the branch's own secretary, names a deputy who gets the branch's mails and may act
   * for the secretary (or removes the deputy with null). A new person is invited to set a password.
   */
  async setDeputy(ref: string | number, code: string, deputy: { email: string; name: string } | null, actor: Actor, now = nowIso()) {
    return this.db.transaction(async (trx) => {
      const cycle = await this.requireCycle(trx, ref);
      const branch = await this.requireBranch(trx, cycle, code, true);
      const mayDelegate = actor.roles.includes('office') || (actor.id !== null && branch.secretary_id === actor.id);
      if (!mayDelegate) throw new AppError('FORBIDDEN', '只有党委办公室或本支部书记可以委托 (office or the branch secretary only)');
      if (['closed', 'exempted'].includes(branch.phase)) throw new AppError('EVENT_NOT_ALLOWED', '该支部已结束 (branch is finished)', { allowedEvents: [] });
      let deputyId: number | null = null;
      if (deputy) {
        const { user, created } = await upsertUser(trx, deputy, now);
        if (user.id === branch.secretary_id) throw invalidInput([{ field: 'email', message: '不能委托给书记本人' }]);
        if (created) await queuePasswordLink(trx, user, 'invitation', this.mail, now, parseConfig(cycle).title);
        await addRole(trx, user.id, 'secretary');
        deputyId = user.id;
      }
      if (!(await updateBranchReview(trx, branch.id, branch.version, { deputy_id: deputyId, updated_at: now }))) {
        throw new AppError('VERSION_CONFLICT', '数据已被他人修改，请刷新后重试 (concurrent update)');
      }
      await insertAudit(trx, [
        {
          cycle_id: cycle.id,
          branch_review_id: branch.id,
          actor: actorKey(actor),
          event_type: 'SET_DEPUTY',
          data: JSON.stringify({ deputy: deputy?.email ?? null }),
          from_state: branch.state,
          to_state: branch.state,
          version: branch.version + 1,
          at: now,
        },
      ]);
      return { deputy: deputy ? { email: deputy.email.toLowerCase(), name: deputy.name } : null, version: branch.version + 1 };
    });
  }

  /** 重发通知: the office sends the notice again (a secretary lost it, or a deputy took over). */
  async resendNotice(ref: string | number, code: string, actor: Actor, now = nowIso()): Promise<{ mailsQueued: number }> {
    if (!actor.roles.includes('office')) throw new AppError('FORBIDDEN', '只有党委办公室可以重发通知 (office only)');
    return this.db.transaction(async (trx) => {
      const cycle = await this.requireCycle(trx, ref);
      const branch = await this.requireBranch(trx, cycle, code);
      if (['closed', 'exempted'].includes(branch.phase)) {
        throw new AppError('EVENT_NOT_ALLOWED', '该支部已结束，无需重发通知', { allowedEvents: [] });
      }
      const context = restore('branchReview', branch.workflow_version, branch.snapshot).context as BranchReviewContext;
      const [auditId] = await insertAudit(trx, [{
        cycle_id: cycle.id,
        branch_review_id: branch.id,
        actor: actorKey(actor),
        event_type: 'RESEND_NOTICE',
        data: null,
        from_state: branch.state,
        to_state: branch.state,
        version: branch.version,
        at: now,
      }]);
      const mails = await mailsFor(
        trx,
        { cycle, config: parseConfig(cycle), branch, context, version: branch.version, now, reasonKey: `resend${auditId}` },
        [{ template: 'notice', to: ['secretary'], deadline: 'materials' }],
        this.mail,
      );
      return { mailsQueued: await queueMails(trx, mails) };
    });
  }

  // ── cycle events ────────────────────────────────────────────────────────────

  private async applyCycleEvent(
    cycle: CycleRow,
    event: { type: 'LAUNCH' | 'PUBLISH_RESULTS' | 'ARCHIVE'; by: string; data?: unknown },
    actor: Actor,
    now: string,
    trx: Tx = this.db,
  ): Promise<CycleRow> {
    const snapshot = restore('cycle', cycle.workflow_version, cycle.snapshot);
    if (!snapshot.can(event)) {
      const allowed = allowedEvents(snapshot);
      throw new AppError('EVENT_NOT_ALLOWED', `周期状态 ${cycle.state} 不允许 ${event.type} (event not allowed now)`, {
        state: cycle.state,
        allowedEvents: allowed,
      });
    }
    const [next, actions] = transition(getCycleMachine(cycle.workflow_version), snapshot, event as never);
    const state = stateName(next.value);
    const run = async (t: Tx) => {
      if (!(await updateCycle(t, cycle.id, cycle.version, { state, snapshot: persist('cycle', cycle.workflow_version, next), updated_at: now }))) {
        throw new AppError('VERSION_CONFLICT', '周期已被他人修改，请重试 (concurrent update of the cycle)');
      }
      await insertAudit(t, [
        {
          cycle_id: cycle.id,
          branch_review_id: null,
          actor: actorKey(actor),
          event_type: event.type,
          data: event.data === undefined ? null : JSON.stringify(event.data),
          from_state: cycle.state,
          to_state: state,
          version: cycle.version + 1,
          at: now,
        },
      ]);
      const config = parseConfig(cycle);
      await queueMails(t, await mailsFor(t, { cycle, config, version: cycle.version + 1, now }, notifyParams(actions), this.mail));
      return (await findCycle(t, cycle.id))!;
    };
    return trx === this.db ? this.db.transaction(run) : run(trx);
  }

  /** 归档: once every branch is closed or exempted the cycle archives itself, in the same transaction. */
  private async archiveIfDone(trx: Tx, cycle: CycleRow, actor: Actor, now: string): Promise<void> {
    const current = (await findCycle(trx, cycle.id))!;
    const open = (await listBranchReviews(trx, cycle.id)).filter((b) => !FINAL_PHASES.includes(b.phase)).length;
    const event = { type: 'ARCHIVE' as const, by: actorKey(actor), data: { open } };
    if (restore('cycle', current.workflow_version, current.snapshot).can(event)) await this.applyCycleEvent(current, event, actor, now, trx);
  }

  /**
   * PUBLISH_RESULTS (公布结果): computes every scored branch's score sheet with the cycle's rules,
   * and moves all of them to improvement planning at once, with the cycle, in one transaction.
   */
  async publishResults(ref: string | number, actor: Actor, now = nowIso()): Promise<{ cycle: CycleRow; published: number }> {
    requireRole(new Set(actor.roles as Role[]), CYCLE_EVENT_ROLES.PUBLISH_RESULTS, 'PUBLISH_RESULTS');
    return this.db.transaction(async (trx) => {
      const cycle = await this.requireCycle(trx, ref);
      const config = parseConfig(cycle);
      const branches = await listBranchReviews(trx, cycle.id, true);
      const unscored = branches.filter((b) => b.phase !== 'scored' && b.phase !== 'exempted').map((b) => b.code);
      const event = { type: 'PUBLISH_RESULTS' as const, by: actorKey(actor), data: { unscored } };
      const cycleSnapshot = restore('cycle', cycle.workflow_version, cycle.snapshot);
      if (cycle.state === 'launched' && unscored.length) {
        throw new AppError('EVENT_NOT_ALLOWED', `尚有支部未完成评分：${unscored.join('、')} (not every branch is scored)`, {
          state: cycle.state,
          unscored,
          allowedEvents: allowedEvents(cycleSnapshot),
        });
      }
      const published = await this.applyCycleEvent(cycle, event, actor, now, trx);
      const scored = branches.filter((b) => b.phase === 'scored');
      const snapshots = scored.map((b) => restore('branchReview', b.workflow_version, b.snapshot));
      const ballots = await ballotCounts(trx, cycle.id);
      const sheets = computeResults(
        {
          rubric: config.rubric,
          bands: config.grades.bands,
          topGradeCapPercent: config.grades.topGradeCapPercent ?? null,
          democratic: config.democratic,
        },
        scored.map((b, n) => {
          const ctx = snapshots[n].context as BranchReviewContext;
          return {
            code: b.code,
            evaluatorTotals: Object.values(ctx.scores).map((s) => evaluatorTotal(s.scores, config.rubric)),
            ballots: ballots.get(b.id) ?? null,
            adjustments: ctx.adjustments.map(({ points, reason }) => ({ points, reason })),
            veto: ctx.veto ? { reason: ctx.veto.reason } : null,
          };
        }),
      );
      const people: NotifyContext['people'] = new Map();
      for (const [n, branch] of scored.entries()) {
        const sheet = sheets[n];
        await this.applyBranchEvent(trx, {
          cycle: published,
          config,
          branch,
          snapshot: snapshots[n],
          event: {
            type: 'PUBLISH_RESULTS',
            by: actorKey(actor),
            data: { final: sheet.final, grade: sheet.grade, rank: sheet.rank, of: sheets.length, scoreSheet: sheet },
          },
          actor,
          now,
          people,
          patch: { final_score: sheet.final, grade: sheet.grade, rank: sheet.rank },
        });
      }
      return { cycle: (await findCycle(trx, cycle.id))!, published: scored.length };
    });
  }

  // ── durable deadlines ───────────────────────────────────────────────────────

  /**
   * One scheduler pass: each due timer becomes a DEADLINE_DUE event in its own transaction, and the
   * timer is marked in that same transaction, so a second pass at the same instant fires nothing.
   */
  async fireDueTimers(now = nowIso()): Promise<{ timersFired: number; mailsQueued: number; timersFailed: number }> {
    let timersFired = 0;
    let mailsQueued = 0;
    // A timer whose event fails stays pending for the next pass; it must not stop the others in this one.
    const failed: number[] = [];
    for (;;) {
      let current: number | undefined;
      const fired = await this.db.transaction(async (trx) => {
        const timer = await claimDueTimer(trx, now, failed);
        if (!timer) return false;
        current = timer.id;
        const branch = (await findBranchReviewById(trx, timer.branch_review_id, true))!;
        const cycle = (await findCycle(trx, branch.cycle_id))!;
        const snapshot = restore('branchReview', branch.workflow_version, branch.snapshot);
        const event = { type: 'DEADLINE_DUE', by: 'system', data: { deadline: timer.kind, step: timer.step } };
        // A deadline that no longer binds (the work was done, the branch moved on) is skipped, not an error.
        if (!snapshot.can(event as never)) {
          await markTimer(trx, timer.id!, 'skipped', now);
          return true;
        }
        const res = await this.applyBranchEvent(trx, { cycle, config: parseConfig(cycle), branch, snapshot, event, actor: SYSTEM, now });
        await markTimer(trx, timer.id!, 'fired', now);
        return res.mailsQueued;
      }).catch((err: unknown) => {
        if (current === undefined) throw err;
        failed.push(current);
        console.error(`timer ${current} failed, left pending: ${String((err as Error).message ?? err).slice(-300)}`);
        return true;
      });
      if (fired === false) break;
      if (typeof fired === 'number') {
        timersFired++;
        mailsQueued += fired;
      }
    }
    return { timersFired, mailsQueued, timersFailed: failed.length };
  }
}

/** A concurrent writer moved the snapshot between read and write. */
class LostRace extends Error {}

const hash = (value: unknown): string => createHash('sha256').update(JSON.stringify(value)).digest('hex');

export function parseConfig(cycle: CycleRow): CycleConfig {
  return JSON.parse(cycle.config) as CycleConfig;
}

function notifyParams(actions: { type: string; params?: unknown }[]): NotifyParams[] {
  return actions.filter((a) => a.type === 'notify').map((a) => a.params as NotifyParams);
}

/** Checks that need the cycle's rules or the branch's facts, with errors that name the field. */
function checkEventFacts(
  type: BranchEventType,
  data: Record<string, unknown> | undefined,
  context: BranchReviewContext,
  config: CycleConfig,
  actor: Actor,
  now: string,
): void {
  if (type === 'SUBMIT_SCORE') {
    const issues = checkScores((data!.scores ?? {}) as Record<string, unknown>, config.rubric);
    if (issues.length) throw invalidInput(issues.map((i) => ({ field: `data.${i.path}`, message: i.message })));
    if (!context.expectedEvaluators.includes(actorKey(actor))) {
      throw new AppError('FORBIDDEN', '您与该支部存在回避关系或不在考评组，不能为其评分 (conflict of interest: not an expected evaluator)');
    }
  }
  if (type === 'REPORT_PROGRESS' || type === 'VERIFY_ITEM') {
    const item = context.planItems.find((i) => i.id === data!.itemId);
    if (!item) throw invalidInput([{ field: 'data.itemId', message: `没有整改事项 ${String(data!.itemId)}` }]);
    if (item.status === 'verified') throw invalidInput([{ field: 'data.itemId', message: `整改事项 ${item.id} 已销号` }]);
  }
  if (type === 'EXTEND_DEADLINE') {
    const { until, deadline } = data as { until: string; deadline: keyof BranchReviewContext['deadlines'] };
    if (Date.parse(until) <= Date.parse(now)) throw invalidInput([{ field: 'data.until', message: '新的截止时间须晚于现在' }]);
    if (Date.parse(until) <= Date.parse(context.deadlines[deadline])) {
      throw invalidInput([{ field: 'data.until', message: '新的截止时间须晚于原截止时间' }]);
    }
  }
}

const getBranchMachine = (version: number) => getWorkflow('branchReview', version);
const getCycleMachine = (version: number) => getWorkflow('cycle', version);
