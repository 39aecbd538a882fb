// Read models for the web pages and the JSON API, with each viewer's rights applied:
// a secretary sees only their branch, an evaluator only their own scores until publication,
// per-evaluator scores stay hidden from secretaries after it.
import {
  DEADLINE_KINDS,
  DEADLINE_PHASES,
  EVENT_ROLES,
  type BranchEventType,
  type BranchReviewContext,
  type Role,
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
import { parseConfig } from './engine';
import { contextOf, requireBranch, requireCycle } from './lookup';
import { allowedEvents, restore } from './machines';
import { overdueKinds } from './status';

export const PHASES = [
  'notified',
  'preparing',
  'materialsReview',
  'awaitingReview',
  'liveReview',
  'scoring',
  'scored',
  'improvementPlanning',
  'planReview',
  'followUp',
  'closed',
  'exempted',
] as const;

/** Phases where the next move is the office's (待党委办公室办理). */
const OFFICE_PHASES = ['materialsReview', 'awaitingReview', 'liveReview', 'scored', 'planReview'];

export interface Rights {
  office: boolean;
  leader: boolean;
  secretary: boolean;
  /** an expected evaluator of this branch (回避 excluded) */
  evaluator: boolean;
}


export function rightsOn(actor: Actor, branch: BranchReviewRow): Rights {
  return {
    office: actor.roles.includes('office'),
    leader: actor.roles.includes('leader'),
    secretary: actor.id !== null && (branch.secretary_id === actor.id || branch.deputy_id === actor.id),
    evaluator: contextOf(branch).expectedEvaluators.includes(actorKey(actor)),
  };
}

export const canRead = (r: Rights) => r.office || r.leader || r.secretary || r.evaluator;

export async function requireCycleFor(db: Tx, ref: string | number, actor: Actor, officeOrLeader = true): Promise<CycleRow> {
  const cycle = await requireCycle(db, ref);
  if (officeOrLeader && !actor.roles.includes('office') && !actor.roles.includes('leader')) {
    throw new AppError('FORBIDDEN', '仅党委办公室和党委领导可查看 (office and leaders only)');
  }
  return cycle;
}

/** A branch the actor may read, with their rights on it; 404 before 403 would leak existence, so both say 403 only when it exists. */
export async function readableBranch(db: Tx, ref: string | number, code: string, actor: Actor) {
  const cycle = await requireCycle(db, ref);
  const branch = await requireBranch(db, cycle, code);
  const rights = rightsOn(actor, branch);
  if (!canRead(rights)) throw new AppError('FORBIDDEN', '您无权查看该支部 (not your branch)');
  return { cycle, branch, rights };
}

function heldRoles(r: Rights): Set<Role> {
  const roles = new Set<Role>();
  if (r.office) roles.add('office');
  if (r.secretary) roles.add('secretary');
  if (r.evaluator) roles.add('evaluator');
  return roles;
}

export async function branchView(db: Tx, ref: string | number, code: string, actor: Actor, now: string) {
  const { cycle, branch, rights } = await readableBranch(db, ref, code, actor);
  const config = parseConfig(cycle);
  const snapshot = restore('branchReview', branch.workflow_version, branch.snapshot);
  const ctx = snapshot.context as BranchReviewContext;
  const published = ctx.result !== null;
  const me = actorKey(actor);
  const held = heldRoles(rights);
  const panel = await cyclePeople(db, cycle.id, 'evaluator');
  const names = new Map(panel.map((p) => [String(p.user_id), p.name]));
  // Individual scores: the author always; office and leaders after publication; secretaries never.
  const scores = Object.entries(ctx.scores)
    .filter(([id]) => id === me || (published && (rights.office || rights.leader)))
    .map(([id, s]) => ({ evaluator: id === me ? actor.name : (names.get(id) ?? id), mine: id === me, ...s }));
  const history = await branchHistory(db, branch.id);
  const files = await filesOf(db, branch.id);
  const [deputy] = branch.deputy_id ? await usersByIds(db, [branch.deputy_id]) : [];
  return {
    cycle: { id: cycle.id, year: cycle.year, title: cycle.title, state: cycle.state },
    branch: {
      code: branch.code,
      name: branch.name,
      phase: branch.phase,
      state: branch.state,
      version: branch.version,
      allowedEvents: allowedEvents(snapshot).filter((e) => EVENT_ROLES[e as BranchEventType]?.some((r) => held.has(r))),
      deadlines: DEADLINE_KINDS.map((kind) => ({
        kind,
        at: ctx.deadlines[kind],
        daysLeft: daysLeft(ctx.deadlines[kind], config.timezone, now),
        binding: DEADLINE_PHASES[kind].includes(branch.phase),
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
      myScoreSubmitted: me in ctx.scores,
      result: published
        ? {
            final: ctx.result!.final,
            grade: ctx.result!.grade,
            rank: ctx.result!.rank,
            of: ctx.result!.of,
            // Secretaries see the sheet with anonymised totals, which is what it holds.
            scoreSheet: ctx.result!.scoreSheet,
          }
        : null,
      // Adjustments and a veto are the office's until publication.
      adjustments: rights.office || published ? ctx.adjustments.map(({ points, reason }) => ({ points, reason })) : [],
      veto: rights.office || published ? (ctx.veto ? { reason: ctx.veto.reason } : null) : null,
      history: history.map((h) => ({
        at: h.at,
        event: h.event_type,
        from: h.from_state,
        to: h.to_state,
        version: h.version,
        data: h.event_type === 'SUBMIT_SCORE' || h.data === null ? null : JSON.parse(h.data),
      })),
    },
    rubric: config.rubric,
    rights,
    draft: rights.evaluator ? await getScoreDraft(db, branch.id, actor.id!) : undefined,
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
  const bindingDeadline = async (b: BranchReviewRow) => {
    const ctx = contextOf(b);
    const kind = DEADLINE_KINDS.find((k) => DEADLINE_PHASES[k].includes(b.phase));
    return kind ? { kind, at: ctx.deadlines[kind], daysLeft: daysLeft(ctx.deadlines[kind], await tz(b.cycle_id), now) } : null;
  };
  const nextFor = (b: BranchReviewRow, roles: Role[]) => {
    const snap = restore('branchReview', b.workflow_version, b.snapshot);
    return allowedEvents(snap).filter((e) => EVENT_ROLES[e as BranchEventType]?.some((r) => roles.includes(r)) && !['EXEMPT', 'EXTEND_DEADLINE', 'ADJUST_SCORE', 'VETO', 'RECORD_QA'].includes(e));
  };
  for (const b of await branchReviewsOfSecretary(db, actor.id)) {
    tasks.push({ cycleId: b.cycle_id, year: b.year, code: b.code, name: b.name, phase: b.phase, role: 'secretary', next: nextFor(b, ['secretary']), deadline: await bindingDeadline(b) });
  }
  for (const b of await branchReviewsOfPanelMember(db, actor.id)) {
    const ctx = contextOf(b);
    if (!['liveReview', 'scoring'].includes(b.phase) || !ctx.expectedEvaluators.includes(String(actor.id)) || String(actor.id) in ctx.scores) continue;
    tasks.push({ cycleId: b.cycle_id, year: b.year, code: b.code, name: b.name, phase: b.phase, role: 'evaluator', next: ['SUBMIT_SCORE'], deadline: await bindingDeadline(b) });
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
      waitingOnOffice: OFFICE_PHASES.includes(b.phase),
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
  if (actor.roles.includes('office') || actor.roles.includes('leader')) return listCycles(db);
  return cyclesOfPerson(db, actor.id!);
}
