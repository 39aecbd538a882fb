// SMTP is down during dispatch: mails wait, go out once it is back, each exactly once; dead letters after N failures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMails } from '../../src/store/outbox';
import { cli } from '../support/cli';
import { driver } from '../support/cycle';
import { cliEnv, dialects, makeTestEnv, type TestEnv } from '../support/db';
import { TestSmtp } from '../support/smtp';

const plus = (iso: string, seconds: number) => new Date(Date.parse(iso) + seconds * 1000).toISOString();

describe.each(dialects)('the mail outbox on %s', (dialect) => {
  let env: TestEnv;
  const smtp = new TestSmtp();

  beforeAll(async () => {
    await smtp.start();
    env = await makeTestEnv(dialect, { smtpUrl: smtp.url, maxAttempts: 3, backoffSeconds: 60 });
  });
  afterAll(async () => {
    await env?.cleanup();
    await smtp.stop();
  });

  it('keeps mails queued while SMTP is down, sends each once when it is back, and dead-letters after N failures', async () => {
    const s = env.services;
    const d = driver(s);
    await d.create();
    const t0 = '2020-11-20T02:00:00.000Z';
    await d.launch(t0);
    const port = smtp.port;
    await smtp.stop();

    const down = await s.tick(t0);
    expect(down).toMatchObject({ mailsSent: 0, mailsFailed: 17 }); // 11 invitations + 6 notices
    let queued = await listMails(s.db, { status: 'queued' });
    expect(queued).toHaveLength(17);
    expect(queued.every((m) => m.attempts === 1 && m.next_attempt_at === plus(t0, 60) && m.last_error)).toBe(true);
    // Backing off: nothing is tried again before the next attempt is due.
    expect(await s.tick(plus(t0, 30))).toMatchObject({ mailsSent: 0, mailsFailed: 0 });

    await smtp.start(port);
    expect(await s.tick(plus(t0, 61))).toMatchObject({ mailsSent: 17, mailsFailed: 0 });
    expect(await s.tick(plus(t0, 3600))).toMatchObject({ mailsSent: 0, mailsFailed: 0 });
    const sent = await listMails(s.db, { status: 'sent' });
    expect(smtp.received.map((m) => m.messageId).sort()).toEqual(sent.map((m) => m.message_id).sort());

    // Down again: the exemption's two mails fail three times and are dead-lettered.
    await smtp.stop();
    const t1 = '2020-11-21T02:00:00.000Z';
    await d.office('B05', 'EXEMPT', { reason: '支部撤销' }, t1);
    expect(await s.tick(t1)).toMatchObject({ mailsFailed: 2 });
    expect(await s.tick(plus(t1, 60))).toMatchObject({ mailsFailed: 2 }); // attempt 2, next in 120 s
    expect(await s.tick(plus(t1, 120))).toMatchObject({ mailsFailed: 0 });
    expect(await s.tick(plus(t1, 180))).toMatchObject({ mailsFailed: 2 }); // attempt 3 = N: dead
    const dead = await listMails(s.db, { status: 'dead' });
    expect(dead.map((m) => [m.template, m.attempts])).toEqual([
      ['exempted', 3],
      ['exempted', 3],
    ]);
    expect(await s.tick(plus(t1, 86400))).toMatchObject({ mailsSent: 0, mailsFailed: 0 });

    // The office sees the dead letters and puts them back once the server is up.
    const listed = await cli(cliEnv(env), 'mail', 'list', '--status', 'dead');
    expect(listed.out.mails.map((m: { id: number }) => m.id)).toEqual(dead.map((m) => m.id));
    await smtp.start(port);
    for (const m of dead) expect((await cli(cliEnv(env), 'mail', 'retry', '--id', String(m.id), '--now', plus(t1, 86400))).code).toBe(0);
    expect(await s.tick(plus(t1, 86400 + 1))).toMatchObject({ mailsSent: 2 });
    expect(smtp.received.filter((m) => dead.some((x) => x.message_id === m.messageId))).toHaveLength(2);
  });

  it('dead-letters at once when the server refuses a mail for good (5xx)', async () => {
    const s = env.services;
    smtp.reject = { code: 550, message: 'mailbox unavailable' };
    try {
      const at = '2020-11-22T02:00:00.000Z';
      await driver(s).office('B04', 'EXEMPT', { reason: '支部撤销' }, at);
      expect(await s.tick(at)).toMatchObject({ mailsSent: 0, mailsFailed: 2 });
      const dead = (await listMails(s.db, { status: 'dead' })).filter((m) => m.last_error?.includes('550'));
      expect(dead.map((m) => m.attempts)).toEqual([1, 1]);
    } finally {
      smtp.reject = null;
    }
  });
});
