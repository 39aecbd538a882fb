import type { Knex } from 'knex';

// People: one row per email; global roles (党委办公室, 党委领导) in user_roles.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('users', (t) => {
    t.increments('id').primary();
    t.string('email', 254).notNullable().unique();
    t.string('name', 100).notNullable();
    t.string('password_hash', 255).nullable();
    t.string('locale', 10).notNullable().defaultTo('zh-CN');
    t.string('created_at', 30).notNullable();
  });
  await knex.schema.createTable('user_roles', (t) => {
    t.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.string('role', 20).notNullable();
    t.primary(['user_id', 'role']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('user_roles');
  await knex.schema.dropTable('users');
}
