// First run: while nobody has an account, the first person to open the site creates the first
// office account (首次使用). Once anyone exists the door is shut: ALREADY_SET_UP.
import { z } from 'zod';
import { personSchema } from '../domain/schemas';
import { AppError, fromZod } from '../errors';
import { hashPassword } from '../security/passwords';
import { addRole, countUsers, lockUsersTable, rolesOf, upsertUser } from '../store/users';
import type { Actor } from './actors';
import { recordAudit } from './audit';
import type { EngineDeps } from './transitions';

export const setupSchema = personSchema.pick({ email: true, name: true }).extend({
  password: z.string().min(8, '密码至少 8 位').max(200, '密码过长'),
});

export const needsSetup = async (deps: EngineDeps): Promise<boolean> => (await countUsers(deps.db)) === 0;

const alreadySetUp = () => new AppError('ALREADY_SET_UP', '系统已完成初始化，请直接登录 (already set up: sign in)');

export async function setUp(deps: EngineDeps, input: unknown, now: string): Promise<{ user: { id: number; email: string; name: string; roles: string[] } }> {
  // Checked before the slow hash too, so the closed door answers at once.
  if (!(await needsSetup(deps))) throw alreadySetUp();
  const parsed = setupSchema.safeParse(input);
  if (!parsed.success) throw fromZod(parsed.error);
  const { email, name, password } = parsed.data;
  const hash = await hashPassword(password);
  return deps.db.transaction(async (trx) => {
    await lockUsersTable(trx);
    if ((await countUsers(trx)) > 0) throw alreadySetUp();
    const { user } = await upsertUser(trx, { email, name, passwordHash: hash }, now);
    await addRole(trx, user.id, 'office');
    const roles = await rolesOf(trx, user.id);
    const actor: Actor = { id: user.id, email: user.email, name: user.name, roles };
    await recordAudit(trx, { actor, as: 'self', action: 'SETUP', subject: `user:${user.id}`, data: { email: user.email, roles }, at: now });
    return { user: { id: user.id, email: user.email, name: user.name, roles } };
  });
}
