import type { Knex } from 'knex';

// Cycle kinds (issue 11): a cycle is an annual review (the default) or a quarterly assessment of a
// quarter; one live cycle per (year, kind, quarter) — the annual review's quarter is 0 — instead of
// one per year. Each branch review names the workflow it runs (its kind's machine).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('cycles', (t) => {
    t.string('kind', 40).notNullable().defaultTo('annualReview');
    t.integer('quarter').notNullable().defaultTo(0);
  });
  await knex.raw('drop index cycles_live_year');
  await knex.raw('create unique index cycles_live_period on cycles (year, kind, quarter) where deleted_at is null');
  await knex.schema.alterTable('branch_reviews', (t) => {
    t.string('workflow', 40).notNullable().defaultTo('branchReview');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('branch_reviews', (t) => {
    t.dropColumn('workflow');
  });
  await knex.raw('drop index cycles_live_period');
  await knex.raw('create unique index cycles_live_year on cycles (year) where deleted_at is null');
  await knex.schema.alterTable('cycles', (t) => {
    t.dropColumn('quarter');
    t.dropColumn('kind');
  });
}
