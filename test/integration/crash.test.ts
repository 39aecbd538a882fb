// A crash loses nothing: SIGKILL in the middle of a burst of events, and in the middle of a dispatch,
// then a restart. Every committed event is whole (snapshot, audit, outbox, timers), every answered one
// is there, no mail is lost, a mail sent again carries the same Message-ID, and audit verify passes.
import { DISPATCH_CONCURRENCY } from '../../src/mail/transport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditByMarker, burst } from '../support/burst';
import { dialects, makeTestEnv, type TestEnv } from '../support/db';
import { bigCycle, OFFICE, wholeness } from '../support/fleet';
import { call, setPasswords, signIn } from '../support/http';
import { processEnv, runCli, spawnCli, startApp, type AppProcess } from '../support/processes';
import { TestSmtp } from '../support/smtp';

describe.each(dialects)('crashes on %s', (dialect) => {
  let env: TestEnv;
  let codes: string[];
  const apps: AppProcess[] = [];
  const smtp = new TestSmtp();

  beforeAll(async () => {
    await smtp.start();
    env = await makeTestEnv(dialect);
    codes = await bigCycle(env.services, 24, { liveReview: true });
    await setPasswords(env.services);
  }, 120_000);
  afterAll(async () => {
    for (const app of apps) app.kill('SIGKILL');
    await env?.cleanup();
    await smtp.stop();
  });

  it('SIGKILL during a burst of events, then a restart: what was answered is there, and every event is whole', async () => {
    const db = env.services.db;
    // Only serving: the queued mails are left for the dispatch below.
    const app = await startApp(processEnv(env, { SCHEDULER: 'off' }));
    apps.push(app);
    const sessions = await Promise.all(Array.from({ length: 8 }, () => signIn(app.base, OFFICE)));
    let killedAt = 0;
    const all = await burst({
      base: () => app.base,
      sessions,
      codes,
      assign: 'partition',
      mix: 'qa+extend',
      stop: () => killedAt > 0 && Date.now() - killedAt > 300,
      onOutcome: (_o, outcomes) => {
        if (!killedAt && outcomes.length >= 200) {
          killedAt = Date.now();
          app.kill('SIGKILL');
        }
      },
    });
    expect(await app.exited).toEqual({ code: null, signal: 'SIGKILL' });
    const cut = all.filter((o) => o.status === 'network');
    console.info(`[crash ${dialect}] ${all.length} requests, ${all.filter((o) => o.status === 200).length} answered, ${cut.length} cut by the kill`);
    expect(all.filter((o) => o.status !== 200 && o.status !== 'network')).toEqual([]);

    const restarted = await startApp(processEnv(env, { SCHEDULER: 'off' }));
    apps.push(restarted);
    const audit = await auditByMarker(db);
    const ids = new Map(((await db('branch_reviews').select('id', 'code')) as { id: number; code: string }[]).map((b) => [b.code, b.id]));
    for (const o of all.filter((x) => x.status === 200)) expect(audit.get(o.marker), o.marker).toEqual([{ branch: ids.get(o.branch), version: o.version, type: o.type }]);
    // A request cut by the kill either committed (its answer was lost) or left nothing at all.
    for (const o of cut) expect((audit.get(o.marker) ?? []).length, o.marker).toBeLessThanOrEqual(1);
    expect(await wholeness(db)).toEqual([]);
    expect((await runCli(processEnv(env), 'audit', 'verify')).json).toMatchObject({ ok: true });

    // The restarted process takes events again.
    const session = await signIn(restarted.base, OFFICE);
    const res = await call(restarted.base, 'POST', `/api/cycles/2020/branches/${codes[0]}/events`, {
      session,
      body: { type: 'RECORD_QA', data: { question: 'after the crash', answer: '好', askedBy: '考评组' } },
    });
    expect(res.status).toBe(200);
    restarted.kill('SIGTERM');
    expect(await restarted.exited).toEqual({ code: 0, signal: null });
  }, 120_000);

  it('SIGKILL in the middle of a dispatch, then ticks again: no mail lost, those cut are sent again with their Message-IDs', async () => {
    const db = env.services.db;
    const queued = (await db('outbox').where({ status: 'queued' }).select('id', 'message_id')) as { id: number; message_id: string }[];
    expect(queued.length).toBeGreaterThan(30);
    const e = processEnv(env, { SMTP_URL: `${smtp.url}?pool=true` }); // one SMTP connection per process, not per mail
    const first = spawnCli(e, 'tick');
    let cutMail = '';
    // The 10th mail reaches the server, and its sender dies before hearing the 250.
    smtp.beforeAccept = async (m) => {
      if (smtp.received.length !== 10 || cutMail) return;
      cutMail = m.messageId;
      first.child.kill('SIGKILL');
      await new Promise((r) => first.child.once('exit', r));
    };
    expect((await first.done).signal).toBe('SIGKILL');
    smtp.beforeAccept = null;
    expect(cutMail).not.toBe('');
    const sentBeforeRestart = smtp.received.length;
    // What the dead worker had recorded as sent; the others it had in flight (at most its concurrency) may go again.
    const recordedAtKill = new Set(((await db('outbox').where({ status: 'sent' }).select('message_id')) as { message_id: string }[]).map((m) => m.message_id));
    const inFlightAtKill = new Set(smtp.received.slice(0, sentBeforeRestart).map((m) => m.messageId).filter((id) => !recordedAtKill.has(id)));

    // A new pass sends what nobody holds; the dead worker's lease (5 minutes) then lapses and the rest goes.
    const again = await runCli(e, 'tick');
    expect(again.code, again.stdout + again.stderr).toBe(0);
    const later = await runCli(e, 'tick', '--now', new Date(Date.now() + 6 * 60_000).toISOString());
    expect(later.code, later.stdout + later.stderr).toBe(0);
    console.info(`[crash ${dialect}] dispatch killed after ${sentBeforeRestart} mails; then ${again.json.mailsSent} + ${later.json.mailsSent} sent`);

    const rows = (await db('outbox').select('message_id', 'status')) as { message_id: string; status: string }[];
    expect(rows.filter((m) => m.status !== 'sent')).toEqual([]);
    const received = smtp.received.map((m) => m.messageId);
    const outboxIds = new Set(rows.map((m) => m.message_id));
    // Nothing lost: every mail of the outbox reached the server; nothing made up: every one received is one of them.
    expect(new Set(received)).toEqual(outboxIds);
    // The mail cut by the kill went twice, with the same Message-ID; a mail went twice only if the
    // dead worker had it in flight, never one it had recorded as sent.
    const twice = [...new Set(received.filter((id, i) => received.indexOf(id) !== i))];
    expect(twice).toContain(cutMail);
    expect(twice.filter((id) => !inFlightAtKill.has(id))).toEqual([]);
    expect(twice.length).toBeLessThanOrEqual(DISPATCH_CONCURRENCY);
    expect((await runCli(processEnv(env), 'audit', 'verify')).json).toMatchObject({ ok: true });
  }, 120_000);
});
