import type { Tx } from './db';
import { isPostgres } from './db';

export interface CycleRow {
  id: number;
  year: number;
  title: string;
  timezone: string;
  config: string;
  state: string;
  snapshot: string;
  version: number;
  workflow_version: number;
  /** annualReview (the default) or quarterlyAssessment; a quarterly cycle names its quarter (an annual one: 0) */
  kind?: string;
  quarter?: number;
  created_at: string;
  updated_at: string;
}

export type CycleRole = 'office' | 'leader' | 'evaluator';

export async function insertCycle(db: Tx, row: Omit<CycleRow, 'id'>): Promise<number> {
  const [r] = await db('cycles').insert(row).returning('id');
  return typeof r === 'object' ? r.id : r;
}

/** Every column of `cycles`, for reads that join it (a test checks the list against the table). */
export const CYCLE_COLUMNS = ['id', 'year', 'title', 'timezone', 'config', 'state', 'snapshot', 'version', 'workflow_version', 'created_at', 'updated_at', 'deleted_at', 'kind', 'quarter'] as const;

/** The year a reference names, when it names one (see findCycle). */
export const yearOf = (n: number): number | undefined => (n >= 2000 && n <= 2100 ? n : undefined);

/** `ref` is the cycle's id or its year (years are four digits, ids are not expected to reach 2000 soon, so year wins). */
export async function findCycle(db: Tx, ref: string | number): Promise<CycleRow | undefined> {
  const n = Number(ref);
  if (!Number.isInteger(n)) return undefined;
  // A deleted draft is found no more (its row and audit records stay).
  // A year names that year's annual review; quarterly cycles are found by id.
  const byYear = yearOf(n) !== undefined ? await db<CycleRow>('cycles').where({ year: n, kind: 'annualReview' }).whereNull('deleted_at').first() : undefined;
  return byYear ?? db<CycleRow>('cycles').where({ id: n }).whereNull('deleted_at').first();
}

export const listCycles = (db: Tx): Promise<CycleRow[]> => db<CycleRow>('cycles').whereNull('deleted_at').orderBy('year', 'desc');

/** Optimistic write: false when someone else moved the cycle first. */
export async function updateCycle(db: Tx, id: number, expectedVersion: number, patch: Partial<CycleRow>): Promise<boolean> {
  const n = await db('cycles').where({ id, version: expectedVersion }).update({ ...patch, version: expectedVersion + 1 });
  return n === 1;
}

export async function addCyclePerson(
  db: Tx,
  row: { cycle_id: number; user_id: number; role: CycleRole; conflict_branch_code?: string | null },
): Promise<void> {
  await db('cycle_people')
    .insert({ conflict_branch_code: null, ...row })
    .onConflict(['cycle_id', 'user_id', 'role'])
    .merge(['conflict_branch_code']);
}

export interface CyclePersonRow { user_id: number; role: CycleRole; conflict_branch_code: string | null; email: string; name: string; locale: string }

export const cyclePeople = (db: Tx, cycleId: number, role?: CycleRole): Promise<CyclePersonRow[]> =>
  db('cycle_people as cp')
    .join('users as u', 'u.id', 'cp.user_id')
    .where('cp.cycle_id', cycleId)
    .modify((q) => {
      if (role) q.where('cp.role', role);
    })
    .select('cp.user_id', 'cp.role', 'cp.conflict_branch_code', 'u.email', 'u.name', 'u.locale')
    .orderBy('cp.user_id');

/** Cycles a person takes part in, by any role. */
export const cyclesOfPerson = (db: Tx, userId: number): Promise<CycleRow[]> =>
  db<CycleRow>('cycles')
    .whereNull('deleted_at')
    .andWhere((w) =>
      w
        .whereIn('id', db('cycle_people').where({ user_id: userId }).select('cycle_id'))
        .orWhereIn('id', db('branch_reviews').where({ secretary_id: userId }).orWhere({ deputy_id: userId }).select('cycle_id')),
    )
    .orderBy('year', 'desc');

/** One branch of a cycle's roster (名单), as configured; its review exists once the cycle is launched. */
export interface RosterRow {
  id?: number;
  cycle_id: number;
  position: number;
  code: string;
  name: string;
  secretary_email: string;
  secretary_name: string;
  deputy_email: string | null;
  segment: string | null;
}

export async function insertRoster(db: Tx, rows: RosterRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) await db('cycle_branches').insert(rows.slice(i, i + 200));
}

export async function rosterCount(db: Tx, cycleId: number): Promise<number> {
  const [r] = await db('cycle_branches').where({ cycle_id: cycleId }).count({ n: '*' });
  return Number(r.n);
}

/**
 * The next `limit` roster rows after `afterPosition`, in roster order, each saying whether its branch
 * review exists already (a launch resumes past those). Read by position, each row's review looked up
 * by its key: a left join asking for the rows without one made PostgreSQL read the whole roster per
 * batch (half a launch's time at 10,000 branches).
 */
export async function rosterAfter(db: Tx, cycleId: number, afterPosition: number, limit: number): Promise<(RosterRow & { launched: boolean })[]> {
  const rows = await db('cycle_branches as cb')
    .where('cb.cycle_id', cycleId)
    .andWhere('cb.position', '>', afterPosition)
    .orderBy('cb.position')
    .limit(limit)
    .select('cb.*', db.raw('exists (select 1 from branch_reviews br where br.cycle_id = cb.cycle_id and br.code = cb.code) as launched'));
  // PostgreSQL answers a boolean, SQLite 0 or 1.
  for (const r of rows as (RosterRow & { launched: unknown })[]) r.launched = r.launched === true || Number(r.launched) === 1;
  return rows;
}

export const rosterOf = (db: Tx, cycleId: number): Promise<RosterRow[]> => db<RosterRow>('cycle_branches').where({ cycle_id: cycleId }).orderBy('position');

/** The annual review of a year. */
export const findCycleOfYear = (db: Tx, year: number): Promise<CycleRow | undefined> =>
  db<CycleRow>('cycles').where({ year, kind: 'annualReview' }).whereNull('deleted_at').first();

/** The live cycle of a period: a year's annual review (quarter 0) or one of its quarters. */
export const findCyclePeriod = (db: Tx, year: number, kind: string, quarter: number): Promise<CycleRow | undefined> =>
  db<CycleRow>('cycles').where({ year, kind, quarter }).whereNull('deleted_at').first();

/** A year's quarterly cycles, by quarter. */
export const quarterlyCyclesOfYear = (db: Tx, year: number): Promise<CycleRow[]> =>
  db<CycleRow>('cycles').where({ year, kind: 'quarterlyAssessment' }).whereNull('deleted_at').orderBy('quarter');

// ── drafts: edited, deleted (marked, never removed: the audit hangs on the row) ──

export async function markCycleDeleted(db: Tx, id: number, at: string): Promise<boolean> {
  const n = await db('cycles').where({ id, state: 'draft' }).whereNull('deleted_at').update({ deleted_at: at, updated_at: at });
  return n === 1;
}

/** A draft's roster and people, replaced whole when the draft is edited. */
export async function clearDraftRoster(db: Tx, cycleId: number): Promise<void> {
  await db('cycle_branches').where({ cycle_id: cycleId }).del();
  await db('cycle_people').where({ cycle_id: cycleId }).del();
}

/** People a cycle names (secretaries, deputies, panel) who have not set a password yet. */
export async function cyclePeopleWithoutPassword(db: Tx, cycleId: number): Promise<number> {
  const emails = db('cycle_branches').where({ cycle_id: cycleId }).select('secretary_email as email')
    .union(db('cycle_branches').where({ cycle_id: cycleId }).whereNotNull('deputy_email').select('deputy_email as email'))
    .union(db('cycle_people as cp').join('users as u', 'u.id', 'cp.user_id').where('cp.cycle_id', cycleId).select('u.email'));
  const r = await db('users').whereIn('email', emails).whereNull('password_hash').count({ n: '*' }).first();
  return Number(r!.n);
}

/** The branch reviews of a cycle in the given phases (the board's scoring progress reads their snapshots). */
export const branchSnapshotsIn = (db: Tx, cycleId: number, phases: readonly string[], codes?: readonly string[]): Promise<{ code: string; snapshot: string }[]> =>
  phases.length && (!codes || codes.length)
    ? db('branch_reviews')
        .where({ cycle_id: cycleId })
        .whereIn('phase', [...phases])
        .modify((q) => {
          if (codes) q.whereIn('code', [...codes]);
        })
        .select('code', 'snapshot')
    : Promise.resolve([]);

/**
 * After a launch's bulk insert, PostgreSQL's planner statistics for the cycle's rows (autovacuum
 * would take up to a minute): without them it takes a cycle of thousands of branches for a few rows
 * and sorts all of them for a page instead of reading the index in order. SQLite's planner picks the
 * indexes without statistics, and is left as it is.
 */
export async function refreshStatistics(db: Tx): Promise<void> {
  if (isPostgres(db)) await db.raw('analyze branch_reviews, cycle_branches');
}
