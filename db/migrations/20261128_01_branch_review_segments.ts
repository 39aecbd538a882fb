import type { Knex } from 'knex';

// 板块: each branch review keeps the segment of its roster row, so the dashboard compares segments
// (branches, mean, spread, lowest branch, grades) with one GROUP BY, and the bulletin groups by it.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('branch_reviews', (t) => {
    t.string('segment', 100).nullable();
    t.index(['cycle_id', 'segment']);
  });
  // Reviews launched before this migration take the segment of their roster row.
  await knex.raw(
    'update branch_reviews set segment = (select cb.segment from cycle_branches cb where cb.cycle_id = branch_reviews.cycle_id and cb.code = branch_reviews.code)',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('branch_reviews', (t) => {
    t.dropIndex(['cycle_id', 'segment']);
    t.dropColumn('segment');
  });
}
