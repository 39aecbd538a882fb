import type { Knex } from 'knex';

// Times are ISO-8601 UTC strings: they sort and compare the same on SQLite and PostgreSQL.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('cycles', (t) => {
    t.increments('id').primary();
    t.integer('year').notNullable().unique();
    t.string('title', 200).notNullable();
    t.string('timezone', 64).notNullable();
    t.text('config').notNullable();
    t.string('state', 40).notNullable();
    t.text('snapshot').notNullable();
    t.integer('version').notNullable();
    t.integer('workflow_version').notNullable();
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
  });
  // The cycle's office, leaders and panel (考评组); conflict_branch_code excludes a panel member from scoring that branch.
  await knex.schema.createTable('cycle_people', (t) => {
    t.integer('cycle_id').notNullable().references('cycles.id').onDelete('CASCADE');
    t.integer('user_id').notNullable().references('users.id');
    t.string('role', 20).notNullable();
    t.string('conflict_branch_code', 40).nullable();
    t.primary(['cycle_id', 'user_id', 'role']);
  });
  await knex.schema.createTable('branch_reviews', (t) => {
    t.increments('id').primary();
    t.integer('cycle_id').notNullable().references('cycles.id').onDelete('CASCADE');
    t.string('code', 40).notNullable();
    t.string('name', 200).notNullable();
    t.integer('secretary_id').notNullable().references('users.id');
    t.integer('deputy_id').nullable().references('users.id');
    t.string('phase', 40).notNullable();
    t.string('state', 80).notNullable();
    t.text('snapshot').notNullable();
    t.integer('version').notNullable();
    t.integer('workflow_version').notNullable();
    t.decimal('final_score', 6, 2).nullable();
    t.string('grade', 20).nullable();
    t.integer('rank').nullable();
    t.string('created_at', 30).notNullable();
    t.string('updated_at', 30).notNullable();
    t.unique(['cycle_id', 'code']);
    t.index(['cycle_id', 'phase']);
    t.index(['secretary_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('branch_reviews');
  await knex.schema.dropTable('cycle_people');
  await knex.schema.dropTable('cycles');
}
