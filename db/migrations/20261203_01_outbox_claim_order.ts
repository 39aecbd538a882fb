import type { Knex } from 'knex';

// The dispatcher claims queued mails oldest first, a batch at a time, each claim starting after the
// last mail it took (issue 8). By (status, id) the claim walks the queue in order and stops at its
// batch; by (status, next_attempt_at) alone it read every due mail and sorted them, on every claim.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('outbox', (t) => {
    t.index(['status', 'id'], 'outbox_status_id_index');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('outbox', (t) => {
    t.dropIndex(['status', 'id'], 'outbox_status_id_index');
  });
}
