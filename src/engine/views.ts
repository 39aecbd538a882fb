// Read models for the web pages, the JSON API and the CLI. What each viewer may read is the
// policy's (src/engine/policy.ts): these only shape what it allows.
import {
  bindingDeadline,
  isFinalPhase,
  kindOf,
  phasesOfKind,
  type QuarterlyAssessmentContext,
  scoringOpen,
  turnOf,
  type BranchReviewContext,
} from '../../workflows/index';
import { createHash } from 'node:crypto';
import { daysLeft } from '../domain/deadlines';
import { AppError } from '../errors';
import { branchHistory } from '../store/audit';
import {
  boardPage,
  branchReviewsOfPanelMember,
  branchReviewsOfSecretary,
  cycleFingerprint,
  reviewsByCodes,
  type BoardQuery,
  type BoardRow,
  type BoardSort,
  type BranchReviewRow,
} from '../store/branchReviews';
import { cyclePeople, cyclesOfPerson, findCycle, findCyclePeriod, findCycleOfYear, listCycles, quarterlyCyclesOfYear, type CycleRow } from '../store/cycles';
import { roundHalfUp } from '../domain/scoring';
import type { Tx } from '../store/db';
import { aggregatesOf, cycleTallies, type Tally } from '../store/tallies';
import { filesOf, getScoreDraft } from '../store/web';
import { usersByIds } from '../store/users';
import type { Actor } from './actors';
import { actorKey } from './actors';
import { branchOnRecord, contextOf, requireCycle } from './lookup';
import { allowedEvents, restoreBranch } from './machines';
import { type Standing, authorize, authorizeOnBranch, eventsFor, may, momentOf, projectHistory, readRules, standingOn } from './policy';
import { overdueKinds } from './status';
import { segmentFigures, usesSegments } from './segments';
import { parseConfig } from './transitions';

/** What the pages need to know of the viewer's standing on a branch. */
export interface Rights {
  office: boolean;
  leader: boolean;
  secretary: boolean;
  /** an expected evaluator of this branch (回避 excluded) */
  evaluator: boolean;
}

const rightsOf = (st: Standing): Rights => ({ office: st.office, leader: st.leader, secretary: st.actsFor, evaluator: st.evaluator });

export async function requireCycleFor(db: Tx, ref: string | number, actor: Actor): Promise<CycleRow> {
  const cycle = await requireCycle(db, ref);
  authorize(actor, 'VIEW_CYCLE');
  return cycle;
}

/** A branch the actor may read, with their standing on it. */
export async function readableBranch(db: Tx, ref: string | number, code: string, actor: Actor) {
  const found = await branchOnRecord(db, ref, code, actor);
  authorizeOnBranch(found.standing, 'READ', momentOf(found.cycle, found.branch));
  return found;
}

export async function branchView(db: Tx, ref: string | number, code: string, actor: Actor, now: string) {
  const { cycle, branch, snapshot, ctx, standing } = await readableBranch(db, ref, code, actor);
  const config = parseConfig(cycle);
  const published = ctx.result !== null;
  const rules = readRules(standing, published);
  const me = actorKey(actor);
  const panel = await cyclePeople(db, cycle.id, 'evaluator');
  const names = new Map(panel.map((p) => [String(p.user_id), p.name]));
  // Individual scores: the author always; the office and leaders after publication; secretaries never.
  const scores = Object.entries(ctx.scores)
    .filter(([id]) => id === me || rules.everyScore)
    .map(([id, s]) => ({ evaluator: id === me ? actor.name : (names.get(id) ?? id), mine: id === me, ...s }));
  const history = await branchHistory(db, branch.id);
  const files = await filesOf(db, branch.id);
  const [deputy] = branch.deputy_id ? await usersByIds(db, [branch.deputy_id]) : [];
  const myScoreSubmitted = me in ctx.scores;
  return {
    cycle: { id: cycle.id, year: cycle.year, title: cycle.title, state: cycle.state },
    branch: {
      code: branch.code,
      name: branch.name,
      segment: branch.segment,
      phase: branch.phase,
      state: branch.state,
      version: branch.version,
      allowedEvents: eventsFor(standing, allowedEvents(snapshot)),
      // The deadlines of the branch's own kind, in order.
      deadlines: (Object.keys(ctx.deadlines) as (keyof typeof ctx.deadlines)[]).map((kind) => ({
        kind,
        at: ctx.deadlines[kind],
        daysLeft: daysLeft(ctx.deadlines[kind], config.timezone, now),
        binding: bindingDeadline(branch.phase) === kind,
      })),
      overdue: overdueKinds(branch.phase, ctx, now),
      materials: ctx.materials,
      materialsReturns: ctx.materialsReturns,
      files: files.map((f) => ({ id: f.id, name: f.original_name, size: f.size, mime: f.mime, at: f.created_at })),
      qa: ctx.qa,
      planItems: ctx.planItems,
      planReturns: ctx.planReturns,
      exemptReason: ctx.exemptReason,
      deputy: deputy ? { name: deputy.name, email: deputy.email } : null,
      scores,
      scoredCount: Object.keys(ctx.scores).length,
      expectedCount: ctx.expectedEvaluators.length,
      myScoreSubmitted,
      result: rules.result
        ? {
            final: ctx.result!.final,
            grade: ctx.result!.grade,
            rank: ctx.result!.rank,
            of: ctx.result!.of,
            // The sheet holds anonymised totals only.
            scoreSheet: ctx.result!.scoreSheet,
          }
        : null,
      adjustments: rules.adjustments ? ctx.adjustments.map(({ points, reason }) => ({ points, reason })) : [],
      veto: rules.adjustments && ctx.veto ? { reason: ctx.veto.reason } : null,
      // The panel's comments reach the branch after publication, without names, in no evaluator's order.
      comments: rules.anonymousComments ? panelComments(ctx) : [],
      history: projectHistory(history, standing, me, published),
      // 季度党建考核: the self-assessment and its returns; the office's indicator scores are the office's until published.
      ...(kindOf(config) === 'quarterlyAssessment' ? { quarterly: quarterlyView(ctx as unknown as QuarterlyAssessmentContext, standing.office || published) } : {}),
    },
    kind: kindOf(config),
    rubric: config.rubric,
    rights: rightsOf(standing),
    draft: standing.evaluator && !myScoreSubmitted && scoringOpen(branch.phase) ? await getScoreDraft(db, branch.id, actor.id!) : undefined,
  };
}

function quarterlyView(ctx: QuarterlyAssessmentContext, scoresVisible: boolean) {
  return {
    indicators: ctx.indicators,
    selfAssessment: ctx.selfAssessment,
    selfAssessmentReturns: ctx.selfAssessmentReturns.map(({ reason }) => ({ reason })),
    indicatorScores: scoresVisible && ctx.indicatorScores ? { scores: ctx.indicatorScores.scores, comment: ctx.indicatorScores.comment } : null,
  };
}

export const panelComments = (ctx: BranchReviewContext): string[] =>
  Object.values(ctx.scores)
    .map((s) => (s.comment ?? '').trim())
    .filter(Boolean)
    .sort((a, b) => a.localeCompare(b, 'zh-CN'));

/** `status --branch`: the contract's shape, through the same policy as the pages. */
export async function branchStatus(db: Tx, ref: string | number, code: string, actor: Actor, now: string) {
  const { branch: b, snapshot, ctx, standing } = await readableBranch(db, ref, code, actor);
  const published = ctx.result !== null;
  const rules = readRules(standing, published);
  const history = await branchHistory(db, b.id);
  return {
    branch: {
      code: b.code,
      name: b.name,
      segment: b.segment,
      phase: b.phase,
      state: b.state,
      version: b.version,
      allowedEvents: eventsFor(standing, allowedEvents(snapshot)),
      deadlines: ctx.deadlines,
      overdue: overdueKinds(b.phase, ctx, now),
      materials: ctx.materials,
      planItems: ctx.planItems.map(({ id, problem, measure, owner, dueDate, status }) => ({ id, problem, measure, owner, dueDate, status })),
      ...(rules.result && b.final_score !== null ? { score: Number(b.final_score), grade: b.grade, rank: b.rank } : {}),
      ...(rules.result ? { scoreSheet: ctx.result!.scoreSheet, comments: panelComments(ctx) } : {}),
      history: projectHistory(history, standing, actorKey(actor), published),
    },
  };
}

export interface Task {
  cycleId: number;
  year: number;
  code: string;
  name: string;
  phase: string;
  role: 'secretary' | 'evaluator' | 'office';
  next: string[];
  deadline: { kind: string; at: string; daysLeft: number } | null;
}

/** What each person must do next, across cycles. */
export async function tasksFor(db: Tx, actor: Actor, now: string): Promise<Task[]> {
  if (actor.id === null) return [];
  const tasks: Task[] = [];
  const tzOf = new Map<number, string>();
  const tz = async (cycleId: number) => {
    if (!tzOf.has(cycleId)) tzOf.set(cycleId, (await findCycle(db, cycleId))!.timezone);
    return tzOf.get(cycleId)!;
  };
  const deadlineOf = async (b: BranchReviewRow) => {
    const ctx = contextOf(b);
    const kind = bindingDeadline(b.phase);
    return kind ? { kind, at: ctx.deadlines[kind], daysLeft: daysLeft(ctx.deadlines[kind], await tz(b.cycle_id), now) } : null;
  };
  const nextFor = (b: BranchReviewRow) => {
    const snap = restoreBranch(b);
    const standing = standingOn({ ...actor, roles: [] }, b, snap.context as BranchReviewContext);
    return eventsFor(standing, allowedEvents(snap));
  };
  for (const b of await branchReviewsOfSecretary(db, actor.id)) {
    tasks.push({ cycleId: b.cycle_id, year: b.year, code: b.code, name: b.name, phase: b.phase, role: 'secretary', next: nextFor(b), deadline: await deadlineOf(b) });
  }
  for (const b of await branchReviewsOfPanelMember(db, actor.id)) {
    const ctx = contextOf(b);
    const standing = standingOn({ ...actor, roles: [] }, b, ctx);
    if (!scoringOpen(b.phase) || !standing.evaluator || String(actor.id) in ctx.scores) continue;
    tasks.push({ cycleId: b.cycle_id, year: b.year, code: b.code, name: b.name, phase: b.phase, role: 'evaluator', next: ['SUBMIT_SCORE'], deadline: await deadlineOf(b) });
  }
  return tasks;
}

export interface BoardOptions {
  offset?: number;
  limit?: number;
  sort?: BoardSort;
  dir?: 'asc' | 'desc';
  q?: string;
  phase?: string;
  overdueOnly?: boolean;
}

const kindOfCycle = (c: CycleRow) => kindOf(parseConfig(c));

/** Each cycle's tallies read once per answer (the dashboard counts the same cycle in several places). */
type TallyReader = (cycleId: number) => Promise<Tally[]>;
function tallyReader(db: Tx, now: string): TallyReader {
  const read = new Map<number, Promise<Tally[]>>();
  return (cycleId) => read.get(cycleId) ?? read.set(cycleId, cycleTallies(db, cycleId, now)).get(cycleId)!;
}

const yearCounts = async (c: CycleRow, tallies: TallyReader) => {
  const a = aggregatesOf(await tallies(c.id));
  const counts = Object.fromEntries(phasesOfKind(kindOfCycle(c)).map((p) => [p, a.counts[p] ?? 0])) as Record<string, number>;
  return {
    cycle: { id: c.id, year: c.year, title: c.title, state: c.state, kind: kindOfCycle(c), quarter: c.quarter ?? 0 },
    counts,
    grades: a.grades,
    distribution: a.distribution,
    total: a.total,
    overdueCount: a.overdue,
  };
};

/** The same period a year earlier: last year's annual review, or last year's same quarter. */
const periodBefore = (db: Tx, c: CycleRow) => findCyclePeriod(db, c.year - 1, kindOfCycle(c), c.quarter ?? 0);

/** One cycle of the year in brief (the year's quarters beside the annual review): counts, mean, grades, from its tallies. */
async function cycleBrief(c: CycleRow, tallies: TallyReader) {
  const a = aggregatesOf(await tallies(c.id));
  const mean = a.scored && a.scoreSum !== null ? roundHalfUp(a.scoreSum / a.scored) : null;
  return { id: c.id, kind: kindOfCycle(c), quarter: c.quarter ?? 0, title: c.title, state: c.state, total: a.total, scored: a.scored, mean, grades: a.grades, overdueCount: a.overdue };
}

/** 年度概览: the year's annual review and its quarterly assessments, each in brief. */
async function yearOverview(db: Tx, cycle: CycleRow, tallies: TallyReader) {
  const year = cycle.year;
  const annual = kindOfCycle(cycle) === 'annualReview' ? cycle : await findCycleOfYear(db, year);
  return {
    annual: annual ? await cycleBrief(annual, tallies) : null,
    quarters: await Promise.all((await quarterlyCyclesOfYear(db, year)).map((q) => cycleBrief(q, tallies))),
  };
}

/**
 * Office board and leader dashboard: the counts, grades and histogram from the cycle's tallies (kept
 * by the database on every write, src/store/tallies.ts), the most overdue branches, and one page of
 * the table, sorted and filtered in SQL by index. Its cost does not grow with the number of branches
 * (a search by code or name aside: that is counted over the rows).
 */
export async function dashboard(db: Tx, ref: string | number, actor: Actor, now: string, opts: BoardOptions = {}) {
  const cycle = await requireCycleFor(db, ref, actor);
  const tallies = tallyReader(db, now);
  const current = await yearCounts(cycle, tallies);
  const phases = phasesOfKind(kindOfCycle(cycle));
  const previousCycle = await periodBefore(db, cycle);
  const previous = previousCycle ? await yearCounts(previousCycle, tallies) : null;
  const query: BoardQuery = {
    offset: Math.max(0, opts.offset ?? 0),
    limit: Math.min(200, Math.max(1, opts.limit ?? 50)),
    sort: opts.sort ?? 'code',
    dir: opts.dir ?? 'asc',
    q: opts.q?.trim() || undefined,
    phase: opts.phase || undefined,
    overdueOnly: opts.overdueOnly,
    phaseOrder: phases,
    now,
    tallies: await tallies(cycle.id),
  };
  const page = await boardPage(db, cycle.id, query);
  const mostOverdue = await boardPage(db, cycle.id, { ...query, offset: 0, limit: 10, sort: 'overdue', dir: 'desc', q: undefined, phase: undefined, overdueOnly: true, withTotal: false });
  const lastYear = previousCycle ? new Map((await reviewsByCodes(db, previousCycle.id, page.rows.map((r) => r.code))).map((r) => [r.code, r])) : new Map();
  // Days overdue once per deadline instant: the rows mostly share a few (time-zone arithmetic is most of the page's cost).
  const daysOf = new Map<string, number>();
  const daysLeftOf = (at: string) => daysOf.get(at) ?? daysOf.set(at, daysLeft(at, cycle.timezone, now)).get(at)!;
  const rowOf = (b: BoardRow) => {
    const overdue = b.deadline_at !== null && b.deadline_at < now ? [b.deadline_kind!] : [];
    const last = lastYear.get(b.code);
    return {
      code: b.code,
      name: b.name,
      segment: b.segment,
      phase: b.phase,
      state: b.state,
      version: b.version,
      overdue,
      daysOverdue: overdue.length ? -daysLeftOf(b.deadline_at!) : 0,
      waitingOnOffice: turnOf(b.phase) === 'office',
      score: b.final_score === null ? null : Number(b.final_score),
      grade: b.grade,
      rank: b.rank,
      lastYear: last ? { score: last.final_score === null ? null : Number(last.final_score), grade: last.grade, rank: last.rank } : null,
    };
  };
  // 板块对比: this year's segments, each beside the same segment last year (when it had one).
  const bands = (c: CycleRow) => parseConfig(c).grades.bands.map((b) => b.grade);
  const segments = await segmentFigures(db, cycle.id, bands(cycle), await tallies(cycle.id));
  const lastSegments = previousCycle ? await segmentFigures(db, previousCycle.id, bands(previousCycle), await tallies(previousCycle.id)) : [];
  return {
    ...current,
    segments: usesSegments(segments) ? segments.map((f) => ({ ...f, lastYear: lastSegments.find((l) => l.segment === f.segment) ?? null })) : [],
    phases,
    finalPhases: phases.filter(isFinalPhase),
    year: await yearOverview(db, cycle, tallies),
    branches: page.rows.map(rowOf),
    page: { offset: query.offset, limit: query.limit, total: page.total, sort: query.sort, dir: query.dir, q: query.q ?? '', phase: query.phase ?? '' },
    overdue: mostOverdue.rows.map(rowOf),
    lastYear: previous,
    generatedAt: now,
  };
}

/**
 * The dashboard poll's ETag: it changes when any branch review or the cycle changes, when the
 * options change, and once a minute (overdue is a matter of time).
 */
export async function dashboardTag(db: Tx, ref: string | number, actor: Actor, now: string, opts: BoardOptions = {}): Promise<string> {
  const cycle = await requireCycleFor(db, ref, actor);
  const prev = await periodBefore(db, cycle);
  // The year's other cycles (its quarters beside the annual review) change the answer too.
  const others = [await findCycleOfYear(db, cycle.year), ...(await quarterlyCyclesOfYear(db, cycle.year))].filter((c): c is CycleRow => !!c && c.id !== cycle.id);
  const parts = [
    cycle.id, cycle.version, await cycleFingerprint(db, cycle.id), prev ? await cycleFingerprint(db, prev.id) : '',
    ...(await Promise.all(others.map(async (c) => `${c.id}:${c.version}:${await cycleFingerprint(db, c.id)}`))),
    now.slice(0, 16), JSON.stringify(opts), actorKey(actor),
  ];
  return `"${createHash('sha1').update(JSON.stringify(parts)).digest('base64url')}"`;
}

/** Cycles a person may open in the web application. */
export async function visibleCycles(db: Tx, actor: Actor): Promise<CycleRow[]> {
  if (may(actor, 'VIEW_CYCLE')) return listCycles(db);
  return cyclesOfPerson(db, actor.id!);
}
