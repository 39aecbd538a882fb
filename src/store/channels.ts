// What the group-chat notices read: cycles under way, a cycle's overdue branches (deadline_at < now,
// indexed), and whether a notice was queued already (its dedupe key).
import type { CycleRow } from './cycles';
import type { Tx } from './db';

export const cyclesInStates = (db: Tx, states: readonly string[]): Promise<CycleRow[]> => db<CycleRow>('cycles').whereIn('state', states).orderBy('id');

export interface OverdueRow { code: string; name: string; deadline_kind: string; deadline_at: string }

/** The most overdue branches first (earliest binding deadline), at most `limit`, and how many there are. */
export async function overdueBranches(db: Tx, cycleId: number, now: string, limit: number): Promise<{ rows: OverdueRow[]; total: number }> {
  const base = () => db('branch_reviews').where({ cycle_id: cycleId }).where('deadline_at', '<', now);
  const [{ n }] = await base().count({ n: '*' });
  const rows = (await base().orderBy('deadline_at').orderBy('code').limit(limit).select('code', 'name', 'deadline_kind', 'deadline_at')) as OverdueRow[];
  return { rows, total: Number(n) };
}

/** Whether every one of these notices is queued already (by dedupe key). */
export async function outboxHasKeys(db: Tx, keys: string[]): Promise<boolean> {
  if (!keys.length) return true;
  const [{ n }] = await db('outbox').whereIn('dedupe_key', keys).count({ n: '*' });
  return Number(n) === keys.length;
}
