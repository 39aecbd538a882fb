// The dispatcher's claims walk the queue forward, in the order the mails fell due: each batch starts
// after the last mail the pass took, mails not yet due are never read, and a lease that lapses behind
// the walk waits for the next pass instead of being read again by every claim.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../src/mail/dispatcher';
import { claimDueMails, DUE_MAILS_SQL, listMails } from '../../src/store/outbox';
import { driver } from '../support/cycle';
import { dialects, makeTestEnv, type TestEnv } from '../support/db';
import { TestSmtp } from '../support/smtp';

const T0 = '2020-11-20T02:00:00.000Z';
const LATER = '2020-11-20T02:10:00.000Z';

describe.each(dialects)('claiming queued mails on %s', (dialect) => {
  let env: TestEnv;
  const smtp = new TestSmtp();
  beforeAll(async () => {
    await smtp.start();
    env = await makeTestEnv(dialect, { smtpUrl: smtp.url });
    const d = driver(env.services);
    await d.create();
    await d.launch(T0); // 17 mails queued: 11 invitations and 6 notices
  });
  afterAll(async () => {
    await env?.cleanup();
    await smtp.stop();
  });

  it('goes on after the last mail claimed, oldest first, and leaves a lapsed lease behind the walk to the next pass', async () => {
    const db = env.services.db;
    const queued = (await listMails(db, { status: 'queued' })).map((m) => m.id!);
    expect(queued).toHaveLength(17);
    const lease = '2020-11-20T02:05:00.000Z';
    const first = await claimDueMails(db, T0, lease, 5);
    expect(first.map((m) => m.id)).toEqual(queued.slice(0, 5));
    const second = await claimDueMails(db, T0, lease, 5, first[4]);
    expect(second.map((m) => m.id)).toEqual(queued.slice(5, 10));

    // Later, the first batch's lease has lapsed (its worker died): a claim that goes on from the
    // second batch does not see it; a new pass (from the start) does, and the second batch's lease too.
    const third = await claimDueMails(db, LATER, '2020-11-20T02:15:00.000Z', 5, second[4]);
    expect(third.map((m) => m.id)).toEqual(queued.slice(10, 15));
    const newPass = await claimDueMails(db, LATER, '2020-11-20T02:15:00.000Z', 12);
    expect(newPass.map((m) => m.id)).toEqual([...queued.slice(0, 10), ...queued.slice(15)]);
  });

  it('sends every queued mail once, in batches smaller than the queue', async () => {
    const db = env.services.db;
    const at = '2020-11-20T03:00:00.000Z'; // every lease above has lapsed
    const result = await dispatch(db, env.services.transport, at, { mailFrom: 'shuping@example.org', batchSize: 4, concurrency: 3 });
    expect(result).toEqual({ sent: 17, failed: 0, dead: 0 });
    const sent = await listMails(db, { status: 'sent' });
    expect(sent).toHaveLength(17);
    expect(smtp.received.map((m) => m.messageId).sort()).toEqual(sent.map((m) => m.message_id).sort());
  });

  it('takes the mail that fell due first, and leaves a mail backing off until it is due', async () => {
    const db = env.services.db;
    const at = '2020-11-20T04:00:00.000Z'; // every lease above has lapsed
    await db('outbox').update({ status: 'queued', claimed_until: null, next_attempt_at: '2020-11-20T03:30:00.000Z' });
    const ids = (await listMails(db, { status: 'queued' })).map((m) => m.id!);
    const [backingOff, retried] = [ids[0], ids[ids.length - 1]];
    await db('outbox').where({ id: backingOff }).update({ next_attempt_at: '2020-11-20T05:00:00.000Z' });
    await db('outbox').where({ id: retried }).update({ next_attempt_at: '2020-11-20T03:00:00.000Z' });
    const claimed = await claimDueMails(db, at, '2020-11-20T04:05:00.000Z', 50);
    expect(claimed.map((m) => m.id)).toEqual([retried, ...ids.slice(1, -1)]);
  });

  it.runIf(dialect === 'sqlite')('walks an index in due order and reads no row it does not take', async () => {
    const plan = (await env.services.db.raw(`explain query plan ${DUE_MAILS_SQL}`, [T0, 3, T0, T0, 50, T0, T0, T0, 50, 50])) as { detail: string }[];
    const searches = plan.map((p) => p.detail).filter((d) => /\boutbox\b/.test(d));
    expect(searches).toEqual([
      expect.stringMatching(/^SEARCH outbox USING COVERING INDEX outbox_claim_index \(status=\? AND next_attempt_at=\? AND id>\?\)$/),
      expect.stringMatching(/^SEARCH outbox USING COVERING INDEX outbox_claim_index \(status=\? AND next_attempt_at>\? AND next_attempt_at<\?\)$/),
    ]);
  });
});
