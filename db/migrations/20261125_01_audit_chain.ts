import type { Knex } from 'knex';

// Every change is audited, not only branch events: records without a cycle (accounts, roles) and
// without a state change (files, drafts) are allowed. Each record is hash-chained to the one before
// it in its chain (one chain per cycle, one for the rest), and the chain's head is kept in its own
// row, locked by every writer, so a changed, deleted or inserted record breaks verification.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('audit', (t) => {
    t.integer('cycle_id').nullable().alter();
    t.string('to_state', 80).nullable().alter();
    t.integer('version').nullable().alter();
    t.string('event_type', 40).notNullable().alter();
    t.string('chain', 40).nullable();
    t.integer('seq').nullable();
    t.string('actor_name', 200).nullable();
    t.string('actor_role', 20).nullable();
    t.string('subject', 120).nullable();
    t.string('prev_hash', 64).nullable();
    t.string('hash', 64).nullable();
  });
  await knex.raw('create index if not exists audit_branch_review_id_id_index on audit (branch_review_id, id)');
  await knex.raw('create index if not exists audit_chain_seq_index on audit (chain, seq)');
  await knex.schema.createTable('audit_chains', (t) => {
    t.string('chain', 40).primary();
    t.integer('seq').notNullable();
    t.string('last_hash', 64).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('audit_chains');
  await knex.raw('drop index if exists audit_chain_seq_index');
  await knex.schema.alterTable('audit', (t) => {
    for (const c of ['chain', 'seq', 'actor_name', 'actor_role', 'subject', 'prev_hash', 'hash']) t.dropColumn(c);
  });
}
