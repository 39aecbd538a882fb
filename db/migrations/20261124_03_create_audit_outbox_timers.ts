import type { Knex } from 'knex';

// Written in the same transaction as the snapshot they belong to.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('audit', (t) => {
    t.increments('id').primary();
    t.integer('cycle_id').notNullable().references('cycles.id').onDelete('CASCADE');
    t.integer('branch_review_id').nullable().references('branch_reviews.id').onDelete('CASCADE');
    t.string('actor', 254).notNullable();
    t.string('event_type', 40).notNullable();
    t.text('data').nullable();
    t.string('from_state', 80).nullable();
    t.string('to_state', 80).notNullable();
    t.integer('version').notNullable();
    t.string('at', 30).notNullable();
    t.index(['branch_review_id', 'id']);
  });
  // Transactional outbox: rendered at queue time, so a re-send is byte-for-byte the same mail.
  await knex.schema.createTable('outbox', (t) => {
    t.increments('id').primary();
    t.string('message_id', 200).notNullable().unique();
    t.string('dedupe_key', 200).notNullable().unique();
    t.integer('cycle_id').nullable().references('cycles.id').onDelete('CASCADE');
    t.integer('branch_review_id').nullable().references('branch_reviews.id').onDelete('CASCADE');
    t.string('template', 40).notNullable();
    t.string('to_email', 254).notNullable();
    t.text('subject').notNullable();
    t.text('body_text').notNullable();
    t.text('body_html').notNullable();
    t.text('attachments').nullable();
    t.string('status', 20).notNullable(); // queued | sent | dead
    t.integer('attempts').notNullable().defaultTo(0);
    t.string('next_attempt_at', 30).notNullable();
    t.string('claimed_until', 30).nullable();
    t.text('last_error').nullable();
    t.string('created_at', 30).notNullable();
    t.string('sent_at', 30).nullable();
    t.index(['status', 'next_attempt_at']);
  });
  // Durable deadlines: the scheduler turns due rows into DEADLINE_DUE events.
  await knex.schema.createTable('timers', (t) => {
    t.increments('id').primary();
    t.integer('cycle_id').notNullable().references('cycles.id').onDelete('CASCADE');
    t.integer('branch_review_id').notNullable().references('branch_reviews.id').onDelete('CASCADE');
    t.string('kind', 20).notNullable();
    t.string('step', 10).notNullable();
    t.string('deadline_at', 30).notNullable();
    t.string('due_at', 30).notNullable();
    t.string('status', 20).notNullable(); // pending | fired | skipped | cancelled
    t.string('fired_at', 30).nullable();
    t.index(['status', 'due_at']);
    t.index(['branch_review_id', 'kind']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('timers');
  await knex.schema.dropTable('outbox');
  await knex.schema.dropTable('audit');
}
