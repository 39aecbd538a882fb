// Read models for the web pages, the JSON API and the CLI. What each viewer may read is the
// policy's (src/engine/policy.ts): these only shape what it allows.
import {
  bindingDeadline,
  DEADLINE_KINDS,
  PHASES,
  scoringOpen,
  turnOf,
  type BranchReviewContext,
} from '../../workflows/index';
import { daysLeft } from '../domain/deadlines';
import { AppError } from '../errors';
import { branchHistory } from '../store/audit';
import {
  branchReviewsOfPanelMember,
  branchReviewsOfSecretary,
  listBranchReviews,
  type BranchReviewRow,
} from '../store/branchReviews';
import { cyclePeople, cyclesOfPerson, findCycle, listCycles, type CycleRow } from '../store/cycles';
import type { Tx } from '../store/db';
import { filesOf, getScoreDraft } from '../store/web';
import { usersByIds } from '../store/users';
import type { Actor } from './actors';
import { actorKey } from './actors';
import { contextOf, requireBranch, requireCycle } from './lookup';
import { allowedEvents, restore } from './machines';
import { authorize, authorizeOnBranch, may, eventsFor, projectHistory, readRules, standingOn, type Standing } from './policy';
import { overdueKinds } from './status';
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
  const cycle = await requireCycle(db, ref);
  const branch = await requireBranch(db, cycle, code);
  const snapshot = restore('branchReview', branch.workflow_version, branch.snapshot);
  const ctx = snapshot.context as BranchReviewContext;
  const standing = standingOn(actor, branch, ctx);
  authorizeOnBranch(standing, 'READ', { final: false, archived: false, scoringOpen: false, submitted: false });
  return { cycle, branch, snapshot, ctx, standing };
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
      phase: branch.phase,
      state: branch.state,
      version: branch.version,
      allowedEvents: eventsFor(standing, allowedEvents(snapshot)),
      deadlines: DEADLINE_KINDS.map((kind) => ({
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
    },
    rubric: config.rubric,
    rights: rightsOf(standing),
    draft: standing.evaluator && !myScoreSubmitted && scoringOpen(branch.phase) ? await getScoreDraft(db, branch.id, actor.id!) : undefined,
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
    const snap = restore('branchReview', b.workflow_version, b.snapshot);
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

/** Office board and leader dashboard: phases in order, every branch with days overdue, results and last year. */
export async function dashboard(db: Tx, ref: string | number, actor: Actor, now: string) {
  const cycle = await requireCycleFor(db, ref, actor);
  const summarise = async (c: CycleRow) => {
    const branches = await listBranchReviews(db, c.id);
    const counts = Object.fromEntries(PHASES.map((p) => [p, 0])) as Record<string, number>;
    const grades: Record<string, number> = {};
    const distribution = [0, 0, 0, 0, 0]; // <60, 60–70, 70–80, 80–90, ≥90
    for (const b of branches) {
      counts[b.phase]++;
      if (b.grade) grades[b.grade] = (grades[b.grade] ?? 0) + 1;
      if (b.final_score !== null) distribution[Math.min(4, Math.max(0, Math.floor(Number(b.final_score) / 10) - 5))]++;
    }
    return { cycle: { id: c.id, year: c.year, title: c.title, state: c.state }, counts, grades, distribution, total: branches.length, branches };
  };
  const current = await summarise(cycle);
  const previousCycle = (await listCycles(db)).find((c) => c.year === cycle.year - 1);
  const previous = previousCycle ? await summarise(previousCycle) : null;
  const lastYearByCode = new Map((previous?.branches ?? []).map((b) => [b.code, b]));
  const rows = current.branches.map((b) => {
    const ctx = contextOf(b);
    const overdue = overdueKinds(b.phase, ctx, now);
    const worst = overdue.length ? Math.max(...overdue.map((k) => -daysLeft(ctx.deadlines[k as keyof typeof ctx.deadlines], cycle.timezone, now))) : 0;
    const last = lastYearByCode.get(b.code);
    return {
      code: b.code,
      name: b.name,
      phase: b.phase,
      state: b.state,
      version: b.version,
      overdue,
      daysOverdue: worst,
      waitingOnOffice: turnOf(b.phase) === 'office',
      score: b.final_score === null ? null : Number(b.final_score),
      grade: b.grade,
      rank: b.rank,
      lastYear: last ? { score: last.final_score === null ? null : Number(last.final_score), grade: last.grade, rank: last.rank } : null,
    };
  });
  const strip = (s: Awaited<ReturnType<typeof summarise>>) => ({ cycle: s.cycle, counts: s.counts, grades: s.grades, distribution: s.distribution, total: s.total });
  return {
    ...strip(current),
    phases: PHASES,
    branches: rows,
    overdue: rows.filter((r) => r.overdue.length).sort((a, b) => b.daysOverdue - a.daysOverdue),
    lastYear: previous ? strip(previous) : null,
    generatedAt: now,
  };
}

/** Cycles a person may open in the web application. */
export async function visibleCycles(db: Tx, actor: Actor): Promise<CycleRow[]> {
  if (may(actor, 'VIEW_CYCLE')) return listCycles(db);
  return cyclesOfPerson(db, actor.id!);
}
