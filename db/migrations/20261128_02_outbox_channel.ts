import type { Knex } from 'knex';

// Group-chat notices go through the same outbox as mail: a row's channel says how it is delivered
// (mail by SMTP or .eml; webhook: POSTed to a 企业微信 / 钉钉 group robot).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('outbox', (t) => {
    t.string('channel', 20).notNullable().defaultTo('mail');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('outbox', (t) => {
    t.dropColumn('channel');
  });
}
