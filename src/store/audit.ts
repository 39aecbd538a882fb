import type { Tx } from './db';

export interface AuditRow {
  id?: number;
  cycle_id: number;
  branch_review_id: number | null;
  actor: string;
  event_type: string;
  data: string | null;
  from_state: string | null;
  to_state: string;
  version: number;
  at: string;
}

export async function insertAudit(db: Tx, rows: AuditRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) await db('audit').insert(rows.slice(i, i + 200));
}

export const branchHistory = (db: Tx, branchReviewId: number): Promise<AuditRow[]> =>
  db<AuditRow>('audit').where({ branch_review_id: branchReviewId }).orderBy('id');

export const cycleAudit = (db: Tx, cycleId: number): Promise<AuditRow[]> =>
  db<AuditRow>('audit').where({ cycle_id: cycleId }).orderBy('id');

export async function insertAuditReturningId(db: Tx, row: AuditRow): Promise<number[]> {
  const ids = await db('audit').insert(row).returning('id');
  return ids.map((r: number | { id: number }) => (typeof r === 'object' ? r.id : r));
}
