// Who is acting, and in which capacity for a given branch (role *and* branch).
import type { Role } from '../../workflows/branchReview';
import { AppError } from '../errors';
import type { Tx } from '../store/db';
import type { BranchReviewRow } from '../store/branchReviews';
import { cyclePeople } from '../store/cycles';
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

/** The roles an actor holds towards one branch review; the panel is read only when `needed` asks about evaluators. */
export async function rolesForBranch(db: Tx, actor: Actor, branch: BranchReviewRow, needed?: readonly Role[]): Promise<Set<Role>> {
  const roles = new Set<Role>();
  if (actor.id === null) return new Set(['system']);
  for (const r of actor.roles) if (r === 'office' || r === 'leader') roles.add(r);
  if (branch.secretary_id === actor.id || branch.deputy_id === actor.id) roles.add('secretary');
  if (needed && !needed.includes('evaluator')) return roles;
  const panel = await cyclePeople(db, branch.cycle_id, 'evaluator');
  if (panel.some((p) => p.user_id === actor.id)) roles.add('evaluator');
  return roles;
}

export function requireRole(held: Set<Role>, allowed: readonly Role[], what: string): void {
  if (!allowed.some((r) => held.has(r))) {
    throw new AppError('FORBIDDEN', `无权执行 ${what}：需要 ${allowed.join('/')} 身份 (not allowed: needs ${allowed.join('/')})`);
  }
}
