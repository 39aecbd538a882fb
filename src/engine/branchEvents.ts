// Branch events: one event to one branch review, validated, authorised by the policy and recorded
// all or nothing; and the evaluator's score draft, which is not an event but obeys the same rules.
import { createHash } from 'node:crypto';
import { type AnyBranchEventType, type BranchEventType, type BranchReviewContext, type QuarterlyAssessmentContext } from '../../workflows/index';
import { checkIndicatorScores } from '../domain/quarterly';
import { checkScores } from '../domain/scoring';
import { eventDataSchemas, eventTypeSchema, scoreDraftSchema, type CycleRules } from '../domain/schemas';
import { AppError, fromZod, invalidInput } from '../errors';
import type { Tx } from '../store/db';
import { findAnswer, saveAnswer } from '../store/idempotency';
import { saveScoreDraft as storeScoreDraft } from '../store/web';
import { actorKey, type Actor } from './actors';
import { recordAudit } from './audit';
import { branchOnRecord, requireBranch, requireCycle } from './lookup';
import { afterEvent, prepareEvent } from './eventFacts';
import { restoreBranch } from './machines';
import { authorizeEvent, authorizeOnBranch, capacityOf, momentOf, standingOn } from './policy';
import { LostRace, parseConfig, recordBranchTransition, type EngineDeps, type EventAnswer } from './transitions';

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
interface Checked { type: AnyBranchEventType; data: Record<string, unknown> | undefined; requestHash: string }

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
  return { type, data, requestHash: hash({ cycle: String(req.cycle), branch: req.branch, type, data: data ?? null }) };
}

/** The event inside the caller's transaction (or savepoint): authorised by the policy, then recorded. */
async function apply(trx: Tx, deps: EngineDeps, req: BranchEventRequest, { type, data, requestHash }: Checked, now: string): Promise<EventAnswer> {
  if (req.idempotencyKey) {
    const earlier = await findAnswer(trx, req.idempotencyKey, actorKey(req.actor));
    if (earlier) {
      if (earlier.requestHash !== requestHash) {
        throw new AppError('IDEMPOTENCY_KEY_REUSED', '该幂等键已用于另一个请求 (Idempotency-Key reused for a different request)');
      }
      return earlier.response as EventAnswer;
    }
  }
  const cycle = await requireCycle(trx, req.cycle);
  const branch = await requireBranch(trx, cycle, req.branch, true);
  const config = parseConfig(cycle);
  const snapshot = restoreBranch(branch);
  const context = snapshot.context as BranchReviewContext;
  const standing = standingOn(req.actor, branch, context);
  authorizeEvent(standing, type);
  if (req.expectedVersion !== undefined && req.expectedVersion !== branch.version) {
    throw new AppError('VERSION_CONFLICT', `版本已变化：期望 ${req.expectedVersion}，当前 ${branch.version} (stale version)`, {
      currentVersion: branch.version,
    });
  }
  checkEventFacts(type, data, context, config, now);
  const facts = { cycle, branch, context, config, actor: req.actor, standing, now };
  const event = { type, by: actorKey(req.actor), data: await prepareEvent(trx, facts, type as BranchEventType, data) };
  const { answer } = await recordBranchTransition(trx, deps, {
    cycle, config, branch, snapshot, event, actor: req.actor, as: capacityOf(standing, type), now,
  });
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

export type BatchResult = { ok: true; answer: EventAnswer } | { ok: false; error: AppError };

/**
 * Many events in one transaction, each in a savepoint of its own: a refused event is reported on
 * its own line and rolled back alone; the others are applied. (A stack of paper score sheets.)
 */
export async function sendBranchEvents(deps: EngineDeps, reqs: BranchEventRequest[], now: string): Promise<BatchResult[]> {
  const results: BatchResult[] = [];
  await deps.db.transaction(async (trx) => {
    for (const req of reqs) {
      try {
        const checked = check(req);
        results.push({ ok: true, answer: await trx.transaction((sp) => apply(sp, deps, req, checked, req.now ?? now)) });
      } catch (err) {
        const error = err instanceof LostRace ? lostRace() : err;
        if (!(error instanceof AppError)) throw error;
        results.push({ ok: false, error });
      }
    }
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
