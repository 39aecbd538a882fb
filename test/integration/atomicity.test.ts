// One transaction per event: a failure after the snapshot write leaves everything as it was.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPostgres } from '../../src/store/db';
import { driver } from '../support/cycle';
import { dialects, makeTestEnv, type TestEnv } from '../support/db';

async function failInserts(env: TestEnv, table: string): Promise<() => Promise<void>> {
  const db = env.services.db;
  if (isPostgres(db)) {
    await db.raw(`create function fail_insert() returns trigger as $$ begin raise exception 'injected failure'; end $$ language plpgsql`);
    await db.raw(`create trigger fail_${table} before insert on ${table} for each row execute function fail_insert()`);
    return async () => {
      await db.raw(`drop trigger fail_${table} on ${table}`);
      await db.raw(`drop function fail_insert()`);
    };
  }
  await db.raw(`create trigger fail_${table} before insert on ${table} begin select raise(abort, 'injected failure'); end`);
  return async () => void (await db.raw(`drop trigger fail_${table}`));
}

async function everything(env: TestEnv) {
  const db = env.services.db;
  return {
    branches: await db('branch_reviews').orderBy('id').select('id', 'version', 'state', 'snapshot'),
    audit: await db('audit').count({ n: '*' }).first(),
    outbox: await db('outbox').orderBy('id').select('id', 'status'),
    timers: await db('timers').orderBy('id').select('id', 'status', 'due_at'),
  };
}

describe.each(dialects)('all or nothing on %s', (dialect) => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await makeTestEnv(dialect);
    const d = driver(env.services);
    await d.create();
    await d.launch('2020-11-20T02:00:00Z');
  });
  afterAll(async () => env?.cleanup());

  // EXTEND_DEADLINE writes all four: the snapshot, an audit record, a mail, and new timers (cancelling the old).
  for (const table of ['audit', 'outbox', 'timers']) {
    it(`a failure writing ${table} after the snapshot write leaves snapshot, audit, outbox and timers as they were`, async () => {
      const before = await everything(env);
      const restore = await failInserts(env, table);
      try {
        await expect(
          driver(env.services).office('B02', 'EXTEND_DEADLINE', { deadline: 'materials', until: '2020-12-10T18:00:00+08:00' }, '2020-11-25T02:00:00Z'),
        ).rejects.toThrow(/injected failure/);
      } finally {
        await restore();
      }
      expect(await everything(env)).toEqual(before);
    });
  }

  it('the same event succeeds once nothing fails, and writes all four', async () => {
    const before = await everything(env);
    const res = await driver(env.services).office('B02', 'EXTEND_DEADLINE', { deadline: 'materials', until: '2020-12-10T18:00:00+08:00' }, '2020-11-25T02:00:00Z');
    expect(res.version).toBe(2);
    const after = await everything(env);
    expect(Number(after.audit!.n)).toBe(Number(before.audit!.n) + 1);
    expect(after.outbox.length).toBe(before.outbox.length + 1);
    expect(after.timers.filter((t) => t.status === 'cancelled')).toHaveLength(4);
  });

  it('a reminder whose transaction fails stays pending, does not stop the pass, and fires on the next', async () => {
    const db = env.services.db;
    const at = '2020-12-01T10:00:00.000Z'; // materials d-3 for every branch but B02 (extended)
    const due = async () => (await db('timers').where({ status: 'pending' }).andWhere('due_at', '<=', at)).length;
    const waiting = await due();
    expect(waiting).toBe(5);
    const before = await everything(env);
    const restore = await failInserts(env, 'outbox');
    try {
      expect(await env.services.engine.fireDueTimers(at)).toEqual({ timersFired: 0, mailsQueued: 0, timersFailed: 5 });
    } finally {
      await restore();
    }
    expect(await everything(env)).toEqual(before);
    expect(await env.services.engine.fireDueTimers(at)).toEqual({ timersFired: 5, mailsQueued: 5, timersFailed: 0 });
    expect(await due()).toBe(0);
  });
});
