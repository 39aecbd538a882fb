import type { Knex } from 'knex';

// Problems followed to closure (issue 10): each branch review's problem list, and every use of an
// evidence file on a plan item (by SHA-256, so the same evidence used twice is found in SQL).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('branch_problems', (t) => {
    t.increments('id').primary();
    t.integer('cycle_id').notNullable().references('cycles.id').onDelete('CASCADE');
    t.integer('branch_review_id').notNullable().references('branch_reviews.id').onDelete('CASCADE');
    t.string('code', 40).notNullable(); // the branch's code: a repeat is the same code and category in an earlier cycle
    t.string('category', 100).notNullable();
    t.text('text').notNullable();
    t.string('source', 20).notNullable(); // qa | comment | manual | plan
    t.string('source_ref', 40).nullable();
    t.integer('created_by').nullable();
    t.string('created_at', 30).notNullable();
    t.string('removed_at', 30).nullable();
    t.index(['branch_review_id']);
    t.index(['code', 'category']);
    t.index(['cycle_id']);
  });
  await knex.schema.createTable('evidence_uses', (t) => {
    t.increments('id').primary();
    t.integer('cycle_id').notNullable().references('cycles.id').onDelete('CASCADE');
    t.integer('branch_review_id').notNullable().references('branch_reviews.id').onDelete('CASCADE');
    t.string('item_id', 40).notNullable();
    t.string('file_id', 40).notNullable();
    t.string('sha256', 64).notNullable();
    t.string('at', 30).notNullable();
    t.index(['sha256']);
    t.index(['cycle_id']);
    t.index(['branch_review_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('evidence_uses');
  await knex.schema.dropTable('branch_problems');
}
