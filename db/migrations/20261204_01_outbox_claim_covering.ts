import type { Knex } from 'knex';

// A pass's first claim walks the queued mails by (status, id) from the start of the queue, past every
// mail that is queued but not yet due (backing off after a failure, or put off): with only (status, id)
// in the index each of those is a lookup of its whole row, mail bodies and all, about 20 ms at 20,000
// queued (issue 8). With the claim's other columns in the index the walk reads the index alone.
// It begins with (status, id), so it serves whatever used the old index, which goes.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('outbox', (t) => {
    t.index(['status', 'id', 'next_attempt_at', 'claimed_until'], 'outbox_claim_index');
  });
  await knex.schema.alterTable('outbox', (t) => {
    t.dropIndex(['status', 'id'], 'outbox_status_id_index');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('outbox', (t) => {
    t.index(['status', 'id'], 'outbox_status_id_index');
  });
  await knex.schema.alterTable('outbox', (t) => {
    t.dropIndex(['status', 'id', 'next_attempt_at', 'claimed_until'], 'outbox_claim_index');
  });
}
