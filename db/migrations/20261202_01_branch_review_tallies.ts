import type { Knex } from 'knex';

// The dashboard's counts without reading every branch (issue 8): a summary of each cycle's branch
// reviews that the database keeps itself, by triggers, whatever code writes branch_reviews (one
// event, a launch's batches, publication, a set-based update).
//
// branch_review_tallies: one row per cycle and combination of what the dashboard counts by — phase,
// the binding deadline (kind and instant: "overdue" is deadline_at < now, summed at read time over
// these few rows), segment, grade and the score histogram's band — with how many branches have it
// and the sum of their scores in hundredths (exact on both databases). Keys are NOT NULL so that
// ON CONFLICT finds them: '' stands for none (no segment, grade or deadline), band -1 for no score.
// A branch's change moves it from one row to another: two rows touched per write, not one per figure.
//
// branch_review_versions: a counter per cycle, bumped by every insert, update and delete of its
// branch reviews: the dashboard's ETag, instead of reading every row per poll.
//
// SQLite has one writer at a time: plain AFTER triggers. PostgreSQL: one DEFERRABLE INITIALLY
// DEFERRED constraint trigger, so the summary's rows are locked only at COMMIT, after every branch
// row and audit-chain head the transaction locks, and always the cycle's counter first: a writer that
// holds a cycle's counter needs nothing else but that cycle's tallies, so none can deadlock on them.
// (Inside a writing transaction PostgreSQL's summary therefore shows the counts as of its start.)

const KEY = ['cycle_id', 'phase', 'deadline_kind', 'deadline_at', 'segment', 'grade', 'band'];

/** The histogram's bands, as the dashboard drew them: < 60, 60–69, 70–79, 80–89, ≥ 90; -1 without a score. */
const band = (r: string) =>
  `case when ${r}.final_score is null then -1 when ${r}.final_score < 60 then 0 when ${r}.final_score < 70 then 1 when ${r}.final_score < 80 then 2 when ${r}.final_score < 90 then 3 else 4 end`;

/** A row's tally key, in KEY's order. */
const cell = (r: string) =>
  `${r}.cycle_id, ${r}.phase, coalesce(${r}.deadline_kind, ''), coalesce(${r}.deadline_at, ''), coalesce(${r}.segment, ''), coalesce(${r}.grade, ''), ${band(r)}`;

/** The score in hundredths (final_score is decimal(6, 2); SQLite holds it as a real). */
const cents = (r: string, pg: boolean) => (pg ? `coalesce(round(${r}.final_score * 100)::bigint, 0)` : `coalesce(cast(round(${r}.final_score * 100) as integer), 0)`);

/** `col = value and …` for the tally row of `r`. */
const isCellOf = (r: string) => {
  const values = [`${r}.cycle_id`, `${r}.phase`, `coalesce(${r}.deadline_kind, '')`, `coalesce(${r}.deadline_at, '')`, `coalesce(${r}.segment, '')`, `coalesce(${r}.grade, '')`, band(r)];
  return KEY.map((k, i) => `${k} = ${values[i]}`).join(' and ');
};

const sqliteTriggers = [
  `create trigger branch_reviews_tally_insert after insert on branch_reviews begin
     insert into branch_review_tallies (${KEY.join(', ')}, branches, score_cents) values (${cell('new')}, 1, ${cents('new', false)})
       on conflict (${KEY.join(', ')}) do update set branches = branches + 1, score_cents = score_cents + excluded.score_cents;
     insert into branch_review_versions (cycle_id, version) values (new.cycle_id, 1)
       on conflict (cycle_id) do update set version = version + 1;
   end`,
  // Only when the row moves to another tally (or its score changes): most events change the snapshot alone.
  `create trigger branch_reviews_tally_update after update on branch_reviews
   when (${cell('old')}, ${cents('old', false)}) is not (${cell('new')}, ${cents('new', false)}) begin
     update branch_review_tallies set branches = branches - 1, score_cents = score_cents - ${cents('old', false)} where ${isCellOf('old')};
     insert into branch_review_tallies (${KEY.join(', ')}, branches, score_cents) values (${cell('new')}, 1, ${cents('new', false)})
       on conflict (${KEY.join(', ')}) do update set branches = branches + 1, score_cents = score_cents + excluded.score_cents;
   end`,
  `create trigger branch_reviews_version_update after update on branch_reviews begin
     insert into branch_review_versions (cycle_id, version) values (new.cycle_id, 1)
       on conflict (cycle_id) do update set version = version + 1;
     update branch_review_versions set version = version + 1 where cycle_id = old.cycle_id and old.cycle_id <> new.cycle_id;
   end`,
  `create trigger branch_reviews_tally_delete after delete on branch_reviews begin
     update branch_review_tallies set branches = branches - 1, score_cents = score_cents - ${cents('old', false)} where ${isCellOf('old')};
     update branch_review_versions set version = version + 1 where cycle_id = old.cycle_id;
   end`,
];

const pgFunction = `create function branch_review_tally() returns trigger language plpgsql as $$
begin
  -- The cycle's counter first (see db/migrations/20261202_01_branch_review_tallies.ts): the lock order.
  if tg_op = 'DELETE' then
    update branch_review_versions set version = version + 1 where cycle_id = old.cycle_id;
  else
    insert into branch_review_versions as v (cycle_id, version) values (new.cycle_id, 1)
      on conflict (cycle_id) do update set version = v.version + 1;
    if tg_op = 'UPDATE' and old.cycle_id <> new.cycle_id then
      update branch_review_versions set version = version + 1 where cycle_id = old.cycle_id;
    end if;
  end if;
  if tg_op = 'UPDATE' and (${cell('old')}, ${cents('old', true)}) is not distinct from (${cell('new')}, ${cents('new', true)}) then
    return null;
  end if;
  if tg_op <> 'INSERT' then
    update branch_review_tallies set branches = branches - 1, score_cents = score_cents - ${cents('old', true)} where ${isCellOf('old')};
  end if;
  if tg_op <> 'DELETE' then
    insert into branch_review_tallies as t (${KEY.join(', ')}, branches, score_cents) values (${cell('new')}, 1, ${cents('new', true)})
      on conflict (${KEY.join(', ')}) do update set branches = t.branches + 1, score_cents = t.score_cents + excluded.score_cents;
  end if;
  return null;
end
$$`;

export async function up(knex: Knex): Promise<void> {
  const pg = knex.client.config.client === 'pg';
  // The page's other reads, by index: the most overdue (deadline, then code), a segment's lowest and
  // highest score (then code), the roster's order of segments. Before the triggers are made.
  await knex.schema.alterTable('branch_reviews', (t) => {
    t.dropIndex(['cycle_id', 'deadline_at']);
    t.index(['cycle_id', 'deadline_at', 'code']);
    t.dropIndex(['cycle_id', 'segment']);
    t.index(['cycle_id', 'segment', 'final_score', 'code']);
  });
  await knex.schema.alterTable('cycle_branches', (t) => {
    t.index(['cycle_id', 'segment', 'position']);
  });
  await knex.schema.createTable('branch_review_tallies', (t) => {
    t.integer('cycle_id').notNullable().references('cycles.id').onDelete('CASCADE');
    t.string('phase', 40).notNullable();
    t.string('deadline_kind', 20).notNullable();
    t.string('deadline_at', 30).notNullable();
    t.string('segment', 100).notNullable();
    t.string('grade', 20).notNullable();
    t.integer('band').notNullable();
    t.integer('branches').notNullable();
    t.bigInteger('score_cents').notNullable();
    t.primary(KEY);
  });
  await knex.schema.createTable('branch_review_versions', (t) => {
    t.integer('cycle_id').primary().references('cycles.id').onDelete('CASCADE');
    t.bigInteger('version').notNullable();
  });
  // The cycles launched before this migration.
  await knex.raw(
    `insert into branch_review_tallies (${KEY.join(', ')}, branches, score_cents)
     select ${cell('b')}, count(*), sum(${cents('b', pg)}) from branch_reviews b group by 1, 2, 3, 4, 5, 6, 7`,
  );
  await knex.raw('insert into branch_review_versions (cycle_id, version) select cycle_id, sum(version) from branch_reviews group by cycle_id');
  if (pg) {
    await knex.raw(pgFunction);
    await knex.raw(
      'create constraint trigger branch_reviews_tally after insert or update or delete on branch_reviews deferrable initially deferred for each row execute function branch_review_tally()',
    );
  } else {
    for (const sql of sqliteTriggers) await knex.raw(sql);
  }
}

export async function down(knex: Knex): Promise<void> {
  const pg = knex.client.config.client === 'pg';
  await knex.schema.alterTable('cycle_branches', (t) => {
    t.dropIndex(['cycle_id', 'segment', 'position']);
  });
  await knex.schema.alterTable('branch_reviews', (t) => {
    t.dropIndex(['cycle_id', 'segment', 'final_score', 'code']);
    t.index(['cycle_id', 'segment']);
    t.dropIndex(['cycle_id', 'deadline_at', 'code']);
    t.index(['cycle_id', 'deadline_at']);
  });
  if (pg) {
    await knex.raw('drop trigger branch_reviews_tally on branch_reviews');
    await knex.raw('drop function branch_review_tally()');
  } else {
    for (const name of ['branch_reviews_tally_insert', 'branch_reviews_tally_update', 'branch_reviews_version_update', 'branch_reviews_tally_delete']) await knex.raw(`drop trigger ${name}`);
  }
  await knex.schema.dropTable('branch_review_versions');
  await knex.schema.dropTable('branch_review_tallies');
}
