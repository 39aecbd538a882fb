import type { Knex } from 'knex';

// The meeting day (issue 10): one meeting record per cycle (agenda order, current branch, segment,
// the timer's instants, the chair's closing remarks), the hall display links (tokens stored hashed,
// revocable) and the panel's scoring links (one live link per evaluator and cycle, stored hashed).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('meetings', (t) => {
    t.integer('cycle_id').primary().references('cycles.id').onDelete('CASCADE');
    t.text('data').notNullable();
    t.integer('version').notNullable();
    t.string('updated_at', 30).notNullable();
  });
  await knex.schema.createTable('meeting_displays', (t) => {
    t.increments('id').primary();
    t.integer('cycle_id').notNullable().references('cycles.id').onDelete('CASCADE');
    t.string('token_hash', 64).notNullable().unique();
    t.integer('created_by').nullable();
    t.string('created_at', 30).notNullable();
    t.string('revoked_at', 30).nullable();
    t.index(['cycle_id']);
  });
  await knex.schema.createTable('panel_links', (t) => {
    t.increments('id').primary();
    t.integer('cycle_id').notNullable().references('cycles.id').onDelete('CASCADE');
    t.integer('user_id').notNullable().references('users.id');
    t.string('token_hash', 64).notNullable().unique();
    t.integer('created_by').nullable();
    t.string('created_at', 30).notNullable();
    t.string('expires_at', 30).notNullable();
    t.string('revoked_at', 30).nullable();
    t.index(['cycle_id', 'user_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('panel_links');
  await knex.schema.dropTable('meeting_displays');
  await knex.schema.dropTable('meetings');
}
