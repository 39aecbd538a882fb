// People and their roles: added by the office (or the CLI on the server), each change audited.
import { z } from 'zod';
import { localeSchema, newUserSchema } from '../domain/schemas';
import { AppError, fromZod, invalidInput } from '../errors';
import { hashPassword } from '../security/passwords';
import type { Tx } from '../store/db';
import {
  addRole,
  countActiveWithRole,
  deputyAssignments,
  findUserByEmail,
  firstUserWithRole,
  getUser,
  isDeactivated,
  listUsersWithRoles,
  lockUsersTable,
  removeRole,
  rolesOf,
  setDeactivated,
  setLocale as storeLocale,
  setPasswordHash,
  upsertUser,
} from '../store/users';
import { deleteUserSessions, lockedEmails, revokePasswordTokens } from '../store/web';
import { MAX_FAILURES, queuePasswordLink } from './accounts';
import { actorByEmail, type Actor } from './actors';
import { recordAudit } from './audit';
import { authorize } from './policy';
import type { EngineDeps } from './transitions';

/** The CLI runs on the server: on a new installation it may create the first office account. */
export const SERVER_CONSOLE: Actor = { id: null, email: 'cli', name: '命令行', roles: ['office'] };

export interface AddUserRequest { email: unknown; name: unknown; roles: unknown; locale?: unknown; password?: string }

/** Adds a person with roles (or adds roles to an existing one); with a password they can sign in at once. */
export async function addUser(deps: EngineDeps, req: AddUserRequest, actor: Actor, now: string): Promise<{ user: { id: number; email: string; name: string; roles: string[] }; created: boolean }> {
  authorize(actor, 'MANAGE_USERS');
  const parsed = newUserSchema.safeParse({ email: req.email, name: req.name, roles: req.roles, locale: req.locale });
  if (!parsed.success) throw fromZod(parsed.error);
  if (req.password !== undefined && (req.password.length < 8 || req.password.length > 200)) {
    throw invalidInput([{ field: 'password', message: '密码须为 8 到 200 位' }]);
  }
  const passwordHash = req.password === undefined ? null : await hashPassword(req.password);
  const p = parsed.data;
  return deps.db.transaction(async (trx) => {
    const { user, created } = await upsertUser(trx, { email: p.email, name: p.name, locale: p.locale, passwordHash }, now);
    for (const r of p.roles) await addRole(trx, user.id, r);
    const roles = await rolesOf(trx, user.id);
    await recordAudit(trx, {
      actor, as: 'office', action: created ? 'USER_ADDED' : 'USER_ROLES_ADDED', subject: `user:${user.id}`,
      data: { email: user.email, roles: p.roles, passwordSet: passwordHash !== null }, at: now,
    });
    return { user: { id: user.id, email: user.email, name: user.name, roles }, created };
  });
}

/** The language of a person's pages and mail, chosen by themselves. */
export async function setLocale(deps: EngineDeps, actor: Actor, locale: unknown, now: string): Promise<{ locale: 'zh-CN' | 'en' }> {
  if (actor.id === null) throw new AppError('UNAUTHENTICATED', '请先登录 (sign in first)');
  const parsed = localeSchema.safeParse(locale);
  if (!parsed.success) throw fromZod(parsed.error, 'locale');
  await deps.db.transaction(async (trx) => {
    await storeLocale(trx, actor.id!, parsed.data);
    await recordAudit(trx, { actor, as: 'self', action: 'LOCALE_SET', subject: `user:${actor.id}`, data: { locale: parsed.data }, at: now });
  });
  return { locale: parsed.data };
}

/** Sets a password directly (the server's CLI and the demo seed; people use their one-time links). */
export async function setPassword(deps: EngineDeps, email: string, password: string, actor: Actor, now: string): Promise<void> {
  authorize(actor, 'MANAGE_USERS');
  const hash = await hashPassword(password);
  await deps.db.transaction(async (trx) => {
    const user = await findUserByEmail(trx, email);
    if (!user) throw new AppError('NOT_FOUND', `没有邮箱为 ${email} 的用户 (no user ${email})`);
    await setPasswordHash(trx, user.id, hash);
    await recordAudit(trx, { actor, as: 'office', action: 'PASSWORD_SET', subject: `user:${user.id}`, at: now });
  });
}

/** Who the CLI acts as: the named person, else the first office user, else (on a new installation) the server console. */
export async function consoleActor(deps: EngineDeps, email?: string, bootstrap = false): Promise<Actor> {
  if (email) return actorByEmail(deps.db, email);
  const row = await firstUserWithRole(deps.db, 'office');
  if (row) return actorByEmail(deps.db, row.email);
  if (bootstrap) return SERVER_CONSOLE;
  throw new AppError('NOT_FOUND', '还没有党委办公室用户：请先 user add --role office 或 cycle create (no office user yet)');
}

// ── the office's users page: invite, roles, deactivate (never delete), resend an invitation ──

/** Account roles the users page sets; secretaries and evaluators come from each cycle's lists. */
export const ACCOUNT_ROLES = ['office', 'leader'] as const;

export interface UserListing {
  id: number;
  email: string;
  name: string;
  roles: string[];
  active: boolean;
  /** has set a password (else an invitation is pending) */
  passwordSet: boolean;
  /** a client is waiting after failed sign-ins for this email */
  locked: boolean;
  me: boolean;
  deputyFor: { cycleId: number; year: number; code: string; name: string }[];
}

export async function listUsers(deps: EngineDeps, actor: Actor, now: string): Promise<UserListing[]> {
  authorize(actor, 'MANAGE_USERS');
  const [users, locked, deputies] = await Promise.all([
    listUsersWithRoles(deps.db),
    lockedEmails(deps.db, new Date(Date.parse(now) - 86_400_000).toISOString(), MAX_FAILURES),
    deputyAssignments(deps.db),
  ]);
  return users.map((u) => ({
    id: u.id,
    email: u.email,
    name: u.name,
    roles: u.roles,
    active: !u.deactivated_at,
    passwordSet: u.has_password,
    locked: locked.has(u.email),
    me: u.id === actor.id,
    deputyFor: deputies.filter((d) => d.user_id === u.id).map((d) => ({ cycleId: d.cycle_id, year: d.year, code: d.code, name: d.name })),
  }));
}

const inviteSchema = newUserSchema.pick({ email: true, name: true }).extend({
  roles: z.array(z.enum(ACCOUNT_ROLES)).max(2).default([]),
});

/** 邀请: adds a person (or roles to an existing one) and mails a one-time link to set a password. */
export async function inviteUser(deps: EngineDeps, input: unknown, actor: Actor, now: string): Promise<{ user: { id: number; email: string; name: string; roles: string[] }; created: boolean; invited: boolean }> {
  authorize(actor, 'MANAGE_USERS');
  const parsed = inviteSchema.safeParse(input);
  if (!parsed.success) throw fromZod(parsed.error);
  const p = parsed.data;
  return deps.db.transaction(async (trx) => {
    const { user, created } = await upsertUser(trx, { email: p.email, name: p.name }, now);
    for (const r of p.roles) await addRole(trx, user.id, r);
    const invited = !user.password_hash;
    if (invited) {
      await revokePasswordTokens(trx, user.id, now, 'invitation');
      await queuePasswordLink(trx, user, 'invitation', deps.mail, now);
    }
    const roles = await rolesOf(trx, user.id);
    await recordAudit(trx, { actor, as: 'office', action: 'USER_INVITED', subject: `user:${user.id}`, data: { email: user.email, roles: p.roles, created, invited }, at: now });
    return { user: { id: user.id, email: user.email, name: user.name, roles }, created, invited };
  });
}

const rolesSchema = z.object({ roles: z.array(z.enum(ACCOUNT_ROLES)).max(2) });

async function requireUser(trx: Tx, id: number) {
  const user = await getUser(trx, id);
  if (!user) throw new AppError('NOT_FOUND', '没有该用户 (no such user)');
  return user;
}

/** Sets a person's account roles (office, leader); their roles from cycles are left as they are. */
export async function setUserRoles(deps: EngineDeps, userId: number, input: unknown, actor: Actor, now: string): Promise<{ roles: string[] }> {
  authorize(actor, 'MANAGE_USERS');
  const parsed = rolesSchema.safeParse(input);
  if (!parsed.success) throw fromZod(parsed.error);
  const wanted = new Set<string>(parsed.data.roles);
  return deps.db.transaction(async (trx) => {
    await lockUsersTable(trx);
    const user = await requireUser(trx, userId);
    const before = await rolesOf(trx, user.id);
    for (const r of ACCOUNT_ROLES) {
      if (wanted.has(r) && !before.includes(r)) await addRole(trx, user.id, r);
      if (!wanted.has(r) && before.includes(r)) await removeRole(trx, user.id, r);
    }
    if ((await countActiveWithRole(trx, 'office')) === 0) {
      throw invalidInput([{ field: 'roles', message: '至少需要保留一名在用的党委办公室人员' }]);
    }
    const roles = await rolesOf(trx, user.id);
    await recordAudit(trx, { actor, as: 'office', action: 'USER_ROLES_SET', subject: `user:${user.id}`, data: { email: user.email, before, after: roles }, at: now });
    return { roles };
  });
}

/** 停用 (never deleted): sign-in refused, sessions ended, unused links revoked. Or 启用 again. */
export async function setUserActive(deps: EngineDeps, userId: number, active: boolean, actor: Actor, now: string): Promise<{ active: boolean }> {
  authorize(actor, 'MANAGE_USERS');
  if (!active && userId === actor.id) throw invalidInput([{ field: 'user', message: '不能停用自己的账号' }]);
  return deps.db.transaction(async (trx) => {
    await lockUsersTable(trx);
    const user = await requireUser(trx, userId);
    await setDeactivated(trx, user.id, active ? null : now);
    if (!active) {
      await deleteUserSessions(trx, user.id);
      await revokePasswordTokens(trx, user.id, now);
      if ((await countActiveWithRole(trx, 'office')) === 0) throw invalidInput([{ field: 'user', message: '至少需要保留一名在用的党委办公室人员' }]);
    }
    await recordAudit(trx, { actor, as: 'office', action: active ? 'USER_REACTIVATED' : 'USER_DEACTIVATED', subject: `user:${user.id}`, data: { email: user.email }, at: now });
    return { active };
  });
}

/** 重发邀请: a new one-time link (older unused invitation links revoked). */
export async function resendInvitation(deps: EngineDeps, userId: number, actor: Actor, now: string): Promise<{ invited: true }> {
  authorize(actor, 'MANAGE_USERS');
  return deps.db.transaction(async (trx) => {
    const user = await requireUser(trx, userId);
    if (await isDeactivated(trx, user.id)) throw invalidInput([{ field: 'user', message: '该账号已停用，请先启用' }]);
    const revokedLinks = await revokePasswordTokens(trx, user.id, now, 'invitation');
    await queuePasswordLink(trx, user, 'invitation', deps.mail, now);
    await recordAudit(trx, { actor, as: 'office', action: 'INVITATION_RESENT', subject: `user:${user.id}`, data: { email: user.email, revokedLinks }, at: now });
    return { invited: true as const };
  });
}
