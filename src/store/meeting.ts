// The meeting record of a cycle, its hall display links and the panel's scoring links (issue 10).
import type { Tx } from './db';
import { isPostgres } from './db';

export interface MeetingRow { cycle_id: number; data: string; version: number; updated_at: string }

export function findMeeting(db: Tx, cycleId: number, forUpdate = false): Promise<MeetingRow | undefined> {
  const q = db<MeetingRow>('meetings').where({ cycle_id: cycleId }).first();
  return forUpdate && isPostgres(db) ? q.forUpdate() : q;
}

/** The meeting's version (0 before it has a record): what a display polls. */
export async function meetingVersion(db: Tx, cycleId: number): Promise<number> {
  const row = await db('meetings').where({ cycle_id: cycleId }).first('version');
  return row ? Number(row.version) : 0;
}

/** The meeting's row exists (at version 0, with `data`) once anything is asked of it. */
export async function ensureMeeting(db: Tx, cycleId: number, data: string, at: string): Promise<void> {
  await db('meetings').insert({ cycle_id: cycleId, data, version: 0, updated_at: at }).onConflict('cycle_id').ignore();
}

/** Writes the meeting with version + 1 if it is still at `expected`; false when someone else moved it first. */
export async function saveMeeting(db: Tx, cycleId: number, expected: number, data: string, at: string): Promise<boolean> {
  return (await db('meetings').where({ cycle_id: cycleId, version: expected }).update({ data, version: expected + 1, updated_at: at })) === 1;
}

export interface DisplayRow { id: number; cycle_id: number; token_hash: string; created_by: number | null; created_at: string; revoked_at: string | null }

export async function insertDisplay(db: Tx, row: Omit<DisplayRow, 'id' | 'revoked_at'>): Promise<void> {
  await db('meeting_displays').insert({ ...row, revoked_at: null });
}
export const findDisplay = (db: Tx, tokenHash: string): Promise<DisplayRow | undefined> =>
  db<DisplayRow>('meeting_displays').where({ token_hash: tokenHash }).whereNull('revoked_at').first();
export async function revokeDisplays(db: Tx, cycleId: number, at: string): Promise<number> {
  return db('meeting_displays').where({ cycle_id: cycleId }).whereNull('revoked_at').update({ revoked_at: at });
}
export async function countDisplays(db: Tx, cycleId: number): Promise<number> {
  const [r] = await db('meeting_displays').where({ cycle_id: cycleId }).whereNull('revoked_at').count({ n: '*' });
  return Number(r.n);
}

export interface PanelLinkRow { id: number; cycle_id: number; user_id: number; token_hash: string; created_by: number | null; created_at: string; expires_at: string; revoked_at: string | null }

export async function insertPanelLink(db: Tx, row: Omit<PanelLinkRow, 'id' | 'revoked_at'>): Promise<void> {
  await db('panel_links').insert({ ...row, revoked_at: null });
}
export const findPanelLink = (db: Tx, tokenHash: string): Promise<PanelLinkRow | undefined> =>
  db<PanelLinkRow>('panel_links').where({ token_hash: tokenHash }).first();
/** Revokes the live links of a cycle (of one evaluator, or all); returns how many. */
export async function revokePanelLinks(db: Tx, cycleId: number, at: string, userId?: number): Promise<number> {
  return db('panel_links')
    .where({ cycle_id: cycleId })
    .modify((q) => {
      if (userId !== undefined) q.where({ user_id: userId });
    })
    .whereNull('revoked_at')
    .update({ revoked_at: at });
}
/** The live links of a cycle: who has one, and until when. */
export const livePanelLinks = (db: Tx, cycleId: number, now: string): Promise<PanelLinkRow[]> =>
  db<PanelLinkRow>('panel_links').where({ cycle_id: cycleId }).whereNull('revoked_at').andWhere('expires_at', '>', now).orderBy('user_id');
