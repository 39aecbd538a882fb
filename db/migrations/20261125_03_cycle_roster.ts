import type { Knex } from 'knex';

// Cost independent of the cycle's size: the roster (branches) moves out of the cycle's config into
// its own rows, so an event reads the cycle's rules without parsing every branch; and each branch
// review keeps the deadline that binds it now, so the dashboard counts overdue branches in SQL.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('cycle_branches', (t) => {
    t.increments('id').primary();
    t.integer('cycle_id').notNullable().references('cycles.id').onDelete('CASCADE');
    t.integer('position').notNullable();
    t.string('code', 40).notNullable();
    t.string('name', 200).notNullable();
    t.string('secretary_email', 254).notNullable();
    t.string('secretary_name', 100).notNullable();
    t.string('deputy_email', 254).nullable();
    t.string('segment', 100).nullable();
    t.unique(['cycle_id', 'code']);
    t.index(['cycle_id', 'position']);
  });
  await knex.schema.alterTable('branch_reviews', (t) => {
    t.string('deadline_kind', 20).nullable();
    t.string('deadline_at', 30).nullable();
    t.index(['cycle_id', 'deadline_at']);
    t.index(['cycle_id', 'final_score']);
    t.index(['cycle_id', 'name']);
  });
  const PHASE_DEADLINE: Record<string, string> = { notified: 'materials', preparing: 'materials', scoring: 'scoring', improvementPlanning: 'plan', followUp: 'followUp' };
  for (const cycle of await knex('cycles').select('id', 'config')) {
    const config = JSON.parse(cycle.config) as { branches?: { code: string; name: string; secretaryEmail: string; secretaryName: string; deputyEmail?: string; segment?: string }[]; panel?: unknown };
    const branches = config.branches ?? [];
    for (let i = 0; i < branches.length; i += 200) {
      await knex('cycle_branches').insert(
        branches.slice(i, i + 200).map((b, n) => ({
          cycle_id: cycle.id, position: i + n, code: b.code, name: b.name, secretary_email: b.secretaryEmail.toLowerCase(),
          secretary_name: b.secretaryName, deputy_email: b.deputyEmail?.toLowerCase() ?? null, segment: b.segment ?? null,
        })),
      );
    }
    const { branches: _b, panel: _p, ...rules } = config;
    await knex('cycles').where({ id: cycle.id }).update({ config: JSON.stringify({ ...rules, branchCount: branches.length }) });
  }
  for (const b of await knex('branch_reviews').select('id', 'phase', 'snapshot')) {
    const kind = PHASE_DEADLINE[b.phase];
    if (!kind) continue;
    const at = (JSON.parse(b.snapshot) as { context: { deadlines: Record<string, string> } }).context.deadlines[kind];
    await knex('branch_reviews').where({ id: b.id }).update({ deadline_kind: kind, deadline_at: new Date(at).toISOString() });
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('branch_reviews', (t) => {
    t.dropIndex(['cycle_id', 'deadline_at']);
    t.dropIndex(['cycle_id', 'final_score']);
    t.dropIndex(['cycle_id', 'name']);
    t.dropColumn('deadline_kind');
    t.dropColumn('deadline_at');
  });
  await knex.schema.dropTable('cycle_branches');
}
