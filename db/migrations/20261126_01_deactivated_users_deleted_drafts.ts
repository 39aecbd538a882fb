import type { Knex } from 'knex';

// People are deactivated, never deleted (their audit records name them); a draft cycle the office
// deletes is marked deleted, never removed (its audit records hang on the cycle row by ON DELETE CASCADE).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.string('deactivated_at', 30).nullable();
  });
  await knex.schema.alterTable('cycles', (t) => {
    t.string('deleted_at', 30).nullable();
  });
  // One live cycle per year: a deleted draft's year may be used again.
  await knex.schema.alterTable('cycles', (t) => {
    t.dropUnique(['year']);
  });
  await knex.raw('create unique index cycles_live_year on cycles (year) where deleted_at is null');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index cycles_live_year');
  await knex.schema.alterTable('cycles', (t) => {
    t.unique(['year']);
  });
  await knex.schema.alterTable('cycles', (t) => {
    t.dropColumn('deleted_at');
  });
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('deactivated_at');
  });
}
