import type { Tx } from './db';
import { isPostgres } from './db';

export interface MailRow {
  id?: number;
  message_id: string;
  dedupe_key: string;
  cycle_id: number | null;
  branch_review_id: number | null;
  template: string;
  to_email: string;
  subject: string;
  body_text: string;
  body_html: string;
  attachments: string | null;
  status: 'queued' | 'sent' | 'dead';
  attempts: number;
  next_attempt_at: string;
  claimed_until: string | null;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
  /** mail (default) or webhook: a group robot's message (src/mail/webhook.ts, queued by src/engine/channels.ts) */
  channel?: 'mail' | 'webhook';
}

/** Queues mails; one already queued for the same reason (dedupe_key) is left as it is. Returns how many were new. */
export async function queueMails(db: Tx, rows: MailRow[]): Promise<number> {
  let added = 0;
  for (let i = 0; i < rows.length; i += 100) {
    const res = await db('outbox').insert(rows.slice(i, i + 100)).onConflict('dedupe_key').ignore().returning('id');
    added += res.length;
  }
  return added;
}

// The dispatcher's statements are written out once instead of built by knex's query builder on every
// claim and every group of 250s: building them cost 39 µs of the main thread a mail, 16 µs now (a CPU
// profile of 4,000 mails, issue 8), time the SMTP connections on the same thread wait for.
const CLAIMABLE = "status = 'queued' and next_attempt_at <= ? and (claimed_until is null or claimed_until < ?)";
/**
 * The due mails a claim takes, in the order they fell due, after the cursor (due time, id). SQLite seeks
 * a row value only by its first column, and mails queued together share their due time (a launch's
 * thousands), so the ties after the cursor and the later due times are two walks of the index, each
 * ordered and limited. Parameters: due time, id, now, now, limit, due time, now, now, limit, limit.
 * (Exported for the test of its query plan.)
 */
export const DUE_MAILS_SQL =
  'select id from (' +
  `select * from (select id, next_attempt_at from outbox where next_attempt_at = ? and id > ? and ${CLAIMABLE} order by id limit ?) union all ` +
  `select * from (select id, next_attempt_at from outbox where next_attempt_at > ? and ${CLAIMABLE} order by next_attempt_at, id limit ?)` +
  ') order by next_attempt_at, id limit ?';
const CLAIM_SQL_SQLITE = `update outbox set claimed_until = ? where id in (${DUE_MAILS_SQL}) returning *`;
// PostgreSQL seeks by the whole row value (status, then (next_attempt_at, id)) in one walk.
const CLAIM_SQL_PG =
  `update outbox set claimed_until = ? where id in (select id from outbox where (next_attempt_at, id) > (?, ?) and ${CLAIMABLE} ` +
  'order by next_attempt_at, id limit ? for update skip locked) returning *';

/** Where a pass's walk over the queue has got to: the last mail it claimed. */
export type ClaimCursor = Pick<MailRow, 'next_attempt_at'> & { id?: number };
const START: ClaimCursor = { next_attempt_at: '', id: 0 };
const byDue = (a: ClaimCursor, b: ClaimCursor) => (a.next_attempt_at < b.next_attempt_at ? -1 : a.next_attempt_at > b.next_attempt_at ? 1 : a.id! - b.id!);

/**
 * Leases up to `limit` due mails until `leaseUntil`, in one statement (one round trip per batch): other
 * dispatchers on the same PostgreSQL skip the rows it locks (SKIP LOCKED) and, once it committed, the
 * lease; on SQLite the statement holds the write lock while it runs. A worker that dies mid-send lets
 * the lease lapse and another sends again, with the same Message-ID (SMTP is at least once).
 *
 * Mails go in the order they fell due, then oldest first. `after`: only mails past this one, so that a
 * pass's claims walk outbox_claim_index (status, next_attempt_at, id, claimed_until) forward instead of
 * reading again, on every claim, the mails it has already leased; mails not yet due lie beyond the
 * walk's end and are never read. A mail that becomes due behind the walk (a lapsed lease) goes in the
 * next pass.
 */
export async function claimDueMails(db: Tx, now: string, leaseUntil: string, limit: number, after: ClaimCursor = START): Promise<MailRow[]> {
  const pg = isPostgres(db);
  const { next_attempt_at: at, id = 0 } = after;
  const res = pg
    ? await db.raw(CLAIM_SQL_PG, [leaseUntil, at, id, now, now, limit])
    : await db.raw(CLAIM_SQL_SQLITE, [leaseUntil, at, id, now, now, limit, at, now, now, limit, limit]);
  const rows = (pg ? (res as { rows: MailRow[] }).rows : res) as MailRow[];
  // RETURNING gives no order.
  return rows.sort(byDue);
}

/** A dispatcher that stops early (shutdown) hands back the mails it claimed and did not send. */
export async function releaseClaims(db: Tx, ids: number[]): Promise<void> {
  if (ids.length) await db('outbox').whereIn('id', ids).where({ status: 'queued' }).update({ claimed_until: null });
}

/** Records the 250s of several mails in one statement (the dispatcher groups those accepted meanwhile). */
export async function markSentMany(db: Tx, ids: number[], at: string): Promise<void> {
  // Well under SQLite's 32,766 bound parameters: a group is about the dispatcher's window.
  for (let i = 0; i < ids.length; i += 500) {
    const group = ids.slice(i, i + 500);
    await db.raw(`update outbox set status = 'sent', sent_at = ?, claimed_until = null, last_error = null where id in (${group.map(() => '?').join(',')})`, [at, ...group]);
  }
}

export async function markFailed(db: Tx, id: number, patch: { attempts: number; nextAttemptAt: string; error: string; dead: boolean }): Promise<void> {
  await db('outbox').where({ id }).update({
    status: patch.dead ? 'dead' : 'queued',
    attempts: patch.attempts,
    next_attempt_at: patch.nextAttemptAt,
    last_error: patch.error.slice(0, 2000),
    claimed_until: null,
  });
}

export const listMails = (db: Tx, filter: { status?: MailRow['status']; cycleId?: number } = {}): Promise<MailRow[]> =>
  db<MailRow>('outbox')
    .modify((q) => {
      if (filter.status) q.where('status', filter.status);
      if (filter.cycleId) q.where('cycle_id', filter.cycleId);
    })
    .orderBy('id');

/** The office puts a dead letter back in the queue (after fixing an address, or once the server is back). */
export async function requeueMail(db: Tx, id: number, now: string): Promise<boolean> {
  const n = await db('outbox').where({ id, status: 'dead' }).update({ status: 'queued', attempts: 0, next_attempt_at: now, claimed_until: null });
  return n === 1;
}

export async function mailCounts(db: Tx): Promise<Record<string, number>> {
  const rows = await db('outbox').groupBy('status').select('status').count({ n: '*' });
  return Object.fromEntries((rows as { status: string; n: number | string }[]).map((r) => [r.status, Number(r.n)]));
}

export const getMail = (db: Tx, id: number): Promise<MailRow | undefined> => db<MailRow>('outbox').where({ id }).first();
