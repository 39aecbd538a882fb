import type { Knex } from 'knex';

// Sign-in and reset hygiene. A reset request is only written down on the request path (known
// address or not, the same work) and turned into a mail by the scheduler under an hourly limit;
// a newer link revokes the older unused ones; failed sign-ins are counted per address and client.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('password_reset_requests', (t) => {
    t.increments('id').primary();
    t.string('email', 254).notNullable();
    t.string('requested_at', 30).notNullable();
    t.string('processed_at', 30).nullable();
    t.string('outcome', 20).nullable(); // queued | limited | unknown
    t.index(['processed_at', 'id']);
    t.index(['email', 'requested_at']);
  });
  await knex.schema.alterTable('password_tokens', (t) => {
    t.string('revoked_at', 30).nullable();
    t.index(['user_id', 'purpose']);
  });
  await knex.schema.alterTable('login_failures', (t) => {
    t.index(['email', 'ip', 'at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('login_failures', (t) => {
    t.dropIndex(['email', 'ip', 'at']);
  });
  await knex.schema.alterTable('password_tokens', (t) => {
    t.dropIndex(['user_id', 'purpose']);
    t.dropColumn('revoked_at');
  });
  await knex.schema.dropTable('password_reset_requests');
}
