// Two schedulers and two dispatchers — two processes running `tick` at once — over 1,000 due timers:
// each timer fires once and each mail reaches a real SMTP server once, counted by Message-ID.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, makeTestEnv, type TestEnv } from '../support/db';
import { bigCycle } from '../support/fleet';
import { processEnv, spawnCli } from '../support/processes';
import { TestSmtp } from '../support/smtp';

const BRANCHES = 1000;
const D3 = '2020-12-01T18:00:00+08:00'; // three days before the materials deadline: one reminder per branch

describe.each(dialects)('two schedulers and dispatchers on %s', (dialect) => {
  let env: TestEnv;
  const smtp = new TestSmtp();

  beforeAll(async () => {
    await smtp.start();
    // The launch's invitations and notices go out in-process first (to nowhere): the test is about the timers.
    env = await makeTestEnv(dialect, { transport: { send: async () => {}, close() {} } });
    await bigCycle(env.services, BRANCHES);
    expect((await env.services.tick('2020-11-20T02:00:00Z')).mailsSent).toBeGreaterThan(BRANCHES);
  }, 120_000);
  afterAll(async () => {
    await env?.cleanup();
    await smtp.stop();
  });

  it(`fire ${BRANCHES} due timers and send each reminder exactly once`, async () => {
    const db = env.services.db;
    const due = Number((await db('timers').where({ status: 'pending' }).andWhere('due_at', '<=', new Date(D3).toISOString()).count({ n: '*' }).first())!.n);
    expect(due).toBe(BRANCHES);
    // nodemailer keeps its connections open with ?pool=true (a new SMTP connection costs ~100 ms here).
    const e = processEnv(env, { SMTP_URL: `${smtp.url}?pool=true` });
    const t0 = Date.now();
    const runs = await Promise.all([spawnCli(e, 'tick', '--now', D3).done, spawnCli(e, 'tick', '--now', D3).done]);
    const ms = Date.now() - t0;
    for (const r of runs) expect(r.code, r.stdout + r.stderr).toBe(0);
    const [a, b] = runs.map((r) => r.json as { timersFired: number; mailsSent: number; mailsFailed: number });
    console.info(`[sharedScheduler ${dialect}] ${BRANCHES} timers in ${ms} ms: fired ${a.timersFired} + ${b.timersFired}, sent ${a.mailsSent} + ${b.mailsSent}`);
    // Both did part of the work, and together all of it, once.
    expect(a.timersFired + b.timersFired).toBe(BRANCHES);
    expect(a.mailsSent + b.mailsSent).toBe(BRANCHES);
    expect(a.timersFired > 0 && b.timersFired > 0 && a.mailsSent > 0 && b.mailsSent > 0).toBe(true);
    expect(a.mailsFailed + b.mailsFailed).toBe(0);

    const reminders = (await db('outbox').where({ template: 'reminder' }).select('message_id', 'status')) as { message_id: string; status: string }[];
    expect(reminders).toHaveLength(BRANCHES);
    expect(reminders.every((m) => m.status === 'sent')).toBe(true);
    const received = smtp.received.map((m) => m.messageId);
    expect(received).toHaveLength(BRANCHES);
    expect(new Set(received)).toEqual(new Set(reminders.map((m) => m.message_id)));
    expect(await db('timers').where({ status: 'fired' }).count({ n: '*' }).first()).toEqual({ n: dialect === 'postgres' ? String(BRANCHES) : BRANCHES });
    expect(await db('audit').where({ event_type: 'DEADLINE_DUE' }).count({ n: '*' }).first()).toEqual({ n: dialect === 'postgres' ? String(BRANCHES) : BRANCHES });
  }, 180_000);
});
