import type { Knex } from 'knex';

// The dispatcher's claims walk the queued mails in the order they fell due (issue 8). By (status, id)
// a pass's first claim passed over every queued mail not yet due (backing off after a failure) and
// read each one's row: 21 ms at 20,000 waiting, and more the more wait. By (status, next_attempt_at,
// id) the mails not yet due lie beyond the walk's end and are never read; claimed_until is in the index
// too, so a lease still running is skipped without reading the row. The old (status, next_attempt_at)
// index is this one's prefix and goes; (status, id) stays for the office's mail page (newest first).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('outbox', (t) => {
    t.index(['status', 'next_attempt_at', 'id', 'claimed_until'], 'outbox_claim_index');
  });
  await knex.schema.alterTable('outbox', (t) => {
    t.dropIndex(['status', 'next_attempt_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('outbox', (t) => {
    t.index(['status', 'next_attempt_at']);
  });
  await knex.schema.alterTable('outbox', (t) => {
    t.dropIndex(['status', 'next_attempt_at', 'id', 'claimed_until'], 'outbox_claim_index');
  });
}
