// Sessions, one-time password links, sign-in failures, uploaded files and score drafts.
import type { Tx } from './db';

export interface SessionRow { id_hash: string; user_id: number; csrf_token: string; created_at: string; expires_at: string }

export async function insertSession(db: Tx, row: SessionRow): Promise<void> {
  await db('sessions').insert(row);
}
export const findSession = (db: Tx, idHash: string, now: string): Promise<SessionRow | undefined> =>
  db<SessionRow>('sessions').where({ id_hash: idHash }).andWhere('expires_at', '>', now).first();
export async function deleteSession(db: Tx, idHash: string): Promise<void> {
  await db('sessions').where({ id_hash: idHash }).del();
}
export async function deleteUserSessions(db: Tx, userId: number): Promise<void> {
  await db('sessions').where({ user_id: userId }).del();
}

export async function insertPasswordToken(db: Tx, row: { token_hash: string; user_id: number; purpose: string; created_at: string; expires_at: string }): Promise<void> {
  await db('password_tokens').insert({ ...row, used_at: null });
}
/** Marks the token used and returns its user, once; an unknown, used or expired token gives undefined. */
export async function consumePasswordToken(db: Tx, tokenHash: string, now: string): Promise<number | undefined> {
  const row = await db('password_tokens').where({ token_hash: tokenHash }).whereNull('used_at').andWhere('expires_at', '>', now).first();
  if (!row) return undefined;
  const n = await db('password_tokens').where({ token_hash: tokenHash }).whereNull('used_at').update({ used_at: now });
  return n === 1 ? row.user_id : undefined;
}

export async function recordLoginFailure(db: Tx, email: string, ip: string, at: string): Promise<void> {
  await db('login_failures').insert({ email, ip, at });
}
export async function countLoginFailures(db: Tx, email: string, ip: string, since: string): Promise<{ byEmail: number; byIp: number }> {
  const [e] = await db('login_failures').where({ email }).andWhere('at', '>', since).count({ n: '*' });
  const [i] = await db('login_failures').where({ ip }).andWhere('at', '>', since).count({ n: '*' });
  return { byEmail: Number(e.n), byIp: Number(i.n) };
}
export async function clearLoginFailures(db: Tx, email: string): Promise<void> {
  await db('login_failures').where({ email }).del();
}

export interface FileRow { id: string; user_id: number; branch_review_id: number; original_name: string; mime: string; size: number; sha256: string; created_at: string }
export async function insertFile(db: Tx, row: FileRow): Promise<void> {
  await db('files').insert(row);
}
export const getFile = (db: Tx, id: string): Promise<FileRow | undefined> => db<FileRow>('files').where({ id }).first();
export const filesOf = (db: Tx, branchReviewId: number): Promise<FileRow[]> => db<FileRow>('files').where({ branch_review_id: branchReviewId }).orderBy('created_at');

export async function saveScoreDraft(db: Tx, branchReviewId: number, userId: number, data: unknown, at: string): Promise<void> {
  await db('score_drafts')
    .insert({ branch_review_id: branchReviewId, user_id: userId, data: JSON.stringify(data), updated_at: at })
    .onConflict(['branch_review_id', 'user_id'])
    .merge(['data', 'updated_at']);
}
export async function getScoreDraft(db: Tx, branchReviewId: number, userId: number): Promise<unknown | undefined> {
  const row = await db('score_drafts').where({ branch_review_id: branchReviewId, user_id: userId }).first();
  return row ? JSON.parse(row.data) : undefined;
}
