// People and their roles: added by the office (or the CLI on the server), each change audited.
import { localeSchema, newUserSchema } from '../domain/schemas';
import { AppError, fromZod, invalidInput } from '../errors';
import { hashPassword } from '../security/passwords';
import { addRole, findUserByEmail, firstUserWithRole, rolesOf, setLocale as storeLocale, setPasswordHash, upsertUser } from '../store/users';
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
