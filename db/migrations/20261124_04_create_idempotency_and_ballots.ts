import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // A retried request with the same key gets the first answer back.
  await knex.schema.createTable('idempotency_keys', (t) => {
    t.string('key', 200).notNullable();
    t.string('actor', 254).notNullable();
    t.string('request_hash', 64).notNullable();
    t.text('response').notNullable();
    t.string('created_at', 30).notNullable();
    t.primary(['key', 'actor']);
  });
  // 民主测评: anonymous one-time ballots; the token is the only link to a branch.
  await knex.schema.createTable('ballots', (t) => {
    t.string('token', 64).primary();
    t.integer('cycle_id').notNullable().references('cycles.id').onDelete('CASCADE');
    t.integer('branch_review_id').notNullable().references('branch_reviews.id').onDelete('CASCADE');
    t.string('choice', 10).nullable();
    t.string('issued_at', 30).notNullable();
    t.string('cast_at', 30).nullable();
    t.index(['branch_review_id', 'choice']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('ballots');
  await knex.schema.dropTable('idempotency_keys');
}
