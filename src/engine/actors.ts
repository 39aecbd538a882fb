// Who is acting: a signed-in person, the scheduler, or the server's console. What they may do is the policy's.
import { AppError } from '../errors';
import type { Tx } from '../store/db';
import { findUserByEmail, rolesOf } from '../store/users';

export interface Actor {
  /** null for the scheduler */
  id: number | null;
  email: string;
  name: string;
  /** Global roles: office, leader (secretary and evaluator come from the cycle). */
  roles: string[];
}

export const SYSTEM: Actor = { id: null, email: 'system', name: '系统', roles: ['system'] };

export const actorKey = (a: Actor): string => (a.id === null ? a.email : String(a.id));

export async function actorByEmail(db: Tx, email: string): Promise<Actor> {
  const user = await findUserByEmail(db, email);
  if (!user) throw new AppError('NOT_FOUND', `没有邮箱为 ${email} 的用户 (no user ${email})`);
  return { id: user.id, email: user.email, name: user.name, roles: await rolesOf(db, user.id) };
}
