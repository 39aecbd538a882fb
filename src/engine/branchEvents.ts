// Branch events: one event to one branch review, validated, authorised by the policy and recorded
// all or nothing; and the evaluator's score draft, which is not an event but obeys the same rules.
import { createHash } from 'node:crypto';
import type { AnyMachineSnapshot } from 'xstate';
import { type AnyBranchEventType, type BranchEventType, type BranchReviewContext, type QuarterlyAssessmentContext } from '../../workflows/index';
import { checkIndicatorScores } from '../domain/quarterly';
import { checkScores } from '../domain/scoring';
import { eventDataSchemas, eventTypeSchema, scoreDraftSchema, type CycleRules } from '../domain/schemas';
import { AppError, fromZod, invalidInput } from '../errors';
import { branchReviewsByCodes, type BranchReviewRow } from '../store/branchReviews';
import { findCycle, type CycleRow } from '../store/cycles';
import type { Tx } from '../store/db';
import { findAnswer, saveAnswer } from '../store/idempotency';
import { saveScoreDraft as storeScoreDraft } from '../store/web';
import { actorKey, type Actor } from './actors';
import { recordAudit } from './audit';
import { branchOnRecord, requireCycleAndBranch } from './lookup';
import { afterEvent, prepareEvent, type EventFacts } from './eventFacts';
import { restoreBranch } from './machines';
import { authorizeEvent, authorizeOnBranch, capacityOf, momentOf, standingOn } from './policy';
import { LostRace, parseConfig, planBranchTransition, recordBranchTransition, TransitionBatch, type BranchTransition, type EngineDeps, type EventAnswer } from './transitions';

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

const OPTIMISTIC_RETRIES = 5;
const hash = (value: unknown): string => createHash('sha256').update(JSON.stringify(value)).digest('hex');

/** An event checked against its schema, before any transaction. */
interface Checked { type: AnyBranchEventType; data: Record<string, unknown> | undefined }

function check(req: BranchEventRequest): Checked {
  const typeParse = eventTypeSchema.safeParse(req.type);
  if (!typeParse.success) throw invalidInput([{ field: 'type', message: `未知事件 ${String(req.type)}` }]);
  const type = typeParse.data;
  if (type === 'PUBLISH_RESULTS') {
    throw invalidInput([{ field: 'branch', message: '「公布结果」面向整个周期，不能指定支部 (publishing results is cycle-wide)' }]);
  }
  const dataParse = eventDataSchemas[type].safeParse(req.data ?? undefined);
  if (!dataParse.success) throw fromZod(dataParse.error, 'data');
  const data = dataParse.data as Record<string, unknown> | undefined;
  return { type, data };
}

/** What an Idempotency-Key is bound to: the same key with another request is refused. */
const requestHashOf = (req: BranchEventRequest, { type, data }: Checked) => hash({ cycle: String(req.cycle), branch: req.branch, type, data: data ?? null });

/** The event inside the caller's transaction (or savepoint): authorised by the policy, then recorded. */
async function apply(trx: Tx, deps: EngineDeps, req: BranchEventRequest, checked: Checked, now: string): Promise<EventAnswer> {
  const { type, data } = checked;
  const requestHash = req.idempotencyKey ? requestHashOf(req, checked) : '';
  if (req.idempotencyKey) {
    const earlier = await findAnswer(trx, req.idempotencyKey, actorKey(req.actor));
    if (earlier) {
      if (earlier.requestHash !== requestHash) {
        throw new AppError('IDEMPOTENCY_KEY_REUSED', '该幂等键已用于另一个请求 (Idempotency-Key reused for a different request)');
      }
      return earlier.response as EventAnswer;
    }
  }
  const { cycle, branch } = await requireCycleAndBranch(trx, req.cycle, req.branch, true);
  const facts = admit(req, checked, { cycle, branch, config: parseConfig(cycle), snapshot: restoreBranch(branch) }, now);
  const event = { type, by: actorKey(req.actor), data: await prepareEvent(trx, facts, type as BranchEventType, data) };
  const { answer } = await recordBranchTransition(trx, deps, transitionOf(req, facts, event));
  await afterEvent(trx, facts, type as BranchEventType, event.data);
  if (req.idempotencyKey) await saveAnswer(trx, req.idempotencyKey, actorKey(req.actor), requestHash, answer, now);
  return answer;
}

/** Applies one event to one branch review: validated, authorised, all or nothing. */
export async function sendBranchEvent(deps: EngineDeps, req: BranchEventRequest, now: string): Promise<EventAnswer> {
  const checked = check(req);
  for (let attempt = 1; ; attempt++) {
    try {
      return await deps.db.transaction((trx) => apply(trx, deps, req, checked, now));
    } catch (err) {
      // Without an expected version the caller wants the event applied to whatever is current:
      // a concurrent writer won the race, so read again and retry rather than lose the update.
      const retryable = err instanceof LostRace && req.expectedVersion === undefined && attempt < OPTIMISTIC_RETRIES;
      if (retryable) continue;
      if (err instanceof LostRace) throw lostRace();
      throw err;
    }
  }
}

const lostRace = () => new AppError('VERSION_CONFLICT', '数据已被他人修改，请刷新后重试 (concurrent update)');

/** A branch review as an event finds it: its cycle and rules, the row and the restored snapshot. */
interface OnRecord { cycle: CycleRow; config: CycleRules; branch: BranchReviewRow; snapshot: AnyMachineSnapshot }

/** The checks of an event against the branch on record, in memory: the policy, the version, the facts. */
function admit(req: BranchEventRequest, { type, data }: Checked, r: OnRecord, now: string): EventFacts & { snapshot: AnyMachineSnapshot } {
  const context = r.snapshot.context as BranchReviewContext;
  const standing = standingOn(req.actor, r.branch, context);
  authorizeEvent(standing, type);
  if (req.expectedVersion !== undefined && req.expectedVersion !== r.branch.version) {
    throw new AppError('VERSION_CONFLICT', `版本已变化：期望 ${req.expectedVersion}，当前 ${r.branch.version} (stale version)`, {
      currentVersion: r.branch.version,
    });
  }
  checkEventFacts(type, data, context, r.config, now);
  return { cycle: r.cycle, branch: r.branch, context, config: r.config, actor: req.actor, standing, now, snapshot: r.snapshot };
}

const transitionOf = (req: BranchEventRequest, f: ReturnType<typeof admit>, event: BranchTransition['event']): BranchTransition => ({
  cycle: f.cycle, config: f.config, branch: f.branch, snapshot: f.snapshot, event, actor: req.actor, as: capacityOf(f.standing, event.type as AnyBranchEventType), now: f.now,
});

export type BatchResult = { ok: true; answer: EventAnswer } | { ok: false; error: AppError };

/**
 * Events whose checks or effects read or write more than the branch row, its audit and its mails
 * (problems, evidence files, the panel, timers, idempotency keys): a batch records them one by one.
 */
const RECORDED_ALONE: ReadonlySet<string> = new Set(['SUBMIT_PLAN', 'REPORT_PROGRESS', 'VERIFY_ITEM', 'RECORD_QA', 'EXTEND_DEADLINE']);

/**
 * The branch reviews a batch works on, read once (locked on PostgreSQL) and kept as each event leaves
 * them; the people its mails go to are read once too.
 */
class BatchRecords {
  private readonly byKey = new Map<string, OnRecord>();
  private readonly cycles = new Map<string, { cycle: CycleRow; config: CycleRules } | null>();

  constructor(
    private readonly trx: Tx,
    private readonly batch: TransitionBatch,
  ) {}

  private key = (ref: string | number, code: string) => `${String(ref)}\u0000${code}`;

  private async cycleOf(ref: string | number) {
    const k = String(ref);
    if (!this.cycles.has(k)) {
      const cycle = await findCycle(this.trx, ref);
      this.cycles.set(k, cycle ? { cycle, config: parseConfig(cycle) } : null);
    }
    return this.cycles.get(k)!;
  }

  /** Reads every branch the requests name, cycle by cycle, with their secretaries and deputies. */
  async preload(reqs: BranchEventRequest[]): Promise<void> {
    const codesByRef = new Map<string, Set<string>>();
    for (const r of reqs) {
      if (typeof r.branch !== 'string') continue;
      const k = String(r.cycle);
      if (!codesByRef.has(k)) codesByRef.set(k, new Set());
      codesByRef.get(k)!.add(r.branch);
    }
    const read: BranchReviewRow[] = [];
    for (const [ref, codes] of codesByRef) {
      const c = await this.cycleOf(ref);
      if (!c) continue;
      for (const branch of await branchReviewsByCodes(this.trx, c.cycle.id, [...codes], true)) {
        this.byKey.set(this.key(ref, branch.code), { ...c, branch, snapshot: restoreBranch(branch) });
        read.push(branch);
      }
    }
    await this.batch.knowPeopleOf(read);
  }

  /** The branch as the batch left it; read now when it was not preloaded (or was forgotten). */
  async get(ref: string | number, code: string): Promise<OnRecord> {
    const found = this.byKey.get(this.key(ref, code));
    if (found) return found;
    const { cycle, branch } = await requireCycleAndBranch(this.trx, ref, code, true);
    const record = { cycle, config: parseConfig(cycle), branch, snapshot: restoreBranch(branch) };
    this.byKey.set(this.key(ref, code), record);
    return record;
  }

  moved(ref: string | number, code: string, record: OnRecord): void {
    this.byKey.set(this.key(ref, code), record);
  }

  /** After an event recorded on its own: anything it touched is read again (its cycle may have archived). */
  forgetAll(): void {
    this.byKey.clear();
    this.cycles.clear();
  }
}

/** Accepted events written in one part while the batch's next ones are planned (see sendBranchEvents). */
export const WRITE_EVERY = 100;

/**
 * Many events in one transaction. Each is checked and transitioned in memory against the branch as
 * the batch has left it, and a refused one is reported on its own line and changes nothing; the
 * accepted ones are written together (TransitionBatch: one statement for their rows, the audit
 * records and mails in a few inserts), in parts of WRITE_EVERY, each while the next part is planned
 * (TransitionBatch.writeAhead). Events that touch more than their branch row are recorded one
 * by one, in a savepoint each, after what came before them is written. (A stack of paper score sheets.)
 */
export async function sendBranchEvents(deps: EngineDeps, reqs: BranchEventRequest[], now: string, opts: { writeEvery?: number } = {}): Promise<BatchResult[]> {
  const writeEvery = Math.max(1, opts.writeEvery ?? WRITE_EVERY);
  const results: BatchResult[] = [];
  await deps.db.transaction(async (trx) => {
    const batch = new TransitionBatch(trx, deps);
    const records = new BatchRecords(trx, batch);
    await records.preload(reqs);
    const refused = (err: unknown) => {
      const error = err instanceof LostRace ? lostRace() : err;
      if (!(error instanceof AppError)) throw error;
      results.push({ ok: false, error });
    };
    for (const req of reqs) {
      const at = req.now ?? now;
      let alone: Checked | undefined;
      try {
        const checked = check(req);
        if (req.idempotencyKey || RECORDED_ALONE.has(checked.type)) alone = checked;
        else {
          const facts = admit(req, checked, await records.get(req.cycle, req.branch), at);
          const event = { type: checked.type, by: actorKey(req.actor), data: await prepareEvent(trx, facts, checked.type as BranchEventType, checked.data) };
          const planned = planBranchTransition(transitionOf(req, facts, event));
          if (!TransitionBatch.fits(planned)) alone = checked;
          else {
            await batch.add(planned);
            records.moved(req.cycle, req.branch, { ...facts, branch: planned.row, snapshot: planned.next });
            results.push({ ok: true, answer: planned.answer });
          }
        }
      } catch (err) {
        refused(err);
        continue;
      }
      // Outside the event's own try: a failure to write is the batch's, whose events were reported
      // applied. The statecharts run while the database writes a part (and fewer planned rows
      // outlive a young garbage collection).
      if (batch.size >= writeEvery) await batch.writeAhead();
      if (alone) {
        await batch.flush();
        try {
          results.push({ ok: true, answer: await trx.transaction((sp) => apply(sp, deps, req, alone, at)) });
        } catch (err) {
          refused(err);
        }
        records.forgetAll();
      }
    }
    await batch.flush();
  });
  return results;
}

/** Checks that need the cycle's rules or the branch's facts, with errors that name the field. */
function checkEventFacts(type: AnyBranchEventType, data: Record<string, unknown> | undefined, context: BranchReviewContext, config: CycleRules, now: string): void {
  if (type === 'SUBMIT_SCORE') {
    const issues = checkScores((data!.scores ?? {}) as Record<string, unknown>, config.rubric);
    if (issues.length) throw invalidInput(issues.map((i) => ({ field: `data.${i.path}`, message: i.message })));
  }
  if (type === 'REPORT_PROGRESS' || type === 'VERIFY_ITEM') {
    const item = context.planItems.find((i) => i.id === data!.itemId);
    if (!item) throw invalidInput([{ field: 'data.itemId', message: `没有整改事项 ${String(data!.itemId)}` }]);
    if (item.status === 'verified') throw invalidInput([{ field: 'data.itemId', message: `整改事项 ${item.id} 已销号` }]);
    if (type === 'VERIFY_ITEM' && (item.status !== 'inProgress' || !item.progress.length)) {
      throw invalidInput([{ field: 'data.itemId', message: `整改事项 ${item.id} 尚未报告整改进展，不能销号` }]);
    }
  }
  if (type === 'EXTEND_DEADLINE') {
    const { until, deadline } = data as { until: string; deadline: keyof BranchReviewContext['deadlines'] };
    // A cycle kind has its own deadlines: the quarterly assessment's are not the annual review's.
    if (!Object.hasOwn(context.deadlines, deadline)) throw invalidInput([{ field: 'data.deadline', message: `本周期没有「${String(deadline)}」截止时间` }]);
    if (Date.parse(until) <= Date.parse(now)) throw invalidInput([{ field: 'data.until', message: '新的截止时间须晚于现在' }]);
    if (Date.parse(until) <= Date.parse(context.deadlines[deadline])) {
      throw invalidInput([{ field: 'data.until', message: '新的截止时间须晚于原截止时间' }]);
    }
  }
  // 季度党建考核: a self-assessment and the office's scores give each of the cycle's indicators once, within range.
  if (type === 'SUBMIT_SELF_ASSESSMENT' || type === 'SCORE_INDICATORS') {
    const { indicators } = context as unknown as QuarterlyAssessmentContext;
    const scores =
      type === 'SCORE_INDICATORS'
        ? (data!.scores as Record<string, unknown>)
        : Object.fromEntries((data!.items as { key: string; score: number }[]).map((i) => [i.key, i.score]));
    if (type === 'SUBMIT_SELF_ASSESSMENT' && Object.keys(scores).length !== (data!.items as unknown[]).length) {
      throw invalidInput([{ field: 'data.items', message: '每项考核指标只能自评一次' }]);
    }
    const issues = checkIndicatorScores(scores, indicators ?? []);
    if (issues.length) throw invalidInput(issues.map((i) => ({ field: `data.${type === 'SCORE_INDICATORS' ? 'scores' : 'items'}.${i.path}`, message: i.message })));
  }
}

/**
 * 评分草稿: an expected evaluator keeps a draft while scoring is open for them. Only the rubric's
 * keys, within each criterion's range; refused once their score is in or the branch has moved on.
 */
export async function saveScoreDraft(
  deps: EngineDeps,
  req: { cycle: string | number; branch: string; draft: unknown; actor: Actor },
  now: string,
): Promise<{ saved: true }> {
  const parsed = scoreDraftSchema.safeParse(req.draft);
  if (!parsed.success) throw fromZod(parsed.error);
  const draft = parsed.data;
  return deps.db.transaction(async (trx) => {
    const { cycle, branch, ctx, standing } = await branchOnRecord(trx, req.cycle, req.branch, req.actor, true);
    authorizeOnBranch(standing, 'SAVE_DRAFT', momentOf(cycle, branch, { submitted: actorKey(req.actor) in ctx.scores }));
    const rubric = parseConfig(cycle).rubric;
    const issues = checkScores(draft.scores, rubric, { partial: true }).map((i) => ({ field: i.path, message: i.message }));
    if (issues.length) throw invalidInput(issues);
    await storeScoreDraft(trx, branch.id, req.actor.id!, draft, now);
    // The audit names the change, not the scores: a draft is the evaluator's alone.
    await recordAudit(trx, { actor: req.actor, as: 'evaluator', action: 'SAVE_SCORE_DRAFT', cycleId: cycle.id, branchReviewId: branch.id, at: now });
    return { saved: true as const };
  });
}
