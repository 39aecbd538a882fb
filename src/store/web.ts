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
/**
 * Marks the token used and returns its user and purpose, once; an unknown, used, revoked or expired
 * token gives undefined.
 */
export async function consumePasswordToken(db: Tx, tokenHash: string, now: string): Promise<{ userId: number; purpose: string } | undefined> {
  const live = () => db('password_tokens').where({ token_hash: tokenHash }).whereNull('used_at').whereNull('revoked_at');
  const row = await live().andWhere('expires_at', '>', now).first('user_id', 'purpose');
  if (!row) return undefined;
  const n = await live().update({ used_at: now });
  return n === 1 ? { userId: row.user_id, purpose: row.purpose } : undefined;
}
/** Revokes the user's unused, unexpired links (of one purpose, or all); returns how many. */
export async function revokePasswordTokens(db: Tx, userId: number, now: string, purpose?: string): Promise<number> {
  const q = db('password_tokens').where({ user_id: userId }).whereNull('used_at').whereNull('revoked_at').andWhere('expires_at', '>', now);
  if (purpose) q.andWhere({ purpose });
  return q.update({ revoked_at: now });
}

/** A request for a reset mail, written down whether or not the address is known. */
export interface ResetRequestRow { id: number; email: string; requested_at: string; processed_at: string | null; outcome: string | null }
export async function insertResetRequest(db: Tx, email: string, at: string): Promise<void> {
  await db('password_reset_requests').insert({ email, requested_at: at, processed_at: null, outcome: null });
}
/** Pending requests in the order they came, after the one with id `afterId`. */
export const pendingResetRequests = (db: Tx, afterId: number, limit: number): Promise<ResetRequestRow[]> =>
  db<ResetRequestRow>('password_reset_requests').whereNull('processed_at').andWhere('id', '>', afterId).orderBy('id').limit(limit);
/**
 * Claims a pending request inside the caller's transaction: true once, for the one transaction that
 * marks it processed (a concurrent claimer waits on the row, then finds it taken).
 */
export async function claimResetRequest(db: Tx, id: number, now: string): Promise<boolean> {
  const n = await db('password_reset_requests').where({ id }).whereNull('processed_at').update({ processed_at: now });
  return n === 1;
}
export async function setResetRequestOutcome(db: Tx, id: number, outcome: string): Promise<void> {
  await db('password_reset_requests').where({ id }).update({ outcome });
}
/** Reset mails queued for the address for requests made after `since` (and up to `until`). */
export async function countQueuedResets(db: Tx, email: string, since: string, until: string): Promise<number> {
  const [r] = await db('password_reset_requests')
    .where({ email, outcome: 'queued' })
    .andWhere('requested_at', '>', since)
    .andWhere('requested_at', '<=', until)
    .count({ n: '*' });
  return Number(r.n);
}
export async function deleteOldResetRequests(db: Tx, before: string): Promise<number> {
  return db('password_reset_requests').whereNotNull('processed_at').andWhere('requested_at', '<', before).del();
}

export async function recordLoginFailure(db: Tx, email: string, ip: string, at: string): Promise<void> {
  await db('login_failures').insert({ email, ip, at });
}
export interface LoginFailures {
  /** Failures for this email from this client since `pairSince`, and the latest one's time. */
  byPair: number;
  lastByPair: string | null;
  /** Failures from this client, any email, since `ipSince`. */
  byIp: number;
}
export async function countLoginFailures(db: Tx, email: string, ip: string, pairSince: string, ipSince: string): Promise<LoginFailures> {
  const [p] = await db('login_failures').where({ email, ip }).andWhere('at', '>', pairSince).select(db.raw('count(*) as n'), db.raw('max(at) as last'));
  const [i] = await db('login_failures').where({ ip }).andWhere('at', '>', ipSince).count({ n: '*' });
  return { byPair: Number(p.n), lastByPair: (p.last as string | null) ?? null, byIp: Number(i.n) };
}
/** Forgets the email's failures: from one client (a success there), or from all (an unlock). Returns how many. */
export async function clearLoginFailures(db: Tx, email: string, ip?: string): Promise<number> {
  return db('login_failures').where(ip === undefined ? { email } : { email, ip }).del();
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

/** Emails with at least `atLeast` failed sign-ins from one client since `since` (a locked sign-in, for the users page). */
export async function lockedEmails(db: Tx, since: string, atLeast: number): Promise<Set<string>> {
  const rows = await db('login_failures').where('at', '>', since).groupBy('email', 'ip').having(db.raw('count(*) >= ?', [atLeast])).select('email');
  return new Set((rows as { email: string }[]).map((r) => r.email));
}

export async function deleteFile(db: Tx, id: string): Promise<void> {
  await db('files').where({ id }).del();
}

export async function insertPasswordTokens(db: Tx, rows: { token_hash: string; user_id: number; purpose: string; created_at: string; expires_at: string }[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) await db('password_tokens').insert(rows.slice(i, i + 200).map((r) => ({ ...r, used_at: null })));
}

/** The office's mail page: a status and words (recipient or subject), newest first, one page at a time. */
export async function searchOutbox(db: Tx, f: { status?: string; q?: string; limit: number; offset: number }) {
  const base = () =>
    db('outbox').modify((q) => {
      if (f.status) q.where('status', f.status);
      if (f.q) {
        const like = `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        q.where((w) => w.whereRaw("lower(to_email) like lower(?) escape '\\'", [like]).orWhereRaw("subject like ? escape '\\'", [like]));
      }
    });
  const rows = await base()
    .orderBy('id', 'desc')
    .limit(f.limit)
    .offset(f.offset)
    .select('id', 'to_email', 'template', 'subject', 'status', 'attempts', 'last_error', 'created_at', 'sent_at');
  const [{ n }] = await base().count({ n: '*' });
  return { rows: rows as { id: number; to_email: string; template: string; subject: string; status: string; attempts: number; last_error: string | null; created_at: string; sent_at: string | null }[], total: Number(n) };
}

export const outboxMessage = (db: Tx, id: number) =>
  db('outbox').where({ id }).first('id', 'to_email', 'template', 'subject', 'body_text', 'status', 'attempts', 'last_error', 'created_at', 'sent_at', 'next_attempt_at');
