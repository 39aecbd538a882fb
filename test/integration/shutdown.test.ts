// Graceful shutdown: SIGTERM in the middle of a burst of events and of a dispatch. The process stops
// accepting, answers every request in flight (or refuses it whole), finishes the mail it is sending,
// hands back the rest, and exits 0 within 10 s; nothing is half-written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditByMarker, burst } from '../support/burst';
import { dialects, makeTestEnv, type TestEnv } from '../support/db';
import { bigCycle, OFFICE, wholeness } from '../support/fleet';
import { setPasswords, signIn } from '../support/http';
import { processEnv, runCli, sleep, startApp, type AppProcess } from '../support/processes';
import { TestSmtp } from '../support/smtp';

describe.each(dialects)('SIGTERM on %s', (dialect) => {
  let env: TestEnv;
  let codes: string[];
  let app: AppProcess | undefined;
  const smtp = new TestSmtp();

  beforeAll(async () => {
    await smtp.start();
    smtp.delayMs = 100; // the launch's mails go out slowly, so the dispatcher is busy when the signal comes
    env = await makeTestEnv(dialect);
    codes = await bigCycle(env.services, 24, { liveReview: true });
    await setPasswords(env.services);
  }, 120_000);
  afterAll(async () => {
    app?.kill('SIGKILL');
    await env?.cleanup();
    await smtp.stop();
  });

  it('answers or refuses every request, finishes the mail in flight, and exits 0 within 10 s', async () => {
    const db = env.services.db;
    const queued = (await db('outbox').where({ status: 'queued' }).select('message_id')).length;
    expect(queued).toBeGreaterThan(40);
    app = await startApp(processEnv(env, { SMTP_URL: smtp.url, LOG_LEVEL: 'info' }));
    const sessions = await Promise.all(Array.from({ length: 8 }, () => signIn(app!.base, OFFICE)));
    let signalledAt = 0;
    let exitedAt = 0;
    void app.exited.then(() => (exitedAt = Date.now()));
    const outcomes = burst({
      base: () => app!.base,
      sessions,
      codes,
      assign: 'partition',
      mix: 'qa+extend',
      stop: () => exitedAt > 0,
      onOutcome: (_o, all) => {
        // The signal comes once the burst is well under way and the dispatcher is mid-batch.
        if (!signalledAt && all.length >= 150 && smtp.received.length > 0) {
          signalledAt = Date.now();
          app!.kill('SIGTERM');
        }
      },
    });
    const exit = await app.exited;
    const all = await outcomes;
    const took = exitedAt - signalledAt;
    const by = (f: (o: (typeof all)[number]) => boolean) => all.filter(f).length;
    console.info(
      `[shutdown ${dialect}] exit ${JSON.stringify(exit)} ${took} ms after SIGTERM; ${all.length} requests: ` +
        `${by((o) => o.sentAt < signalledAt && o.doneAt > signalledAt)} in flight at the signal, ${by((o) => o.status === 200)} answered 200, ${by((o) => o.status === 503)} refused 503, ${by((o) => o.status === 'network')} refused by the network ` +
        `(${[...new Set(all.filter((o) => o.status === 'network').map((o) => o.error))].join(', ')}); mails sent before: ${smtp.received.length}`,
    );
    expect(signalledAt).toBeGreaterThan(0);
    // Requests in flight when the signal came were answered (a request written on a keep-alive connection
    // the server was closing as idle fails at the connection, unprocessed: checked below).
    const inFlight = all.filter((o) => o.sentAt < signalledAt && o.doneAt > signalledAt);
    expect(inFlight.filter((o) => o.status === 200).length).toBeGreaterThan(0);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(took).toBeLessThan(10_000);
    expect(app.output()).toContain('"msg":"stopped"');

    // Every answer is 200 or 503; an answered event is there once, a refused one not at all.
    expect(all.filter((o) => !(o.status === 200 || o.status === 503 || o.status === 'network'))).toEqual([]);
    expect(all.every((o) => o.status === 200 || o.status === 503 || o.status === 'network')).toBe(true);
    const audit = await auditByMarker(db);
    const ids = new Map(((await db('branch_reviews').select('id', 'code')) as { id: number; code: string }[]).map((b) => [b.code, b.id]));
    for (const o of all) {
      const found = audit.get(o.marker) ?? [];
      if (o.status === 200) expect(found, o.marker).toEqual([{ branch: ids.get(o.branch), version: o.version, type: o.type }]);
      else expect(found, `${o.marker} ${o.status} ${o.error ?? ''}`).toEqual([]);
    }
    expect(await wholeness(db)).toEqual([]);

    // The mail being sent was finished and recorded; the rest of the claimed batch was handed back.
    const rows = (await db('outbox').select('message_id', 'status', 'claimed_until')) as { message_id: string; status: string; claimed_until: string | null }[];
    const sent = new Set(rows.filter((m) => m.status === 'sent').map((m) => m.message_id));
    expect(smtp.received.length).toBeGreaterThan(0);
    for (const m of smtp.received) expect(rows.find((r) => r.message_id === m.messageId), m.messageId).toMatchObject({ status: 'sent' });
    expect(sent.size).toBe(smtp.received.length);
    expect(rows.filter((m) => m.status === 'queued' && m.claimed_until !== null)).toEqual([]);
    expect((await runCli(processEnv(env), 'audit', 'verify')).json).toMatchObject({ ok: true });
    app = undefined;
  }, 120_000);

  it('SCHEDULER=off serves only: no mail leaves, and it stops as cleanly', async () => {
    const before = smtp.received.length;
    const served = await startApp(processEnv(env, { SMTP_URL: smtp.url, SCHEDULER: 'off' }));
    expect((await fetch(`${served.base}/api/health`)).status).toBe(200);
    await sleep(1500);
    expect(smtp.received.length).toBe(before);
    served.kill('SIGTERM');
    expect(await served.exited).toEqual({ code: 0, signal: null });
  });
});
