// A draft cycle (草稿) before it is launched: previewed with what launching will do, edited whole
// (configuration and roster), or deleted — marked deleted, never removed, so its audit records stay.
import { cycleConfigSchema, rulesOf } from '../domain/schemas';
import { AppError, fromZod, invalidInput } from '../errors';
import {
  clearDraftRoster,
  cyclePeople,
  cyclePeopleWithoutPassword,
  findCycle,
  findCycleOfYear,
  markCycleDeleted,
  rosterOf,
  updateCycle,
  type CycleRow,
} from '../store/cycles';
import type { Actor } from './actors';
import { recordAudit } from './audit';
import { enrolPeople } from './enrolment';
import { requireCycle } from './lookup';
import { authorize } from './policy';
import { parseConfig, type EngineDeps } from './transitions';
import type { Tx } from '../store/db';

const DEADLINES = ['materials', 'scoring', 'plan', 'followUp'] as const;

async function requireDraft(db: Tx, ref: string | number): Promise<CycleRow> {
  const cycle = await requireCycle(db, ref);
  if (cycle.state !== 'draft') throw new AppError('EVENT_NOT_ALLOWED', '该周期已启动，不能再修改或删除 (the cycle is no longer a draft)', { state: cycle.state, allowedEvents: [] });
  return cycle;
}

/** The draft as the wizard edits it (its whole configuration), and what launching it will do. */
export async function draftView(deps: EngineDeps, ref: string | number, actor: Actor, now: string) {
  authorize(actor, 'CREATE_CYCLE');
  const cycle = await requireDraft(deps.db, ref);
  const rules = parseConfig(cycle) as ReturnType<typeof parseConfig> & Record<string, unknown>;
  const roster = await rosterOf(deps.db, cycle.id);
  const people = await cyclePeople(deps.db, cycle.id);
  const { branchCount: _count, ...rest } = rules;
  const config = {
    ...rest,
    office: people.filter((p) => p.role === 'office').map((p) => ({ email: p.email, name: p.name })),
    leaders: people.filter((p) => p.role === 'leader').map((p) => ({ email: p.email, name: p.name })),
    branches: roster.map((b) => ({
      code: b.code, name: b.name, secretaryName: b.secretary_name, secretaryEmail: b.secretary_email,
      ...(b.deputy_email ? { deputyEmail: b.deputy_email } : {}), ...(b.segment ? { segment: b.segment } : {}),
    })),
    panel: people.filter((p) => p.role === 'evaluator').map((p) => ({ email: p.email, name: p.name, ...(p.conflict_branch_code ? { branchCode: p.conflict_branch_code } : {}) })),
  };
  const pastDeadlines = DEADLINES.filter((k) => Date.parse(rules.deadlines[k]) <= Date.parse(now));
  return {
    cycle: { id: cycle.id, year: cycle.year, title: cycle.title, state: cycle.state, version: cycle.version },
    config,
    launch: {
      notices: roster.length,
      invitations: await cyclePeopleWithoutPassword(deps.db, cycle.id),
      pastDeadlines,
      meetingPast: Date.parse(rules.meeting.at) <= Date.parse(now),
    },
  };
}

/** Replaces a draft's configuration and roster; people new to the system are invited. */
export async function updateDraft(deps: EngineDeps, ref: string | number, input: unknown, actor: Actor, now: string): Promise<{ cycle: CycleRow; newUsers: number }> {
  authorize(actor, 'CREATE_CYCLE');
  await requireDraft(deps.db, ref); // a launched cycle is refused whatever is sent (and asked again below)
  const parsed = cycleConfigSchema.safeParse(input);
  if (!parsed.success) throw fromZod(parsed.error);
  const config = parsed.data;
  return deps.db.transaction(async (trx) => {
    const cycle = await requireDraft(trx, ref);
    const same = await findCycleOfYear(trx, config.year);
    if (same && same.id !== cycle.id) throw invalidInput([{ field: 'year', message: `${config.year} 年度的述评周期已存在` }]);
    const ok = await updateCycle(trx, cycle.id, cycle.version, {
      year: config.year, title: config.title, timezone: config.timezone, config: JSON.stringify(rulesOf(config)), updated_at: now,
    });
    if (!ok) throw new AppError('VERSION_CONFLICT', '草稿已被他人修改，请刷新后重试 (concurrent update of the draft)');
    await clearDraftRoster(trx, cycle.id);
    const newUsers = await enrolPeople(trx, deps.mail, cycle.id, config, now);
    await recordAudit(trx, {
      actor, as: 'office', action: 'DRAFT_UPDATED', cycleId: cycle.id, fromState: 'draft', toState: 'draft', version: cycle.version + 1,
      data: { year: config.year, title: config.title, branches: config.branches.length, panel: config.panel.length, newUsers }, at: now,
    });
    return { cycle: (await findCycle(trx, cycle.id))!, newUsers };
  });
}

/** Deletes a draft: marked deleted (its year free again), its audit records kept in its chain. */
export async function deleteDraft(deps: EngineDeps, ref: string | number, actor: Actor, now: string): Promise<{ deleted: number }> {
  authorize(actor, 'CREATE_CYCLE');
  return deps.db.transaction(async (trx) => {
    const cycle = await requireDraft(trx, ref);
    if (!(await markCycleDeleted(trx, cycle.id, now))) throw new AppError('VERSION_CONFLICT', '草稿已被他人修改，请刷新后重试 (concurrent update of the draft)');
    await recordAudit(trx, { actor, as: 'office', action: 'DRAFT_DELETED', cycleId: cycle.id, fromState: 'draft', toState: 'draft', version: cycle.version, data: { year: cycle.year, title: cycle.title }, at: now });
    return { deleted: cycle.id };
  });
}
