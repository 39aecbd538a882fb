// On PostgreSQL a transaction chosen as a deadlock's victim is rolled back by the server; the app runs
// it again (src/store/db.ts), so neither caller sees the deadlock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPostgres } from '../../src/store/db';
import { dialects, makeTestEnv, type TestEnv } from '../support/db';

describe.skipIf(!dialects.includes('postgres'))('a deadlock on PostgreSQL', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await makeTestEnv('postgres');
  });
  afterAll(async () => env?.cleanup());

  it('is retried: both transactions commit, the victim ran twice', async () => {
    const db = env.services.db;
    expect(isPostgres(db)).toBe(true);
    await db.schema.createTable('pair', (t) => {
      t.integer('id').primary();
      t.integer('n').notNullable();
    });
    await db('pair').insert([{ id: 1, n: 0 }, { id: 2, n: 0 }]);
    let runs = 0;
    // Each locks one row, then wants the other's: a deadlock, found after deadlock_timeout (1 s).
    const crosswise = (first: number, second: number) =>
      db.transaction(async (trx) => {
        runs++;
        await trx('pair').where({ id: first }).increment('n', 1);
        await new Promise((r) => setTimeout(r, 200));
        await trx('pair').where({ id: second }).increment('n', 1);
      });
    await Promise.all([crosswise(1, 2), crosswise(2, 1)]);
    expect(runs).toBe(3);
    expect((await db('pair').orderBy('id')).map((r: { n: number }) => r.n)).toEqual([2, 2]);
  });
});
