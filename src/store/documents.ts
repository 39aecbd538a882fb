// What the Word documents read besides the branch reviews: when results were published, and the
// branches' problems — from the problem list (table branch_problems, issue 10) where it exists.
import type { Tx } from './db';

/** When the cycle's results were published (the cycle's PUBLISH_RESULTS audit record). */
export async function publishedAt(db: Tx, cycleId: number): Promise<string | undefined> {
  const row = (await db('audit').where({ cycle_id: cycleId, event_type: 'PUBLISH_RESULTS' }).whereNull('branch_review_id').orderBy('id').first('at')) as { at: string } | undefined;
  return row?.at;
}

const problemList = new WeakMap<object, Promise<boolean>>();
/** Whether the database has the problem list of issue 10 (asked once per database handle). */
function problemListExists(db: Tx): Promise<boolean> {
  let known = problemList.get(db);
  if (!known) problemList.set(db, (known = db.schema.hasTable('branch_problems')));
  return known;
}

export interface ProblemText { branch_review_id: number; category: string | null; text: string }

/** The live problems of some branch reviews, in the order they were raised; [] without a problem list. */
export async function problemTexts(db: Tx, branchReviewIds: number[]): Promise<ProblemText[]> {
  if (!branchReviewIds.length || !(await problemListExists(db))) return [];
  return (await db('branch_problems')
    .whereIn('branch_review_id', branchReviewIds)
    .whereNull('removed_at')
    .orderBy('id')
    .select('branch_review_id', 'category', 'text')) as ProblemText[];
}

/**
 * The problem categories of a cycle with how many branches each touches, most first, and up to
 * `examples` problems of each as raised first; [] without a problem list.
 */
export async function problemCategories(db: Tx, cycleId: number, examples = 3): Promise<{ category: string; branches: number; problems: number; examples: string[] }[]> {
  if (!(await problemListExists(db))) return [];
  const rows = (await db('branch_problems')
    .where({ cycle_id: cycleId })
    .whereNull('removed_at')
    .groupBy('category')
    .select('category', db.raw('count(distinct branch_review_id) as branches'), db.raw('count(*) as problems'), db.raw('min(id) as first'))) as Record<string, unknown>[];
  const cats = rows
    .map((r) => ({ category: String(r.category), branches: Number(r.branches), problems: Number(r.problems), examples: [] as string[] }))
    .sort((a, b) => b.branches - a.branches || b.problems - a.problems || a.category.localeCompare(b.category, 'zh-CN'))
    .slice(0, 10);
  for (const c of cats) {
    const texts = (await db('branch_problems').where({ cycle_id: cycleId, category: c.category }).whereNull('removed_at').orderBy('id').limit(examples).select('text')) as { text: string }[];
    c.examples = texts.map((t) => t.text);
  }
  return cats;
}
