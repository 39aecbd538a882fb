// Accounts: sign-in with a delay after repeated failures, sessions, one-time links to set or reset a password.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { AppError, invalidInput } from '../errors';
import { renderMail } from '../mail/templates';
import type { Db, Tx } from '../store/db';
import { queueMails } from '../store/outbox';
import { findUserByEmail, getUser, lockUser, rolesOf, setPasswordHash, type UserRow } from '../store/users';
import {
  claimResetRequest,
  clearLoginFailures,
  consumePasswordToken,
  countLoginFailures,
  countQueuedResets,
  deleteOldResetRequests,
  deleteSession,
  deleteUserSessions,
  findSession,
  insertPasswordToken,
  insertResetRequest,
  insertSession,
  pendingResetRequests,
  recordLoginFailure,
  revokePasswordTokens,
  setResetRequestOutcome,
  insertPasswordTokens,
} from '../store/web';
import { hashPassword, verifyPassword } from '../security/passwords';
import { formatLocal } from '../domain/deadlines';
import { SYSTEM, type Actor } from './actors';
import { recordAudit } from './audit';
import { authorize } from './policy';
import { outboxRow, type MailSettings } from './effects';

export const SESSION_DAYS = 7;
const LINK_DAYS = 7;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * Failed sign-ins are counted per email *and client*: after MAX_FAILURES from one client for one
 * email, that client waits FIRST_DELAY, doubling with each further failure up to MAX_DELAY. Failures
 * from elsewhere never lock the real user out. Failures older than PAIR_WINDOW are forgotten.
 */
export const MAX_FAILURES = 5;
const FIRST_DELAY_MS = 1 * MINUTE;
const MAX_DELAY_MS = 15 * MINUTE;
const PAIR_WINDOW_MS = 24 * HOUR;
/** Anti-spray: one client may fail this often across all emails in CLIENT_WINDOW. */
export const MAX_CLIENT_FAILURES = 50;
const CLIENT_WINDOW_MS = 15 * MINUTE;

/** Reset mails per address per hour; further requests in the hour queue nothing. */
export const MAX_RESET_MAILS_PER_HOUR = 3;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const token = () => randomBytes(32).toString('base64url');
const plus = (now: string, ms: number) => new Date(Date.parse(now) + ms).toISOString();
const normalEmail = (email: string) => String(email).trim().toLowerCase();

/** How long a client waits after `failures` failed sign-ins for one email (0 below MAX_FAILURES). */
export function lockoutDelayMs(failures: number): number {
  if (failures < MAX_FAILURES) return 0;
  return Math.min(FIRST_DELAY_MS * 2 ** Math.min(failures - MAX_FAILURES, 30), MAX_DELAY_MS);
}

/**
 * The client a failure is counted against: an IPv4 address (also when IPv4-mapped), or an IPv6
 * address's /64 (one subscriber's network: a client cannot dodge the count by changing its suffix).
 */
export function clientKey(ip: string): string {
  const a = String(ip).trim().toLowerCase().split('%')[0];
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(a);
  if (mapped) return mapped[1];
  if (!isIPv6(a)) return a.slice(0, 64);
  let s = a;
  const v4 = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (v4) {
    const [p, q, r, t] = v4.slice(1).map(Number);
    s = s.slice(0, v4.index) + ((p << 8) | q).toString(16) + ':' + ((r << 8) | t).toString(16);
  }
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...Array(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t];
  return `${groups.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`;
}

function rateLimited(waitMs: number): AppError {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  const minutes = Math.ceil(seconds / 60);
  return new AppError('RATE_LIMITED', `登录失败次数过多，请 ${minutes} 分钟后再试 (too many failed sign-ins: try again in ${minutes} min)`, { retryAfterSeconds: seconds });
}

export interface SignedIn { cookie: string; csrf: string; user: UserRow; roles: string[] }

export async function signIn(db: Db, email: string, password: string, ip: string, now = new Date().toISOString()): Promise<SignedIn> {
  const mail = normalEmail(email);
  const client = clientKey(ip);
  const f = await countLoginFailures(db, mail, client, plus(now, -PAIR_WINDOW_MS), plus(now, -CLIENT_WINDOW_MS));
  let waitMs = f.lastByPair ? Date.parse(f.lastByPair) + lockoutDelayMs(f.byPair) - Date.parse(now) : 0;
  if (f.byIp >= MAX_CLIENT_FAILURES) waitMs = Math.max(waitMs, CLIENT_WINDOW_MS);
  if (waitMs > 0) throw rateLimited(waitMs);
  const user = await findUserByEmail(db, mail);
  // Verify even for an unknown email so the answer takes as long either way.
  const ok = await verifyPassword(password, user?.password_hash ?? DUMMY_HASH);
  // A deactivated account (停用) signs in no more: answered as a wrong password, and counted as one.
  if (!user || !user.password_hash || !ok || deactivated(user)) {
    await recordLoginFailure(db, mail, client, now);
    throw new AppError('UNAUTHENTICATED', '邮箱或密码不正确 (wrong email or password)');
  }
  await clearLoginFailures(db, mail, client);
  const cookie = token();
  const csrf = token();
  await insertSession(db, { id_hash: sha256(cookie), user_id: user.id, csrf_token: csrf, created_at: now, expires_at: plus(now, SESSION_DAYS * 86_400_000) });
  return { cookie, csrf, user, roles: await rolesOf(db, user.id) };
}

/**
 * 解锁: the office forgets every failed sign-in for the email (from every client), so a locked-out
 * user can sign in at once. Audited as ACCOUNT_UNLOCKED, also when there was nothing to forget.
 */
export async function unlockAccount(
  db: Db,
  email: string,
  actor: Actor,
  now = new Date().toISOString(),
): Promise<{ email: string; userId: number; failuresCleared: number }> {
  // The scheduler (no person) may unlock too; a person needs the policy's say.
  if (actor.id !== null) authorize(actor, 'UNLOCK_ACCOUNT');
  const mail = normalEmail(email);
  return db.transaction(async (trx) => {
    const user = await findUserByEmail(trx, mail);
    if (!user) throw new AppError('NOT_FOUND', `没有邮箱为 ${mail} 的用户 (no user ${mail})`);
    const failuresCleared = await clearLoginFailures(trx, mail);
    await recordAudit(trx, { actor, action: 'ACCOUNT_UNLOCKED', subject: `user:${user.id}`, data: { email: mail, failuresCleared }, at: now });
    return { email: mail, userId: user.id, failuresCleared };
  });
}

const deactivated = (user: UserRow): boolean => Boolean((user as UserRow & { deactivated_at?: string | null }).deactivated_at);

const DUMMY_HASH = 'scrypt$32768$8$3$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

export async function sessionUser(db: Db, cookie: string, now = new Date().toISOString()) {
  const session = await findSession(db, sha256(cookie), now);
  if (!session) return undefined;
  const user = await getUser(db, session.user_id);
  if (!user || deactivated(user)) return undefined;
  return { user, roles: await rolesOf(db, user.id), csrf: session.csrf_token };
}

export const signOut = (db: Db, cookie: string) => deleteSession(db, sha256(cookie));

export function sameToken(a: string | undefined, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Queues a one-time link mail (invitation or reset) in the caller's transaction. */
export async function queuePasswordLink(
  trx: Tx,
  user: UserRow,
  purpose: 'invitation' | 'reset',
  settings: MailSettings,
  now: string,
  cycleTitle = '述评系统',
): Promise<void> {
  const t = token();
  const expires = plus(now, LINK_DAYS * 86_400_000);
  await insertPasswordToken(trx, { token_hash: sha256(t), user_id: user.id, purpose, created_at: now, expires_at: expires });
  const locale = user.locale === 'en' ? 'en' : 'zh-CN';
  const mail = renderMail(purpose === 'invitation' ? 'invitation' : 'passwordReset', locale, {
    recipientName: user.name,
    recipientRole: 'secretary',
    cycleTitle,
    deadline: { kind: 'materials', at: formatLocal(expires, 'Asia/Shanghai', locale), daysLeft: LINK_DAYS },
    link: `${settings.baseUrl}/password/${t}`,
  });
  const template = purpose === 'invitation' ? 'invitation' : 'passwordReset';
  await queueMails(trx, [
    outboxRow(settings, { dedupeKey: `pw:${sha256(t)}`, cycleId: null, branchReviewId: null, template, to: user.email, mail, attachments: null, now }),
  ]);
}

/**
 * Always answers the same, and takes as long, whether or not the email is known (no account
 * probing): the request is only written down here; processResetRequests (the scheduler's tick)
 * looks the address up and queues the mail.
 */
export async function forgotPassword(db: Db, email: string, _settings?: MailSettings, now = new Date().toISOString()): Promise<void> {
  const mail = normalEmail(email);
  if (!mail || mail.length > 254) return; // no account has such an address
  await insertResetRequest(db, mail, now);
}

export interface ResetRequestsProcessed { processed: number; queued: number; limited: number; unknown: number; failed: number }

/**
 * Turns pending reset requests into reset mails, each request in its own transaction (claimed,
 * answered and marked at once, so none is half done or done twice): an unknown address queues
 * nothing; a known one gets a new link, revoking its older unused reset links, unless
 * MAX_RESET_MAILS_PER_HOUR were queued for the address in the hour before the request.
 */
export async function processResetRequests(db: Db, settings: MailSettings, now = new Date().toISOString()): Promise<ResetRequestsProcessed> {
  const out: ResetRequestsProcessed = { processed: 0, queued: 0, limited: 0, unknown: 0, failed: 0 };
  let after = 0;
  for (;;) {
    const batch = await pendingResetRequests(db, after, 200);
    if (!batch.length) break;
    for (const r of batch) {
      after = r.id;
      let outcome: 'queued' | 'limited' | 'unknown' | 'failed' | undefined;
      try {
        outcome = await db.transaction(async (trx) => {
          if (!(await claimResetRequest(trx, r.id, now))) return undefined; // another tick took it
          const user = await findUserByEmail(trx, r.email);
          let result: 'queued' | 'limited' | 'unknown';
          if (!user || deactivated(user)) result = 'unknown';
          else {
            await lockUser(trx, user.id); // two ticks at once still count each other's mails
            const recent = await countQueuedResets(trx, r.email, plus(r.requested_at, -HOUR), r.requested_at);
            if (recent >= MAX_RESET_MAILS_PER_HOUR) result = 'limited';
            else {
              const revokedLinks = await revokePasswordTokens(trx, user.id, now, 'reset');
              await queuePasswordLink(trx, user, 'reset', settings, now);
              await recordAudit(trx, { actor: SYSTEM, action: 'RESET_LINK_ISSUED', subject: `user:${user.id}`, data: { requestedAt: r.requested_at, revokedLinks }, at: now });
              result = 'queued';
            }
          }
          await setResetRequestOutcome(trx, r.id, result);
          return result;
        });
      } catch {
        // Rolled back whole; set aside so that one bad request does not stop the others.
        if (await claimResetRequest(db, r.id, now)) {
          await setResetRequestOutcome(db, r.id, 'failed');
          outcome = 'failed';
        }
      }
      if (outcome) {
        out.processed++;
        out[outcome]++;
      }
    }
  }
  // The hourly limit looks back an hour: older answered requests are kept a day, then forgotten.
  await deleteOldResetRequests(db, plus(now, -24 * HOUR));
  return out;
}

/**
 * Sets the password with a one-time link (invitation or reset): the link is used up, the user's other
 * unused links are revoked, their sessions end and their failed sign-ins are forgotten, audited as
 * PASSWORD_SET by the user themselves.
 */
export async function setPasswordWithToken(db: Db, linkToken: string, password: string, now = new Date().toISOString()): Promise<UserRow> {
  if (typeof password !== 'string' || password.length < 8) throw invalidInput([{ field: 'password', message: '密码至少 8 位' }]);
  if (password.length > 200) throw invalidInput([{ field: 'password', message: '密码过长' }]);
  const hash = await hashPassword(password);
  return db.transaction(async (trx) => {
    const link = await consumePasswordToken(trx, sha256(String(linkToken)), now);
    if (!link) throw new AppError('NOT_FOUND', '链接无效、已使用或已过期 (link invalid, used or expired)');
    const user = (await getUser(trx, link.userId))!;
    await setPasswordHash(trx, user.id, hash);
    await deleteUserSessions(trx, user.id);
    const revokedLinks = await revokePasswordTokens(trx, user.id, now);
    const failuresCleared = await clearLoginFailures(trx, user.email);
    const actor: Actor = { id: user.id, email: user.email, name: user.name, roles: await rolesOf(trx, user.id) };
    await recordAudit(trx, { actor, as: 'self', action: 'PASSWORD_SET', subject: `user:${user.id}`, data: { via: link.purpose, revokedLinks, failuresCleared }, at: now });
    return { ...user, password_hash: hash };
  });
}

/** Invitations for many new people at once (a cycle names them a few hundred at a time: src/engine/enrolment.ts): tokens and mails inserted in batches. */
export async function queueInvitations(trx: Tx, users: UserRow[], settings: MailSettings, now: string, cycleTitle: string): Promise<void> {
  const expires = plus(now, LINK_DAYS * 86_400_000);
  const tokens: { token_hash: string; user_id: number; purpose: string; created_at: string; expires_at: string }[] = [];
  const mails = users.map((user) => {
    const t = token();
    const hash = sha256(t);
    tokens.push({ token_hash: hash, user_id: user.id, purpose: 'invitation', created_at: now, expires_at: expires });
    const locale = user.locale === 'en' ? 'en' : 'zh-CN';
    const mail = renderMail('invitation', locale, {
      recipientName: user.name,
      recipientRole: 'secretary',
      cycleTitle,
      deadline: { kind: 'materials', at: formatLocal(expires, 'Asia/Shanghai', locale), daysLeft: LINK_DAYS },
      link: `${settings.baseUrl}/password/${t}`,
    });
    return outboxRow(settings, { dedupeKey: `pw:${hash}`, cycleId: null, branchReviewId: null, template: 'invitation', to: user.email, mail, attachments: null, now });
  });
  await insertPasswordTokens(trx, tokens);
  await queueMails(trx, mails);
}
