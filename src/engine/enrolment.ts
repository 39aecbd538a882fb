// Enrolling a cycle's people (创建周期, 修改草稿): each person linked by email or created without a
// password and invited, their roles, the cycle's people and its roster written, in the caller's
// transaction. A cycle may name 100,000 branches: they are taken a few hundred at a time (linked,
// written, invited, then dropped), so memory stays bounded whatever the roster's size.
import type { CycleConfig } from '../domain/schemas';
import { addCyclePerson, insertRoster } from '../store/cycles';
import type { Tx } from '../store/db';
import { addRole, addRoles, ensureUsers } from '../store/users';
import { queueInvitations } from './accounts';
import type { MailSettings } from './effects';

/**
 * Branches per step: up to twice as many people (a deputy each), their invitations rendered at once.
 * 200, the rows per insert of the roster, users and tokens, so that a step's inserts are whole.
 */
export const ENROL_CHUNK = 200;

type People = Pick<CycleConfig, 'title' | 'office' | 'leaders' | 'branches' | 'panel'>;

/**
 * Links and invites the people of `config` for cycle `cycleId`, in the order they are named (office,
 * leaders, branches' secretaries and deputies, panel: people are created, and so numbered, in that
 * order). Returns how many people were created.
 */
export async function enrolPeople(trx: Tx, mail: MailSettings, cycleId: number, config: People, now: string): Promise<number> {
  let created = 0;
  const link = async (people: { email: string; name: string }[]) => {
    const linked = await ensureUsers(trx, people, now);
    // New people get a one-time link to set their password, queued with the cycle itself.
    await queueInvitations(trx, linked.created, mail, now, config.title);
    created += linked.created.length;
    return (email: string) => linked.byEmail.get(email.toLowerCase())!.id;
  };

  const staff = await link([...config.office, ...config.leaders]);
  for (const [role, list] of [['office', config.office], ['leader', config.leaders]] as const) {
    for (const p of list) {
      await addRole(trx, staff(p.email), role);
      await addCyclePerson(trx, { cycle_id: cycleId, user_id: staff(p.email), role });
    }
  }
  for (let start = 0; start < config.branches.length; start += ENROL_CHUNK) {
    const chunk = config.branches.slice(start, start + ENROL_CHUNK);
    const idOf = await link(
      chunk.flatMap((b) => [{ email: b.secretaryEmail, name: b.secretaryName }, ...(b.deputyEmail ? [{ email: b.deputyEmail, name: b.deputyEmail }] : [])]),
    );
    await addRoles(trx, chunk.map((b) => idOf(b.secretaryEmail)), 'secretary');
    await insertRoster(
      trx,
      chunk.map((b, n) => ({
        cycle_id: cycleId, position: start + n, code: b.code, name: b.name, secretary_email: b.secretaryEmail.toLowerCase(), secretary_name: b.secretaryName,
        deputy_email: b.deputyEmail?.toLowerCase() ?? null, segment: b.segment ?? null,
      })),
    );
  }
  const panel = await link(config.panel);
  for (const p of config.panel) {
    await addRole(trx, panel(p.email), 'evaluator');
    await addCyclePerson(trx, { cycle_id: cycleId, user_id: panel(p.email), role: 'evaluator', conflict_branch_code: p.branchCode ?? null });
  }
  return created;
}
