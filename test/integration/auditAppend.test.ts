// Appends to one audit chain from transactions running at once in one process (eight clients of the
// API): every record takes the next place in the chain, the chain verifies, and on PostgreSQL each
// append after the first is a single statement: a transaction waits for the one ahead of it to send
// its append and compares against the head that one sets, instead of failing on a head it had cached
// before. A transaction that rolls back leaves a stale head behind, which the next append survives.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAudit } from '../../src/engine/audit';
import { insertAudit, type AuditRow } from '../../src/store/audit';
import { dialects, makeTestEnv, type TestEnv } from '../support/db';

const record = (i: number): AuditRow => ({
  cycle_id: null, branch_review_id: null, actor: 'system', event_type: 'TEST_APPEND', data: JSON.stringify({ i }), from_state: null, to_state: null, version: null, at: '2020-11-20T02:00:00.000Z',
});

describe.each(dialects)('appending to an audit chain on %s', (dialect) => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await makeTestEnv(dialect);
  });
  afterAll(async () => env?.cleanup());

  it('from 8 transactions at once: consecutive places, a whole chain, and on PostgreSQL one statement each', async () => {
    const db = env.services.db;
    await db.transaction((trx) => insertAudit(trx, [record(0)])); // the chain's head exists, and this process knows it
    const statements: string[] = [];
    const onQuery = (q: { sql: string }) => statements.push(q.sql);
    db.on('query', onQuery);
    try {
      // Each transaction holds a moment before its append, as an event's does, so that all eight are open together.
      await Promise.all(
        Array.from({ length: 8 }, (_, c) =>
          db.transaction(async (trx) => {
            await trx.raw('select 1');
            for (let k = 0; k < 3; k++) await insertAudit(trx, [record(1 + c * 3 + k)]);
          }),
        ),
      );
    } finally {
      db.off('query', onQuery);
    }
    const rows = (await db('audit').where({ event_type: 'TEST_APPEND' }).orderBy('seq').select('seq', 'data')) as { seq: number; data: string }[];
    expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(new Set(rows.map((r) => r.data)).size).toBe(25);
    expect(await verifyAudit(db)).toMatchObject({ ok: true });
    const appends = statements.filter((sql) => /audit_chains|insert into .audit./i.test(sql));
    if (dialect === 'postgres') expect(appends).toHaveLength(24);
    else expect(appends).toHaveLength(48); // SQLite, one writer at a time: a compare-and-set and an insert each
  });

  it('after a transaction that rolled back its append, the next append finds the real head', async () => {
    const db = env.services.db;
    await db
      .transaction(async (trx) => {
        await insertAudit(trx, [record(100)]);
        throw new Error('rolled back');
      })
      .catch(() => {});
    await db.transaction((trx) => insertAudit(trx, [record(101)]));
    const rows = (await db('audit').where({ event_type: 'TEST_APPEND' }).orderBy('seq').select('seq', 'data')) as { seq: number; data: string }[];
    expect(rows.at(-1)).toEqual({ seq: 26, data: JSON.stringify({ i: 101 }) });
    expect(rows.some((r) => r.data === JSON.stringify({ i: 100 }))).toBe(false);
    expect(await verifyAudit(db)).toMatchObject({ ok: true });
  });
});
