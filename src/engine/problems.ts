// Problems followed to closure (问题清单与整改销号): each branch's problem list, raised by the office
// from a Q&A line, a panel comment or by hand; plan items tied to problems; evidence required to
// verify an item and the same evidence used twice flagged; unverified items carried over into the
// next cycle; a category raised again for the same branch flagged as a repeat (屡查屡犯).
import { z } from 'zod';
import { hasEvidenceFile, isFinalPhase, PHASES, type BranchReviewContext, type PlanItem } from '../../workflows/index';
import { CATCH_ALL_CATEGORY, DEFAULT_PROBLEM_CATEGORIES, safeText, type CycleConfig, type CycleRules } from '../domain/schemas';
import { AppError, fromZod, invalidInput } from '../errors';
import { branchReviewsByCodes, type BranchReviewRow } from '../store/branchReviews';
import { findCycleOfYear, type CycleRow } from '../store/cycles';
import type { Tx } from '../store/db';
import {
  duplicateEvidenceUses,
  filesOfBranch,
  getProblem,
  insertEvidenceUses,
  insertProblem,
  markProblemRemoved,
  problemsOf,
  repeatedCategories,
} from '../store/problems';
import type { Actor } from './actors';
import { recordAudit } from './audit';
import { contextOf, requireBranch, requireCycle } from './lookup';
import { authorize, authorizeProblemChange, problemReadRules, readRules, standingOn, type Standing } from './policy';
import { parseConfig, type EngineDeps } from './transitions';
import { panelComments, readableBranch } from './views';

export const categoriesOf = (config: Pick<CycleRules, 'problemCategories'> | Partial<CycleRules>): string[] =>
  (config as { problemCategories?: string[] }).problemCategories ?? DEFAULT_PROBLEM_CATEGORIES;

/** Problems may be raised or withdrawn up to improvement planning (until the plan is submitted). */
const beforePlan = (phase: string) => !isFinalPhase(phase) && PHASES.indexOf(phase as never) >= 0 && PHASES.indexOf(phase as never) <= PHASES.indexOf('improvementPlanning');

export const problemInputSchema = z
  .object({
    category: safeText(100),
    text: safeText(2000).optional(),
    /** Raised from the branch's Q&A line n (0-based), or from the panel's comment n (as the branch page lists them). */
    fromQa: z.number().int().min(0).max(10_000).optional(),
    fromComment: z.number().int().min(0).max(10_000).optional(),
  })
  .strict()
  .refine((p) => !(p.fromQa !== undefined && p.fromComment !== undefined), { message: '只能选择一个来源', path: ['fromComment'] });

export interface ProblemView {
  id: number;
  category: string;
  text: string;
  source: string;
  sourceRef: string | null;
  createdAt: string;
  /** earlier years in which the same category was raised for this branch (屡查屡犯) */
  repeatOf: number[];
  /** the plan items that rectify it */
  itemIds: string[];
}

async function lockedBranch(trx: Tx, ref: string | number, code: string, actor: Actor) {
  const cycle = await requireCycle(trx, ref);
  const branch = await requireBranch(trx, cycle, code, true);
  const ctx = contextOf(branch);
  const standing = standingOn(actor, branch, ctx);
  authorizeProblemChange(standing, { final: isFinalPhase(branch.phase), archived: cycle.state === 'archived', beforePlan: beforePlan(branch.phase) });
  return { cycle, branch, ctx, config: parseConfig(cycle) };
}

/** 登记问题: the office adds a problem to a branch's list, audited with the branch. */
export async function addProblem(
  deps: EngineDeps,
  req: { cycle: string | number; branch: string; input: unknown; actor: Actor },
  now: string,
): Promise<{ problem: ProblemView }> {
  authorize(req.actor, 'MANAGE_PROBLEMS');
  const parsed = problemInputSchema.safeParse(req.input);
  if (!parsed.success) throw fromZod(parsed.error);
  const input = parsed.data;
  return deps.db.transaction(async (trx) => {
    const { cycle, branch, ctx, config } = await lockedBranch(trx, req.cycle, req.branch, req.actor);
    if (!categoriesOf(config).includes(input.category)) {
      throw invalidInput([{ field: 'category', message: `问题类别须为：${categoriesOf(config).join('、')}` }]);
    }
    let source = 'manual';
    let sourceRef: string | null = null;
    let text = input.text;
    if (input.fromQa !== undefined) {
      const qa = ctx.qa[input.fromQa];
      if (!qa) throw invalidInput([{ field: 'fromQa', message: `没有第 ${input.fromQa + 1} 条问答记录` }]);
      source = 'qa';
      sourceRef = String(input.fromQa);
      text ??= qa.question;
    }
    if (input.fromComment !== undefined) {
      // The panel's comments are read as the office reads them: after publication, unsigned.
      const comments = readRules(standingOn(req.actor, branch, ctx), ctx.result !== null).anonymousComments ? panelComments(ctx) : [];
      const comment = comments[input.fromComment];
      if (comment === undefined) throw invalidInput([{ field: 'fromComment', message: '没有该条考评组意见（意见在结果公布后可见）' }]);
      source = 'comment';
      sourceRef = String(input.fromComment);
      text ??= comment;
    }
    if (!text) throw invalidInput([{ field: 'text', message: '请填写问题' }]);
    const id = await insertProblem(trx, {
      cycle_id: cycle.id, branch_review_id: branch.id, code: branch.code, category: input.category, text, source, source_ref: sourceRef,
      created_by: req.actor.id, created_at: now,
    });
    await recordAudit(trx, {
      actor: req.actor, as: 'office', action: 'ADD_PROBLEM', cycleId: cycle.id, branchReviewId: branch.id, subject: `problem:${id}`,
      data: { category: input.category, text, source, sourceRef }, at: now,
    });
    const [view] = await viewsOf(trx, cycle, branch, ctx, [(await getProblem(trx, id))!]);
    return { problem: view };
  });
}

/** 撤销问题: the office withdraws a problem raised by mistake (kept, marked removed), audited. */
export async function removeProblem(
  deps: EngineDeps,
  req: { cycle: string | number; branch: string; id: number; actor: Actor },
  now: string,
): Promise<{ removed: number }> {
  authorize(req.actor, 'MANAGE_PROBLEMS');
  return deps.db.transaction(async (trx) => {
    const { cycle, branch } = await lockedBranch(trx, req.cycle, req.branch, req.actor);
    const problem = await getProblem(trx, req.id);
    if (!problem || problem.branch_review_id !== branch.id || problem.removed_at) throw new AppError('NOT_FOUND', '该支部没有这个问题 (no such problem)');
    await markProblemRemoved(trx, problem.id, now);
    await recordAudit(trx, {
      actor: req.actor, as: 'office', action: 'REMOVE_PROBLEM', cycleId: cycle.id, branchReviewId: branch.id, subject: `problem:${problem.id}`,
      data: { category: problem.category, text: problem.text }, at: now,
    });
    return { removed: problem.id };
  });
}

async function viewsOf(db: Tx, cycle: CycleRow, branch: BranchReviewRow, ctx: BranchReviewContext, rows: Awaited<ReturnType<typeof problemsOf>>): Promise<ProblemView[]> {
  const config = parseConfig(cycle);
  const repeats = await repeatedCategories(db, cycle.id, cycle.year, [branch.code], catchAllOf(config));
  return rows.map((p) => ({
    id: p.id,
    category: p.category,
    text: p.text,
    source: p.source,
    sourceRef: p.source_ref,
    createdAt: p.created_at,
    repeatOf: repeats.filter((r) => r.category === p.category).map((r) => Number(r.year)),
    itemIds: ctx.planItems.filter((i) => i.problemId === p.id).map((i) => i.id),
  }));
}

const catchAllOf = (config: CycleRules) => (categoriesOf(config).includes(CATCH_ALL_CATEGORY) ? CATCH_ALL_CATEGORY : '');

/**
 * A branch's problem list as this viewer may read it: the problems with their repeat flags and
 * items, the carried-over items, and for the office the items whose evidence is used elsewhere too.
 */
export async function branchProblems(db: Tx, ref: string | number, code: string, actor: Actor) {
  const { cycle, branch, ctx, standing } = await readableBranch(db, ref, code, actor);
  const config = parseConfig(cycle);
  const rules = problemReadRules(standing);
  const problems = await viewsOf(db, cycle, branch, ctx, await problemsOf(db, branch.id));
  const duplicates = rules.evidenceFlags ? await evidenceFlags(db, cycle.id, branch.id) : [];
  // The plan form's rows: the plan as filed (its own items), else one row per problem to answer.
  const ownItems = ctx.planItems.filter((i) => i.carriedOverFrom === undefined);
  const planRows: { problemId: number | null; problem: string; measure: string; owner: string; dueDate: string }[] = ownItems.length
    ? ownItems.map((i) => ({ problemId: i.problemId ?? null, problem: i.problem, measure: i.measure, owner: i.owner, dueDate: i.dueDate }))
    : problems.filter((p) => p.source !== 'plan').map((p) => ({ problemId: p.id, problem: `${p.category}：${p.text}`, measure: '', owner: '', dueDate: '' }));
  if (!planRows.length) planRows.push({ problemId: null, problem: '', measure: '', owner: '', dueDate: '' });
  return {
    categories: categoriesOf(config),
    problems,
    planRows,
    /** items whose progress came with no evidence file: the office may accept the note instead */
    noFile: ctx.planItems.filter((i) => i.status === 'inProgress' && !hasEvidenceFile(i)).map((i) => i.id),
    repeat: problems.some((p) => p.repeatOf.length > 0),
    carriedOver: ctx.planItems.filter((i) => i.carriedOverFrom !== undefined).map((i) => ({ id: i.id, problem: i.problem, from: i.carriedOverFrom!, status: i.status })),
    /** items without evidence on file (the office may accept the note instead) */
    evidence: ctx.planItems.map((i) => ({ id: i.id, file: hasEvidenceFile(i), reported: i.progress.length > 0 })),
    duplicates,
    canEdit: standing.office && !isFinalPhase(branch.phase) && cycle.state !== 'archived' && beforePlan(branch.phase),
    qa: ctx.qa.map((q, n) => ({ n, question: q.question, askedBy: q.askedBy })),
    comments: standing.office && ctx.result !== null ? panelComments(ctx).map((text, n) => ({ n, text })) : [],
  };
}

/** For one branch review: each of its items whose evidence file (by SHA-256) is used by another branch or item. */
async function evidenceFlags(db: Tx, cycleId: number, branchReviewId: number) {
  const uses = await duplicateEvidenceUses(db, cycleId);
  const bySha = groupBy(uses, (u) => u.sha256);
  const out: { itemId: string; fileId: string; name: string | null; others: { year: number; code: string; name: string; itemId: string }[]; othersText: string }[] = [];
  for (const group of bySha.values()) {
    for (const u of group.filter((g) => g.branch_review_id === branchReviewId)) {
      const others = dedupe(
        group.filter((g) => !(g.branch_review_id === branchReviewId && g.item_id === u.item_id)).map((g) => ({ year: Number(g.year), code: g.code, name: g.branch_name, itemId: g.item_id })),
      );
      if (others.length && !out.some((o) => o.itemId === u.item_id && o.fileId === u.file_id)) {
        out.push({ itemId: u.item_id, fileId: u.file_id, name: u.original_name, others, othersText: others.map((o) => `${o.year} ${o.name} ${o.itemId}`).join('、') });
      }
    }
  }
  return out;
}

/** 佐证材料查重: every evidence file of the cycle used for two branches or two items, grouped by its SHA-256. */
export async function duplicateEvidence(db: Tx, ref: string | number, actor: Actor) {
  authorize(actor, 'CHECK_EVIDENCE');
  const cycle = await requireCycle(db, ref);
  const uses = await duplicateEvidenceUses(db, cycle.id);
  return {
    duplicates: [...groupBy(uses, (u) => u.sha256).entries()].map(([sha256, group]) => ({
      sha256,
      uses: dedupe(group.map((g) => ({ year: Number(g.year), code: g.code, name: g.branch_name, itemId: g.item_id, fileId: g.file_id, fileName: g.original_name }))),
    })),
  };
}

/** 屡查屡犯 on the board: for the given codes (a page of the board), the categories raised again and the earlier years. */
export async function repeatFlags(db: Tx, ref: string | number, actor: Actor, codes?: string[]) {
  authorize(actor, 'VIEW_CYCLE');
  const cycle = await requireCycle(db, ref);
  const rows = await repeatedCategories(db, cycle.id, cycle.year, codes ?? null, catchAllOf(parseConfig(cycle)));
  const out: Record<string, { category: string; years: number[] }[]> = {};
  for (const r of rows) {
    const list = (out[r.code] ??= []);
    const entry = list.find((e) => e.category === r.category) ?? (list.push({ category: r.category, years: [] }), list.at(-1)!);
    entry.years.push(Number(r.year));
  }
  return out;
}

// ── inside a branch event's transaction ────────────────────────────────────────

interface EventFacts {
  cycle: CycleRow;
  branch: BranchReviewRow;
  context: BranchReviewContext;
  config: CycleRules;
  actor: Actor;
  standing: Standing;
  now: string;
}

type PlanInput = { problemId?: number; problem?: string; measure: string; owner: string; dueDate: string };

/**
 * SUBMIT_PLAN: every item names one of the branch's problems (an item that states a new problem in
 * words files it, under the catch-all category), and every problem gets at least one item. The
 * items go into the event with their problem's id and words.
 */
export async function preparePlan(trx: Tx, f: EventFacts, data: { items: PlanInput[] }): Promise<{ items: PlanInput[] }> {
  const problems = await problemsOf(trx, f.branch.id);
  const byId = new Map(problems.map((p) => [p.id, p]));
  const issues: { field: string; message: string }[] = [];
  data.items.forEach((it, n) => {
    if (it.problemId !== undefined && !byId.has(it.problemId)) issues.push({ field: `data.items.${n}.problemId`, message: `没有编号为 ${it.problemId} 的问题` });
  });
  if (issues.length) throw invalidInput(issues);
  const items: PlanInput[] = [];
  const used = new Set<number>();
  for (const it of data.items) {
    let problem = it.problemId !== undefined ? byId.get(it.problemId)! : problems.find((p) => p.text === it.problem!.trim());
    if (!problem) {
      // A problem the branch finds itself (自查问题): filed with the plan.
      const category = categoriesOf(f.config).includes(CATCH_ALL_CATEGORY) ? CATCH_ALL_CATEGORY : categoriesOf(f.config).at(-1)!;
      const id = await insertProblem(trx, {
        cycle_id: f.cycle.id, branch_review_id: f.branch.id, code: f.branch.code, category, text: it.problem!.trim(), source: 'plan', source_ref: null,
        created_by: f.actor.id, created_at: f.now,
      });
      problem = (await getProblem(trx, id))!;
      problems.push(problem);
      byId.set(id, problem);
    }
    used.add(problem.id);
    items.push({ problemId: problem.id, problem: problem.text, measure: it.measure, owner: it.owner, dueDate: it.dueDate });
  }
  // Problems the branch filed with an earlier (returned) plan and no longer names are withdrawn.
  for (const p of problems.filter((p) => p.source === 'plan' && !used.has(p.id))) await markProblemRemoved(trx, p.id, f.now);
  const uncovered = problems.filter((p) => p.source !== 'plan' && !used.has(p.id));
  if (uncovered.length) {
    throw invalidInput(uncovered.map((p) => ({ field: 'data.items', message: `问题「${p.text}」（${p.category}）还没有整改措施：每个问题至少需要一项整改措施` })));
  }
  return { items };
}

/** REPORT_PROGRESS: evidence files must be this branch's own uploads. */
export async function checkEvidenceFiles(trx: Tx, f: EventFacts, data: { fileIds?: string[] }): Promise<void> {
  const ids = [...new Set(data.fileIds ?? [])];
  const found = await filesOfBranch(trx, f.branch.id, ids);
  const missing = ids.filter((id) => !found.some((x) => x.id === id));
  if (missing.length) throw invalidInput(missing.map((id) => ({ field: 'data.fileIds', message: `佐证材料 ${id} 不是本支部上传的文件` })));
}

/** After REPORT_PROGRESS is recorded: each evidence file's use on the item, by its SHA-256 (for 查重). */
export async function recordEvidenceUses(trx: Tx, f: EventFacts, data: { itemId: string; fileIds?: string[] }): Promise<void> {
  const files = await filesOfBranch(trx, f.branch.id, [...new Set(data.fileIds ?? [])]);
  await insertEvidenceUses(
    trx,
    files.map((file) => ({ cycle_id: f.cycle.id, branch_review_id: f.branch.id, item_id: data.itemId, file_id: file.id, sha256: file.sha256, at: f.now })),
  );
}

/** VERIFY_ITEM: 销号 needs evidence — a file with the progress, or the note the office accepts as evidence. */
export function checkEvidence(f: EventFacts, data: { itemId: string; acceptNote?: boolean }): void {
  const item = f.context.planItems.find((i) => i.id === data.itemId);
  if (!item || item.status !== 'inProgress' || !item.progress.length) return; // the engine's own message says so
  if (hasEvidenceFile(item)) return;
  if (data.acceptNote === true && item.progress.some((p) => p.note.trim())) return;
  throw invalidInput([
    { field: 'data.itemId', message: `整改事项 ${item.id} 没有佐证材料，不能销号：请支部上传佐证文件，或由党委办公室认可进展说明作为佐证` },
  ]);
}

// ── carrying unverified items into a new cycle ─────────────────────────────────

/** At creation: `carryOverFrom` must name an earlier cycle that exists. */
export async function checkCarryOver(trx: Tx, config: CycleConfig): Promise<void> {
  if (config.carryOverFrom === undefined) return;
  const from = await findCycleOfYear(trx, config.carryOverFrom);
  if (!from || (from as CycleRow & { deleted_at?: string | null }).deleted_at) {
    throw invalidInput([{ field: 'carryOverFrom', message: `没有 ${config.carryOverFrom} 年度的述评周期` }]);
  }
}

/**
 * At launch: each branch's unverified plan items of the `carryOverFrom` cycle (same code), open
 * again in the new review and marked with the year they come from.
 */
export async function carriedItemsFor(trx: Tx, config: CycleRules, codes: string[]): Promise<Map<string, PlanItem[]>> {
  const out = new Map<string, PlanItem[]>();
  const year = (config as { carryOverFrom?: number }).carryOverFrom;
  if (year === undefined || !codes.length) return out;
  const from = await findCycleOfYear(trx, year);
  if (!from) return out;
  // Only the batch's branches: reading the whole previous cycle per batch held every snapshot of it.
  for (const b of await branchReviewsByCodes(trx, from.id, codes)) {
    const items = contextOf(b).planItems.filter((i) => i.status !== 'verified');
    if (!items.length) continue;
    out.set(
      b.code,
      items.map((i) => ({
        id: i.carriedOverFrom !== undefined ? i.id : `${year}-${i.id}`,
        ...(i.problemId !== undefined ? { problemId: i.problemId } : {}),
        problem: i.problem,
        measure: i.measure,
        owner: i.owner,
        dueDate: i.dueDate,
        status: 'open' as const,
        progress: [],
        carriedOverFrom: i.carriedOverFrom ?? year,
      })),
    );
  }
  return out;
}

function groupBy<T, K>(list: T[], key: (t: T) => K): Map<K, T[]> {
  const m = new Map<K, T[]>();
  for (const x of list) m.set(key(x), [...(m.get(key(x)) ?? []), x]);
  return m;
}

function dedupe<T>(list: T[]): T[] {
  const seen = new Set<string>();
  return list.filter((x) => {
    const k = JSON.stringify(x);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
