// Time is a parameter: `tick --now` fires exactly the reminders due at that instant, and only once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMails } from '../../src/store/outbox';
import { timersOf } from '../../src/store/timers';
import { findBranchReview } from '../../src/store/branchReviews';
import { cli } from '../support/cli';
import { exampleConfigPath, OFFICE } from '../support/cycle';
import { cliEnv, dialects, makeTestEnv, type TestEnv } from '../support/db';
import { TestSmtp } from '../support/smtp';

const count = (rows: { template: string }[]) =>
  rows.reduce<Record<string, number>>((acc, m) => ({ ...acc, [m.template]: (acc[m.template] ?? 0) + 1 }), {});

describe.each(dialects)('deadline reminders on %s', (dialect) => {
  let env: TestEnv;
  let e: NodeJS.ProcessEnv;
  const smtp = new TestSmtp();

  beforeAll(async () => {
    await smtp.start();
    env = await makeTestEnv(dialect, { smtpUrl: smtp.url });
    e = cliEnv(env);
  });
  afterAll(async () => {
    await env?.cleanup();
    await smtp.stop();
  });

  it('fires the reminders due, once, and escalates when overdue', async () => {
    expect((await cli(e, 'user', 'add', '--email', OFFICE, '--role', 'office', '--name', '党委办公室')).code).toBe(0);
    expect((await cli(e, 'cycle', 'create', '--config', exampleConfigPath, '--now', '2020-11-19T10:00:00+08:00')).out.cycle).toMatchObject({ year: 2020, state: 'draft' });
    expect((await cli(e, 'cycle', 'launch', '--cycle', '2020', '--now', '2020-11-20T10:00:00+08:00')).out.cycle.state).toBe('launched');
    const launchTick = await cli(e, 'tick', '--now', '2020-11-20T10:00:00+08:00');
    expect(launchTick.out).toEqual({ timersFired: 0, mailsQueued: 0, mailsSent: 11 + 6, mailsFailed: 0 }); // invitations + notices

    // B01 submits before any reminder; B02's deadline is extended to 8 Dec 18:00.
    await cli(e, 'event', 'send', '--cycle', '2020', '--branch', 'B01', '--type', 'ACKNOWLEDGE', '--as', 'b01@example.org', '--now', '2020-11-25T10:00:00+08:00');
    await cli(e, 'event', 'send', '--cycle', '2020', '--branch', 'B01', '--type', 'SUBMIT_MATERIALS', '--data', '{"summary":"述职报告"}', '--as', 'b01@example.org', '--now', '2020-11-25T10:00:00+08:00');
    const ext = await cli(e, 'event', 'send', '--cycle', '2020', '--branch', 'B02', '--type', 'EXTEND_DEADLINE', '--data', '{"deadline":"materials","until":"2020-12-08T18:00:00+08:00"}', '--now', '2020-11-26T10:00:00+08:00');
    expect(ext.code).toBe(0);
    expect(ext.out.phase).toBe('notified');

    // Nothing is due a minute before the first reminder (3 days before 4 Dec 18:00).
    expect((await cli(e, 'tick', '--now', '2020-12-01T17:59:00+08:00')).out).toMatchObject({ timersFired: 0, mailsQueued: 0 });
    // d-3: four branches still preparing (B01 submitted, B02 extended) get one reminder each.
    const d3 = await cli(e, 'tick', '--now', '2020-12-01T18:00:00+08:00');
    expect(d3.out).toMatchObject({ timersFired: 4, mailsQueued: 4, mailsSent: 4, mailsFailed: 0 });
    // Twice at the same instant: nothing fires, nothing is sent again.
    expect((await cli(e, 'tick', '--now', '2020-12-01T18:00:00+08:00')).out).toEqual({ timersFired: 0, mailsQueued: 0, mailsSent: 0, mailsFailed: 0 });

    // d-1 and the morning of the day (09:00 local).
    expect((await cli(e, 'tick', '--now', '2020-12-03T18:00:00+08:00')).out).toMatchObject({ timersFired: 4, mailsQueued: 4 });
    expect((await cli(e, 'tick', '--now', '2020-12-04T09:00:00+08:00')).out).toMatchObject({ timersFired: 4, mailsQueued: 4 });
    // B02's own d-3 (5 Dec 18:00) fires on its own.
    expect((await cli(e, 'tick', '--now', '2020-12-04T12:00:00+08:00')).out).toMatchObject({ timersFired: 0 });
    // Overdue: the secretary is told and the office and the leader get an escalation each.
    const overdue = await cli(e, 'tick', '--now', '2020-12-04T18:00:00+08:00');
    expect(overdue.out).toMatchObject({ timersFired: 4, mailsQueued: 4 * 3, mailsSent: 12 });
    expect((await cli(e, 'tick', '--now', '2020-12-05T18:00:00+08:00')).out).toMatchObject({ timersFired: 1, mailsQueued: 1 });

    const status = await cli(e, 'status', '--cycle', '2020', '--now', '2020-12-05T18:00:00+08:00');
    const overdueBranches = status.out.branches.filter((b: { overdue: string[] }) => b.overdue.includes('materials')).map((b: { code: string }) => b.code);
    expect(overdueBranches).toEqual(['B03', 'B04', 'B05', 'B06']);

    const mails = await listMails(env.services.db);
    expect(count(mails)).toEqual({ invitation: 11, notice: 6, materialsSubmitted: 1, deadlineExtended: 1, reminder: 4 * 3 + 1, overdue: 4, escalation: 8 });
    expect(smtp.received).toHaveLength(mails.length);
    expect(new Set(smtp.received.map((m) => m.messageId)).size).toBe(mails.length);
    const first = smtp.received.find((m) => m.to.includes('b03@example.org') && String(m.parsed.headers.get('x-shuping-template')) === 'overdue')!;
    expect(first.text.split('\n')[0]).toContain('2020年12月4日 18:00');

    // The extension kept its history: the old reminders are cancelled, not deleted.
    const b02 = (await findBranchReview(env.services.db, 1, 'B02'))!;
    const timers = await timersOf(env.services.db, b02.id);
    const materials = timers.filter((t) => t.kind === 'materials');
    expect(materials.filter((t) => t.status === 'cancelled').map((t) => t.step)).toEqual(['d-3', 'd-1', 'd0', 'overdue']);
    expect(materials.filter((t) => t.status !== 'cancelled').map((t) => [t.step, t.status])).toEqual([
      ['d-3', 'fired'],
      ['d-1', 'pending'],
      ['d0', 'pending'],
      ['overdue', 'pending'],
    ]);
    const b02status = await cli(e, 'status', '--cycle', '2020', '--branch', 'B02');
    expect(b02status.out.branch.deadlines.materials).toBe('2020-12-08T18:00:00+08:00');
    expect(b02status.out.branch.history.map((h: { event: string }) => h.event)).toEqual(['LAUNCH', 'EXTEND_DEADLINE', 'DEADLINE_DUE']);
  });
});
