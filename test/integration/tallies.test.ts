// The cycle's tallies (the dashboard's counts, kept by triggers: db/migrations/20261202_01) stay
// equal to a count over the branch rows after every kind of write — a launch's batches, events, an
// extension, an exemption, publication, and writes the engine does not make (a set-based update of
// many rows, a row inserted and deleted, a rolled-back transaction, concurrent writers) — and the
// dashboard's numbers are those the rows give. The check itself fails on a tally that is off by one.
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorByEmail } from '../../src/engine/actors';
import { boardAggregates } from '../../src/store/branchReviews';
import { driver, OFFICE, sheet } from '../support/cycle';
import { dialects, makeTestEnv, type TestEnv } from '../support/db';
import { PANEL } from '../support/publish';

type Row = Record<string, unknown>;

const band = (score: number | null) => (score === null ? -1 : score < 60 ? 0 : score < 70 ? 1 : score < 80 ? 2 : score < 90 ? 3 : 4);
const keyOf = (r: Row) => JSON.stringify([Number(r.cycle_id), r.phase, r.deadline_kind ?? '', r.deadline_at ?? '', r.segment ?? '', r.grade ?? '', Number(r.band)]);

/** The tallies as they should be, counted here over every branch row; and as the triggers kept them. */
async function tallyDifferences(db: Knex): Promise<string[]> {
  const expected = new Map<string, { branches: number; cents: number }>();
  for (const r of (await db('branch_reviews').select('cycle_id', 'phase', 'deadline_kind', 'deadline_at', 'segment', 'grade', 'final_score')) as Row[]) {
    const score = r.final_score === null ? null : Number(r.final_score);
    const k = keyOf({ ...r, band: band(score) });
    const e = expected.get(k) ?? { branches: 0, cents: 0 };
    e.branches += 1;
    e.cents += score === null ? 0 : Math.round(score * 100);
    expected.set(k, e);
  }
  const kept = new Map<string, { branches: number; cents: number }>();
  for (const r of (await db('branch_review_tallies').whereNot('branches', 0)) as Row[]) kept.set(keyOf(r), { branches: Number(r.branches), cents: Number(r.score_cents) });
  const out: string[] = [];
  for (const k of new Set([...expected.keys(), ...kept.keys()])) {
    const [e, t] = [expected.get(k), kept.get(k)];
    if (e?.branches !== t?.branches || e?.cents !== t?.cents) out.push(`${k}: rows ${JSON.stringify(e ?? null)}, tallies ${JSON.stringify(t ?? null)}`);
  }
  return out;
}

const version = async (db: Knex, cycleId: number) => Number((await db('branch_review_versions').where({ cycle_id: cycleId }).first('version'))?.version ?? 0);

/** The dashboard's counts as the rows give them (the queries the tallies replaced). */
async function countedOverRows(db: Knex, cycleId: number, now: string) {
  const where = { cycle_id: cycleId };
  const phases = (await db('branch_reviews').where(where).groupBy('phase').select('phase').count({ n: '*' })) as Row[];
  const grades = (await db('branch_reviews').where(where).whereNotNull('grade').groupBy('grade').select('grade').count({ n: '*' })) as Row[];
  const [h] = (await db('branch_reviews')
    .where(where)
    .select(
      db.raw('sum(case when final_score < 60 then 1 else 0 end) as b0'),
      db.raw('sum(case when final_score >= 60 and final_score < 70 then 1 else 0 end) as b1'),
      db.raw('sum(case when final_score >= 70 and final_score < 80 then 1 else 0 end) as b2'),
      db.raw('sum(case when final_score >= 80 and final_score < 90 then 1 else 0 end) as b3'),
      db.raw('sum(case when final_score >= 90 then 1 else 0 end) as b4'),
      db.raw('sum(case when deadline_at < ? then 1 else 0 end) as overdue', [now]),
      db.raw('count(final_score) as scored'),
      db.raw('sum(final_score) as total_score'),
      db.raw('count(*) as total'),
    )) as Row[];
  return {
    counts: Object.fromEntries(phases.map((r) => [r.phase, Number(r.n)])),
    grades: Object.fromEntries(grades.map((r) => [r.grade, Number(r.n)])),
    distribution: ['b0', 'b1', 'b2', 'b3', 'b4'].map((k) => Number(h[k] ?? 0)),
    overdue: Number(h.overdue ?? 0),
    total: Number(h.total),
    scored: Number(h.scored),
    scoreSum: h.total_score === null ? null : Math.round(Number(h.total_score) * 100) / 100,
  };
}

describe.each(dialects)('the cycle tallies on %s', (dialect) => {
  let env: TestEnv;
  let db: Knex;
  let cycleId: number;
  const NOWS = ['2020-11-20T02:00:00Z', '2020-12-04T09:59:59Z', '2020-12-05T02:00:00Z', '2020-12-20T02:00:00Z', '2021-07-01T00:00:00Z'];

  const consistent = async () => {
    expect(await tallyDifferences(db)).toEqual([]);
    for (const now of NOWS) expect(await boardAggregates(db, cycleId, now)).toEqual(await countedOverRows(db, cycleId, now));
  };

  beforeAll(async () => {
    env = await makeTestEnv(dialect);
    db = env.services.db;
    await driver(env.services).create();
    cycleId = Number((await db('cycles').where({ year: 2020 }).first('id')).id);
  }, 120_000);
  afterAll(async () => env?.cleanup());

  it('count a launch, events, an extension and an exemption as the rows do', async () => {
    const d = driver(env.services);
    expect(await version(db, cycleId)).toBe(0);
    await d.launch('2020-11-20T02:00:00Z');
    await consistent();
    const launched = await version(db, cycleId);
    expect(launched).toBeGreaterThan(0);
    await d.secretary('B01', 'ACKNOWLEDGE', undefined, '2020-11-21T02:00:00Z');
    await d.secretary('B02', 'ACKNOWLEDGE', undefined, '2020-11-21T02:00:00Z');
    await d.office('B02', 'EXTEND_DEADLINE', { deadline: 'materials', until: '2020-12-10T18:00:00+08:00' }, '2020-11-25T02:00:00Z');
    await d.office('B06', 'EXEMPT', { reason: '撤并' }, '2020-11-25T02:00:00Z');
    // Many events in one transaction (each in a savepoint), one of them refused and rolled back alone.
    const office = await actorByEmail(db, OFFICE);
    await env.services.engine.sendBranchEvents(
      [
        { cycle: 2020, branch: 'B03', type: 'ACKNOWLEDGE', actor: await actorByEmail(db, 'b03@example.org') },
        { cycle: 2020, branch: 'B03', type: 'EXEMPT', data: { reason: '撤并' }, actor: await actorByEmail(db, 'b03@example.org') },
        { cycle: 2020, branch: 'B04', type: 'EXTEND_DEADLINE', data: { deadline: 'materials', until: '2020-12-11T18:00:00+08:00' }, actor: office },
      ],
      '2020-11-26T02:00:00Z',
    );
    expect(await version(db, cycleId)).toBeGreaterThan(launched);
    await consistent();
    const agg = await boardAggregates(db, cycleId, '2020-12-05T02:00:00Z');
    expect(agg.counts).toMatchObject({ exempted: 1, preparing: 3 });
    // B02 and B04 were given more time: on 5 December they are not overdue, the other four open ones are.
    expect(agg.overdue).toBe(3);
  });

  it('count publication: scores, grades and the histogram', async () => {
    // As test/support/publish.ts, from where each branch stands (B01–B03 acknowledged, B06 exempted).
    const d = driver(env.services);
    const totals: Record<string, number> = { B01: 92, B02: 86.5, B03: 78.5, B04: 70.5, B05: 95 };
    for (const [code, total] of Object.entries(totals)) {
      if (!['B01', 'B02', 'B03'].includes(code)) await d.secretary(code, 'ACKNOWLEDGE', undefined, '2020-11-22T02:00:00Z');
      await d.secretary(code, 'SUBMIT_MATERIALS', { summary: `${code} 述职报告` }, '2020-11-22T02:00:00Z');
      await d.office(code, 'ACCEPT_MATERIALS', undefined, '2020-11-23T02:00:00Z');
      await d.office(code, 'START_PRESENTATION', undefined, '2020-12-12T02:00:00Z');
      await d.office(code, 'END_PRESENTATION', undefined, '2020-12-12T02:00:00Z');
      for (const e of PANEL) if (e !== `${code.toLowerCase()}@example.org`) await d.send(e, code, 'SUBMIT_SCORE', { scores: sheet(total) }, '2020-12-12T03:00:00Z');
    }
    await env.services.engine.publishResults(2020, await actorByEmail(db, OFFICE), '2020-12-20T02:00:00Z');
    await consistent();
    const agg = await boardAggregates(db, cycleId, '2021-07-01T00:00:00Z');
    expect(agg.scored).toBe(5);
    expect(agg.scoreSum).toBe(422.5);
    expect(agg.distribution).toEqual([0, 0, 2, 1, 2]);
  });

  it('count writes the engine does not make: a set-based update, an insert and a delete, a rollback', async () => {
    const before = await version(db, cycleId);
    // One statement over every row of the cycle, twice in one transaction, moving rows between tallies.
    await db.transaction(async (trx) => {
      await trx('branch_reviews').where({ cycle_id: cycleId }).update({ grade: db.raw("case when grade is null then null else 'X' end"), deadline_at: '2020-12-31T00:00:00.000Z' });
      await trx('branch_reviews').where({ cycle_id: cycleId }).whereIn('code', ['B01', 'B02']).update({ final_score: db.raw('final_score + 1'), segment: null });
    });
    await consistent();
    expect(await version(db, cycleId)).toBeGreaterThan(before);
    const [row] = (await db('branch_reviews').where({ cycle_id: cycleId, code: 'B01' }).select('*')) as Row[];
    const { id: _id, ...copy } = row;
    await db.transaction(async (trx) => {
      await trx('branch_reviews').insert({ ...copy, code: 'B99', final_score: 61.25, grade: '一般' });
    });
    await consistent();
    await db('branch_reviews').where({ cycle_id: cycleId, code: 'B99' }).del();
    await consistent();
    const kept = await version(db, cycleId);
    await expect(
      db.transaction(async (trx) => {
        await trx('branch_reviews').where({ cycle_id: cycleId }).update({ phase: 'scoring' });
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    await consistent();
    expect(await version(db, cycleId)).toBe(kept);
  });

  it('count concurrent writers of one cycle without losing any', async () => {
    const rows = (await db('branch_reviews').where({ cycle_id: cycleId }).orderBy('code').select('id', 'version')) as { id: number; version: number }[];
    const bump = (id: number, n: number) =>
      db.transaction(async (trx) => {
        for (let i = 0; i < n; i++) {
          const r = (await trx('branch_reviews').where({ id }).first('phase', 'version')) as { phase: string; version: number };
          await trx('branch_reviews').where({ id }).update({ phase: r.phase === 'closed' ? 'followUp' : 'closed', version: r.version + 1 });
        }
      });
    // Writers of every row at once, and one statement over all of them among them.
    await Promise.all([...rows.map((r, i) => bump(r.id, 1 + (i % 3))), db('branch_reviews').where({ cycle_id: cycleId }).update({ rank: db.raw('"rank"') })]);
    await consistent();
  });

  it('fails when a tally is off', async () => {
    const [t] = (await db('branch_review_tallies').where({ cycle_id: cycleId }).whereNot('branches', 0).limit(1)) as Row[];
    await db('branch_review_tallies').where({ cycle_id: t.cycle_id, phase: t.phase, deadline_kind: t.deadline_kind, deadline_at: t.deadline_at, segment: t.segment, grade: t.grade, band: t.band }).increment('branches', 1);
    expect(await tallyDifferences(db)).toHaveLength(1);
    await db('branch_review_tallies').where({ cycle_id: t.cycle_id, phase: t.phase, deadline_kind: t.deadline_kind, deadline_at: t.deadline_at, segment: t.segment, grade: t.grade, band: t.band }).decrement('branches', 1);
    expect(await tallyDifferences(db)).toEqual([]);
  });
});
