// Accounts: sign-in with a rate limit on failures, sessions, one-time links to set or reset a password.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError, invalidInput } from '../errors';
import { renderMail } from '../mail/templates';
import type { Db, Tx } from '../store/db';
import { queueMails } from '../store/outbox';
import { findUserByEmail, getUser, rolesOf, setPasswordHash, type UserRow } from '../store/users';
import {
  clearLoginFailures,
  consumePasswordToken,
  countLoginFailures,
  deleteSession,
  deleteUserSessions,
  findSession,
  insertPasswordToken,
  insertSession,
  recordLoginFailure,
} from '../store/web';
import { hashPassword, verifyPassword } from '../security/passwords';
import { formatLocal } from '../domain/deadlines';
import { outboxRow, type MailSettings } from './effects';

export const SESSION_DAYS = 7;
const LINK_DAYS = 7;
/** Failed sign-ins allowed per email (and, more generously, per address) in the window. */
export const MAX_FAILURES = 5;
const FAILURE_WINDOW_MIN = 15;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const token = () => randomBytes(32).toString('base64url');
const plus = (now: string, ms: number) => new Date(Date.parse(now) + ms).toISOString();

export interface SignedIn { cookie: string; csrf: string; user: UserRow; roles: string[] }

export async function signIn(db: Db, email: string, password: string, ip: string, now = new Date().toISOString()): Promise<SignedIn> {
  const mail = email.trim().toLowerCase();
  const since = plus(now, -FAILURE_WINDOW_MIN * 60_000);
  const failures = await countLoginFailures(db, mail, ip, since);
  if (failures.byEmail >= MAX_FAILURES || failures.byIp >= MAX_FAILURES * 4) {
    throw new AppError('RATE_LIMITED', `登录失败次数过多，请 ${FAILURE_WINDOW_MIN} 分钟后再试 (too many failed sign-ins)`);
  }
  const user = await findUserByEmail(db, mail);
  // Verify even for an unknown email so the answer takes as long either way.
  const ok = await verifyPassword(password, user?.password_hash ?? DUMMY_HASH);
  if (!user || !user.password_hash || !ok) {
    await recordLoginFailure(db, mail, ip, now);
    throw new AppError('UNAUTHENTICATED', '邮箱或密码不正确 (wrong email or password)');
  }
  await clearLoginFailures(db, mail);
  const cookie = token();
  const csrf = token();
  await insertSession(db, { id_hash: sha256(cookie), user_id: user.id, csrf_token: csrf, created_at: now, expires_at: plus(now, SESSION_DAYS * 86_400_000) });
  return { cookie, csrf, user, roles: await rolesOf(db, user.id) };
}

const DUMMY_HASH = 'scrypt$32768$8$3$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

export async function sessionUser(db: Db, cookie: string, now = new Date().toISOString()) {
  const session = await findSession(db, sha256(cookie), now);
  if (!session) return undefined;
  const user = await getUser(db, session.user_id);
  if (!user) return undefined;
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

/** Always answers the same, whether or not the email is known (no account probing). */
export async function forgotPassword(db: Db, email: string, settings: MailSettings, now = new Date().toISOString()): Promise<void> {
  const user = await findUserByEmail(db, email.trim().toLowerCase());
  if (user) await db.transaction((trx) => queuePasswordLink(trx, user, 'reset', settings, now));
}

export async function setPasswordWithToken(db: Db, linkToken: string, password: string, now = new Date().toISOString()): Promise<UserRow> {
  if (typeof password !== 'string' || password.length < 8) throw invalidInput([{ field: 'password', message: '密码至少 8 位' }]);
  if (password.length > 200) throw invalidInput([{ field: 'password', message: '密码过长' }]);
  const hash = await hashPassword(password);
  return db.transaction(async (trx) => {
    const userId = await consumePasswordToken(trx, sha256(String(linkToken)), now);
    if (!userId) throw new AppError('NOT_FOUND', '链接无效、已使用或已过期 (link invalid, used or expired)');
    await setPasswordHash(trx, userId, hash);
    await deleteUserSessions(trx, userId);
    return (await getUser(trx, userId))!;
  });
}
