// The cycle's lifecycle: create a draft from its configuration, launch it (every branch review
// created, notified and given its timers, in batches), and publish the results for the whole cycle.
import { initialTransition, type AnyMachineSnapshot } from 'xstate';
import {
  BRANCH_WORKFLOW,
  isFinalPhase,
  kindOf,
  latestVersion,
  phasesHandling,
  type BranchReviewContext,
  type BranchReviewInput,
  type NotifyParams,
  type QuarterlyAssessmentContext,
  type QuarterlyAssessmentInput,
} from '../../workflows/index';
import { cycleStateLabel } from '../../workflows/index';
import { quarterlyConfigSchema, quarterlyResults, quarterlyRulesOf, type QuarterlyConfig, type QuarterlyRules } from '../domain/quarterly';
import { computeResults, evaluatorTotal, type ScoreSheet } from '../domain/scoring';
import { cycleConfigSchema, rulesOf, type CycleConfig, type CycleRules } from '../domain/schemas';
import { AppError, fromZod, invalidInput } from '../errors';
import { ballotCounts } from '../store/ballots';
import { countBranchReviews, insertBranchReviews, listBranchReviews, type BranchReviewRow } from '../store/branchReviews';
import { cyclePeople, findCycle, findCyclePeriod, insertCycle, refreshStatistics, rosterAfter, rosterCount, type CycleRow } from '../store/cycles';
import { queueMails, type MailRow } from '../store/outbox';
import type { Tx } from '../store/db';
import { insertTimers, type TimerRow } from '../store/timers';
import { ensureUsers } from '../store/users';
import { actorKey, type Actor } from './actors';
import { recordAudit } from './audit';
import { enrolPeople } from './enrolment';
import { queueLaunchNotice, queueResultsNotice } from './channels';
import { mailsFor, timersFor, type NotifyContext } from './effects';
import { requireCycle } from './lookup';
import { allowedEvents, persist, phaseName, restore, restoreBranch, stateName } from './machines';
import { authorize } from './policy';
import { carriedItemsFor, checkCarryOver } from './problems';
import {
  bindingColumns,
  branchMachine,
  cycleMachine,
  notifyParams,
  parseConfig,
  recordBranchTransition,
  recordCycleTransition,
  type EngineDeps,
} from './transitions';

export interface LaunchProgress { done: number; total: number }

/** Creates a draft cycle from its configuration; people are linked by email, new ones created without a password. */
export async function createCycle(deps: EngineDeps, input: unknown, actor: Actor, now: string): Promise<{ cycle: CycleRow; newUsers: number }> {
  authorize(actor, 'CREATE_CYCLE');
  // The kind (考核类型) chooses the schema: the annual review's unless the config says otherwise.
  const quarterly = typeof input === 'object' && input !== null && (input as { kind?: unknown }).kind === 'quarterlyAssessment';
  const parsed = (quarterly ? quarterlyConfigSchema : cycleConfigSchema).safeParse(input);
  if (!parsed.success) throw fromZod(parsed.error);
  // What creating a cycle reads (year, title, people, branches) both kinds have alike.
  const config = parsed.data as CycleConfig;
  const kind = kindOf(config);
  const quarter = quarterly ? (parsed.data as QuarterlyConfig).quarter : 0;
  return deps.db.transaction(async (trx) => {
    if (await findCyclePeriod(trx, config.year, kind, quarter)) {
      throw invalidInput([{ field: 'year', message: quarterly ? `${config.year} 年第 ${quarter} 季度的党建考核已存在` : `${config.year} 年度的述评周期已存在` }]);
    }
    if (!quarterly) await checkCarryOver(trx, config);
    const version = latestVersion('cycle');
    const [snapshot] = initialTransition(cycleMachine(version));
    const id = await insertCycle(trx, {
      year: config.year,
      title: config.title,
      timezone: config.timezone,
      config: JSON.stringify(quarterly ? quarterlyRulesOf(parsed.data as QuarterlyConfig) : rulesOf(config)),
      kind,
      quarter,
      state: stateName(snapshot.value),
      snapshot: persist('cycle', version, snapshot),
      version: 1,
      workflow_version: version,
      created_at: now,
      updated_at: now,
    });
    // People are linked, the roster written and the new people invited a few hundred at a time: a cycle may name 100,000 branches.
    const newUsers = await enrolPeople(trx, deps.mail, id, config, now);
    await recordAudit(trx, { actor, action: 'CREATE', cycleId: id, toState: 'draft', version: 1, data: { newUsers }, at: now });
    return { cycle: (await findCycle(trx, id))!, newUsers };
  });
}

/**
 * Launches a cycle: moves it to `launched`, then creates every branch review in batches, each
 * batch one transaction with its notices and timers. Re-running resumes a launch cut short.
 */
export async function launchCycle(
  deps: EngineDeps,
  ref: string | number,
  actor: Actor,
  opts: { now: string; batchSize?: number; onProgress?: (p: LaunchProgress) => void },
): Promise<{ cycle: CycleRow; created: number }> {
  const { now } = opts;
  authorize(actor, 'LAUNCH');
  let cycle = await requireCycle(deps.db, ref);
  const config = parseConfig(cycle);
  const total = await rosterCount(deps.db, cycle.id);
  const existing = await countBranchReviews(deps.db, cycle.id);
  if (cycle.state !== 'draft' && existing >= total) {
    throw new AppError('EVENT_NOT_ALLOWED', `周期已启动，当前状态「${cycleStateLabel(cycle.state, 'zh-CN')}」 (the cycle is already ${cycleStateLabel(cycle.state, 'en')})`, { state: cycle.state, allowedEvents: [] });
  }
  if (cycle.state === 'draft') {
    const draft = cycle;
    cycle = await deps.db.transaction(async (trx) => {
      const launched = await recordCycleTransition(trx, deps, draft, { type: 'LAUNCH', by: actorKey(actor) }, actor, now);
      await queueLaunchNotice(trx, deps, launched, now); // 群通知
      return launched;
    });
  }

  // Each branch runs the machine of the cycle's kind, at its latest version.
  const kind = kindOf(config);
  const workflow = BRANCH_WORKFLOW[kind];
  const branchVersion = latestVersion(workflow);
  const machine = branchMachine(workflow, branchVersion);
  const batchSize = opts.batchSize ?? 500;
  let done = existing;
  opts.onProgress?.({ done, total });
  const panel = await cyclePeople(deps.db, cycle.id, 'evaluator');
  // Branches whose input is alike (the same panel, deadlines, no carried items: nearly all of them)
  // start from the same snapshot, so each distinct input is run through the machine and persisted
  // once. The snapshot is only read from here on (its context by the mails and timers).
  const initials = new Map<string, { snapshot: AnyMachineSnapshot; notify: NotifyParams[]; persisted: string }>();
  const initial = (input: BranchReviewInput | QuarterlyAssessmentInput) => {
    const key = JSON.stringify(input);
    let found = initials.get(key);
    if (!found) {
      const [snapshot, actions] = initialTransition(machine, input);
      if (initials.size >= 100) initials.clear();
      initials.set(key, (found = { snapshot, notify: notifyParams(actions), persisted: persist(workflow, branchVersion, snapshot) }));
    }
    return found;
  };
  let after = -1;
  for (;;) {
    // Each batch is its own transaction, the roster's next rows by position less those launched
    // already: a launch cut short resumes where it stopped.
    const step = await deps.db.transaction(async (trx) => {
      const next = await rosterAfter(trx, cycle.id, after, batchSize);
      if (!next.length) return undefined;
      const last = next[next.length - 1].position;
      const batch = next.filter((b) => !b.launched);
      if (!batch.length) return { last, created: 0 };
      const people: NotifyContext['people'] = new Map();
      const { byEmail } = await ensureUsers(
        trx,
        batch.flatMap((b) => [
          { email: b.secretary_email, name: b.secretary_name },
          ...(b.deputy_email ? [{ email: b.deputy_email, name: b.deputy_email }] : []),
        ]),
        now,
      );
      const users = new Map([...byEmail.values()].map((u) => [u.id, u]));
      const prepared: { row: Omit<BranchReviewRow, 'id'>; snapshot: AnyMachineSnapshot; notify: NotifyParams[] }[] = [];
      // 整改延续: unverified items of the cycle named by `carryOverFrom` open again here.
      const carried = await carriedItemsFor(trx, config, batch.map((b) => b.code));
      for (const b of batch) {
        const secretary = byEmail.get(b.secretary_email)!;
        const deputy = b.deputy_email ? byEmail.get(b.deputy_email)! : null;
        const input: BranchReviewInput | QuarterlyAssessmentInput =
          kind === 'quarterlyAssessment'
            ? { deadlines: { ...(config as unknown as QuarterlyRules).deadlines }, indicators: (config as unknown as QuarterlyRules).indicators }
            : {
                // 回避: a panel member never scores their own branch, declared or as its secretary.
                expectedEvaluators: panel
                  .filter((p) => p.conflict_branch_code !== b.code && p.user_id !== secretary.id && p.user_id !== deputy?.id)
                  .map((p) => String(p.user_id)),
                deadlines: { ...config.deadlines },
                ...(carried.has(b.code) ? { carriedItems: carried.get(b.code) } : {}),
              };
        const { snapshot, notify, persisted } = initial(input);
        const phase = phaseName(snapshot.value);
        prepared.push({
          snapshot,
          notify,
          row: {
            cycle_id: cycle.id,
            code: b.code,
            name: b.name,
            secretary_id: secretary.id,
            deputy_id: deputy?.id ?? null,
            phase,
            state: stateName(snapshot.value),
            snapshot: persisted,
            version: 1,
            workflow: workflow,
            workflow_version: branchVersion,
            final_score: null,
            grade: null,
            rank: null,
            ...bindingColumns(phase, input.deadlines as BranchReviewInput['deadlines']),
            segment: b.segment,
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
        mails.push(...(await mailsFor(trx, { cycle, config, branch: row, context, version: 1, now, people, users }, notify, deps.mail)));
        // Every deadline of the branch's own kind.
        for (const [dk, at] of Object.entries(context.deadlines)) timers.push(...timersFor(cycle.id, row.id, dk as never, at, config.timezone, now));
      }
      await recordAudit(
        trx,
        rows.map((row) => ({ actor, action: 'LAUNCH', cycleId: cycle.id, branchReviewId: row.id, toState: row.state, version: 1, at: now })),
      );
      await queueMails(trx, mails);
      await insertTimers(trx, timers);
      return { last, created: rows.length };
    });
    if (!step) break;
    after = step.last;
    if (!step.created) continue;
    done += step.created;
    opts.onProgress?.({ done, total });
  }
  if (done > existing) await refreshStatistics(deps.db);
  return { cycle: (await findCycle(deps.db, cycle.id))!, created: done - existing };
}

/**
 * PUBLISH_RESULTS (公布结果): computes every scored branch's score sheet with the cycle's rules,
 * and moves all of them to improvement planning at once, with the cycle, in one transaction.
 */
export async function publishResults(deps: EngineDeps, ref: string | number, actor: Actor, now: string): Promise<{ cycle: CycleRow; published: number }> {
  authorize(actor, 'PUBLISH_RESULTS');
  return deps.db.transaction(async (trx) => {
    const cycle = await requireCycle(trx, ref);
    const config = parseConfig(cycle);
    const branches = await listBranchReviews(trx, cycle.id, true);
    // Ready: a phase whose state takes PUBLISH_RESULTS (the machine says which); final ones are out of it.
    const ready = new Set(phasesHandling('PUBLISH_RESULTS'));
    const unscored = branches.filter((b) => !ready.has(b.phase) && !isFinalPhase(b.phase)).map((b) => b.code);
    const event = { type: 'PUBLISH_RESULTS' as const, by: actorKey(actor), data: { unscored } };
    if (cycle.state === 'launched' && unscored.length) {
      throw new AppError('EVENT_NOT_ALLOWED', `尚有支部未完成评分：${unscored.join('、')} (not every branch is scored)`, {
        state: cycle.state,
        unscored,
        allowedEvents: allowedEvents(restore('cycle', cycle.workflow_version, cycle.snapshot)),
      });
    }
    const published = await recordCycleTransition(trx, deps, cycle, event, actor, now);
    const scored = branches.filter((b) => ready.has(b.phase));
    const snapshots = scored.map((b) => restoreBranch(b));
    const sheets = await scoreSheets(trx, cycle.id, config, scored, snapshots);
    const people: NotifyContext['people'] = new Map();
    for (const [n, branch] of scored.entries()) {
      const sheet = sheets[n];
      await recordBranchTransition(trx, deps, {
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
        as: 'office',
        now,
        people,
        patch: { final_score: sheet.final, grade: sheet.grade, rank: sheet.rank },
      });
    }
    await queueResultsNotice(trx, deps, published, now); // 群通知, once every grade is written
    return { cycle: (await findCycle(trx, cycle.id))!, published: scored.length };
  });
}

/**
 * The score sheets of a cycle's branches ready for publication, by the rules of its kind: the annual
 * review's (panel, appraisal, adjustments, veto, cap) or the quarter's (the office's indicator scores).
 */
async function scoreSheets(trx: Tx, cycleId: number, config: CycleRules, scored: BranchReviewRow[], snapshots: AnyMachineSnapshot[]): Promise<ScoreSheet[]> {
  if (kindOf(config) === 'quarterlyAssessment') {
    const rules = config as unknown as QuarterlyRules;
    return quarterlyResults(
      rules,
      scored.map((b, n) => {
        const ctx = snapshots[n].context as QuarterlyAssessmentContext;
        return {
          code: b.code,
          indicators: ctx.indicators,
          self: Object.fromEntries((ctx.selfAssessment?.items ?? []).map((i) => [i.key, i.score])),
          scores: ctx.indicatorScores?.scores ?? {},
          comment: ctx.indicatorScores?.comment ?? '',
        };
      }),
    );
  }
  const ballots = await ballotCounts(trx, cycleId);
  return computeResults(
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
}
