// Clock jumps: a tick far ahead (the server was down for months, or its clock was wrong) sends one
// mail per deadline that is due, the latest step of each — not every reminder it slept through — and
// a tick moved back sends nothing again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMails } from '../../src/store/outbox';
import { cli } from '../support/cli';
import { exampleConfigPath, OFFICE } from '../support/cycle';
import { cliEnv, dialects, makeTestEnv, type TestEnv } from '../support/db';
import { TestSmtp } from '../support/smtp';

const byTemplate = (rows: { template: string }[]) => rows.reduce<Record<string, number>>((acc, m) => ({ ...acc, [m.template]: (acc[m.template] ?? 0) + 1 }), {});

describe.each(dialects)('clock jumps on %s', (dialect) => {
  let env: TestEnv;
  let e: NodeJS.ProcessEnv;
  const smtp = new TestSmtp();

  beforeAll(async () => {
    await smtp.start();
    env = await makeTestEnv(dialect, { smtpUrl: smtp.url });
    e = cliEnv(env);
    expect((await cli(e, 'user', 'add', '--email', OFFICE, '--role', 'office', '--name', '党委办公室')).code).toBe(0);
    expect((await cli(e, 'cycle', 'create', '--config', exampleConfigPath, '--now', '2020-11-19T10:00:00+08:00')).code).toBe(0);
    expect((await cli(e, 'cycle', 'launch', '--cycle', '2020', '--now', '2020-11-20T10:00:00+08:00')).code).toBe(0);
    expect((await cli(e, 'tick', '--now', '2020-11-20T10:00:00+08:00')).out).toMatchObject({ timersFired: 0, mailsSent: 11 + 6 });
    // B01 hands in its materials: its materials deadline stops binding.
    await cli(e, 'event', 'send', '--cycle', '2020', '--branch', 'B01', '--type', 'ACKNOWLEDGE', '--as', 'b01@example.org', '--now', '2020-11-25T10:00:00+08:00');
    await cli(e, 'event', 'send', '--cycle', '2020', '--branch', 'B01', '--type', 'SUBMIT_MATERIALS', '--data', '{"summary":"述职报告"}', '--as', 'b01@example.org', '--now', '2020-11-25T10:00:00+08:00');
    expect((await cli(e, 'tick', '--now', '2020-11-25T10:00:00+08:00')).out).toMatchObject({ timersFired: 0, mailsSent: 1 }); // materialsSubmitted
    smtp.received = [];
  });
  afterAll(async () => {
    await env?.cleanup();
    await smtp.stop();
  });

  it('jumping past d-3, d-1, the day and the deadline sends the overdue notice and escalation only, once per branch', async () => {
    const db = env.services.db;
    const mailsBefore = (await listMails(db)).length;
    // 2020-12-05: past every step of the materials deadline (4 Dec 18:00), before the scoring one.
    const jump = await cli(e, 'tick', '--now', '2020-12-05T12:00:00+08:00');
    // B02–B06 are still preparing: one overdue notice each, and the escalation to the office and the leader.
    expect(jump.out).toEqual({ timersFired: 5, mailsQueued: 5 * 3, mailsSent: 5 * 3, mailsFailed: 0 });
    const mails = (await listMails(db)).slice(mailsBefore);
    expect(byTemplate(mails)).toEqual({ overdue: 5, escalation: 10 });
    expect(smtp.received).toHaveLength(15);
    expect(new Set(smtp.received.map((m) => m.messageId)).size).toBe(15);
    // The earlier steps are kept as history, skipped; nothing due is left pending.
    const materials = await db('timers').where({ kind: 'materials' }).select('step', 'status', 'branch_review_id');
    expect(materials.filter((t) => t.status === 'pending')).toEqual([]);
    expect(materials.filter((t) => t.status === 'fired').map((t) => t.step)).toEqual(Array(5).fill('overdue'));
    expect(new Set(materials.filter((t) => t.step !== 'overdue').map((t) => t.status))).toEqual(new Set(['skipped']));
  });

  it('the same instant again, and a clock moved back, send nothing', async () => {
    const sent = smtp.received.length;
    expect((await cli(e, 'tick', '--now', '2020-12-05T12:00:00+08:00')).out).toEqual({ timersFired: 0, mailsQueued: 0, mailsSent: 0, mailsFailed: 0 });
    expect((await cli(e, 'tick', '--now', '2020-12-01T18:00:00+08:00')).out).toEqual({ timersFired: 0, mailsQueued: 0, mailsSent: 0, mailsFailed: 0 });
    expect((await cli(e, 'tick', '--now', '2020-11-20T10:00:00+08:00')).out).toEqual({ timersFired: 0, mailsQueued: 0, mailsSent: 0, mailsFailed: 0 });
    expect(smtp.received).toHaveLength(sent);
  });

  it('a jump of months past every deadline still sends only what binds now: nothing for branches whose deadlines do not bind', async () => {
    const db = env.services.db;
    const mailsBefore = (await listMails(db)).length;
    const far = await cli(e, 'tick', '--now', '2021-12-31T00:00:00+08:00');
    // Scoring, plan and follow-up deadlines bind no branch (all are before the live review): all skipped.
    expect(far.out).toEqual({ timersFired: 0, mailsQueued: 0, mailsSent: 0, mailsFailed: 0 });
    expect((await listMails(db)).length).toBe(mailsBefore);
    expect(await db('timers').where({ status: 'pending' }).andWhere('due_at', '<=', '2021-12-30T16:00:00.000Z')).toEqual([]);
    expect((await cli(e, 'audit', 'verify')).out).toMatchObject({ ok: true });
  });
});
