import type { Knex } from 'knex';

// Sign-in, one-time password links, uploads and evaluators' score drafts.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sessions', (t) => {
    t.string('id_hash', 64).primary(); // sha256 of the cookie value: a leaked table is no session
    t.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.string('csrf_token', 64).notNullable();
    t.string('created_at', 30).notNullable();
    t.string('expires_at', 30).notNullable();
    t.index(['user_id']);
  });
  await knex.schema.createTable('password_tokens', (t) => {
    t.string('token_hash', 64).primary();
    t.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.string('purpose', 20).notNullable(); // invitation | reset
    t.string('created_at', 30).notNullable();
    t.string('expires_at', 30).notNullable();
    t.string('used_at', 30).nullable();
  });
  await knex.schema.createTable('login_failures', (t) => {
    t.increments('id').primary();
    t.string('email', 254).notNullable();
    t.string('ip', 64).notNullable();
    t.string('at', 30).notNullable();
    t.index(['email', 'at']);
    t.index(['ip', 'at']);
  });
  await knex.schema.createTable('files', (t) => {
    t.string('id', 40).primary(); // random; the stored name on disk, never the user's
    t.integer('user_id').notNullable().references('users.id');
    t.integer('branch_review_id').notNullable().references('branch_reviews.id').onDelete('CASCADE');
    t.string('original_name', 255).notNullable();
    t.string('mime', 100).notNullable();
    t.integer('size').notNullable();
    t.string('sha256', 64).notNullable();
    t.string('created_at', 30).notNullable();
    t.index(['branch_review_id']);
  });
  await knex.schema.createTable('score_drafts', (t) => {
    t.integer('branch_review_id').notNullable().references('branch_reviews.id').onDelete('CASCADE');
    t.integer('user_id').notNullable().references('users.id');
    t.text('data').notNullable();
    t.string('updated_at', 30).notNullable();
    t.primary(['branch_review_id', 'user_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const t of ['score_drafts', 'files', 'login_failures', 'password_tokens', 'sessions']) await knex.schema.dropTable(t);
}
