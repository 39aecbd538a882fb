// A batch is written set-based (one statement for the branch rows, the audit and mails in a few
// inserts), yet it must leave the database exactly as the same events sent one at a time would:
// the same answers and refusals, rows, snapshots, audit chain (hashes included), mails and timers.
import { afterEach, describe, expect, it } from 'vitest';
import { actorByEmail } from '../../src/engine/actors';
import type { BatchResult } from '../../src/engine/engine';
import { driver, OFFICE, sheet } from '../support/cycle';
import { dialects, makeTestEnv, type TestEnv } from '../support/db';

const envs: TestEnv[] = [];
afterEach(async () => {
  for (const e of envs.splice(0)) await e.cleanup();
});

const AT = '2020-11-25T02:00:00.000Z';
// [branch, type, data, as, expectedVersion]: a mix of what a batch writes together, what it records
// alone (an extension, an exemption, a Q&A line), and what it refuses in memory.
const EVENTS: [string, string, unknown, string, number?][] = [
  ['B01', 'ACKNOWLEDGE', undefined, 'b01@example.org'],
  ['B01', 'SUBMIT_MATERIALS', { summary: '述职报告' }, 'b01@example.org'],
  ['B02', 'ACCEPT_MATERIALS', undefined, OFFICE], // not yet submitted
  ['B01', 'ACCEPT_MATERIALS', undefined, OFFICE],
  ['B02', 'EXTEND_DEADLINE', { deadline: 'materials', until: '2020-12-08T10:00:00.000Z' }, OFFICE],
  ['B02', 'ACKNOWLEDGE', undefined, 'b02@example.org'],
  ['B03', 'EXEMPT', { reason: '支部撤并' }, OFFICE],
  ['B01', 'START_PRESENTATION', undefined, OFFICE, 3], // stale version
  ['B01', 'START_PRESENTATION', undefined, OFFICE],
  ['B02', 'SUBMIT_MATERIALS', { summary: '代交' }, 'b01@example.org'], // not theirs
  ['NOPE', 'ACKNOWLEDGE', undefined, OFFICE],
  ['B01', 'RECORD_QA', { question: '如何融合？', answer: '项目化', askedBy: '考评组成员一' }, OFFICE],
  ['B01', 'END_PRESENTATION', undefined, OFFICE],
  ['B01', 'SUBMIT_SCORE', { scores: { ...sheet(90), highlights: 16 } }, 'panel1@example.org'], // out of range
  ['B01', 'SUBMIT_SCORE', { scores: sheet(90) }, 'panel1@example.org'],
  ['B04', 'ACKNOWLEDGE', undefined, 'b04@example.org'],
  ['B04', 'SUBMIT_MATERIALS', { summary: '述职报告' }, 'b04@example.org'],
  ['B04', 'RETURN_MATERIALS', { reason: '缺少问题查找部分' }, OFFICE],
];

async function launched(dialect: (typeof dialects)[number]) {
  const env = await makeTestEnv(dialect);
  envs.push(env);
  const d = driver(env.services);
  await d.create();
  await d.launch('2020-11-20T02:00:00Z');
  const requests = [];
  for (const [branch, type, data, as, expectedVersion] of EVENTS) {
    requests.push({ cycle: 2020, branch, type, data, actor: await actorByEmail(env.services.db, as), expectedVersion, now: AT });
  }
  return { env, requests };
}

/** What both ways must agree on (ids, random Message-IDs and invitation links aside). */
async function contents(env: TestEnv) {
  const db = env.services.db;
  return {
    branches: await db('branch_reviews').orderBy('id').select('id', 'code', 'phase', 'state', 'version', 'snapshot', 'deadline_kind', 'deadline_at', 'updated_at'),
    audit: await db('audit').orderBy('id').select('chain', 'seq', 'branch_review_id', 'actor', 'actor_role', 'event_type', 'data', 'from_state', 'to_state', 'version', 'at', 'prev_hash', 'hash'),
    heads: await db('audit_chains').orderBy('chain'),
    mails: await db('outbox').whereNot('template', 'invitation').orderBy('id').select('dedupe_key', 'template', 'to_email', 'subject', 'body_text', 'status'),
    timers: await db('timers').orderBy('id').select('branch_review_id', 'kind', 'step', 'deadline_at', 'due_at', 'status', 'fired_at'),
    cycle: await db('cycles').select('state', 'version'),
  };
}

const outcome = (r: BatchResult) => (r.ok ? { ok: r.answer } : { error: r.error.code });

describe.each(dialects)('a batch of events on %s', (dialect) => {
  // Written as one part (the batch is smaller than WRITE_EVERY), and in parts of two and of one, each
  // written while the next is planned: the same database either way.
  it.each([
    ['as one part', undefined],
    ['in parts of two', 2],
    ['in parts of one', 1],
  ])('leaves the database as the same events sent one by one do (written %s)', async (_written, writeEvery) => {
    const batched = await launched(dialect);
    const single = await launched(dialect);
    const results = (await batched.env.services.engine.sendBranchEvents(batched.requests, AT, { writeEvery })).map(outcome);
    const one: unknown[] = [];
    for (const req of single.requests) {
      one.push(
        await single.env.services.engine.sendBranchEvent(req).then(
          (answer) => ({ ok: answer }),
          (err: { code: string }) => ({ error: err.code }),
        ),
      );
    }
    expect(results).toEqual(one);
    expect(results.map((r) => ('error' in r ? r.error : r.ok.state))).toEqual([
      'preparing', 'materialsReview', 'EVENT_NOT_ALLOWED', 'awaitingReview', 'notified', 'preparing', 'exempted', 'VERSION_CONFLICT',
      'liveReview.presenting', 'FORBIDDEN', 'NOT_FOUND', 'liveReview.questioning', 'scoring', 'INVALID_INPUT', 'scoring', 'preparing', 'materialsReview', 'preparing',
    ]);
    const [a, b] = [await contents(batched.env), await contents(single.env)];
    expect(a).toEqual(b);
    // and the events did write: mails to the office and the secretary, the extension's timers, one audit record per accepted event
    expect(a.mails.map((m) => m.template)).toEqual(expect.arrayContaining(['materialsSubmitted', 'materialsAccepted', 'deadlineExtended', 'exempted', 'materialsReturned']));
    expect(a.timers.some((t) => t.status === 'cancelled')).toBe(true);
    expect(a.audit.filter((r) => r.at === AT)).toHaveLength(results.filter((r) => 'ok' in r).length);
    expect((await batched.env.services.engine.verifyAudit(await actorByEmail(batched.env.services.db, OFFICE))).ok).toBe(true);
  });
});

describe.each(dialects)('a scheduler pass on %s', (dialect) => {
  it('written set-based leaves the database as firing each timer in a savepoint of its own does', async () => {
    const [together, alone] = [await launched(dialect), await launched(dialect)];
    for (const { env, requests } of [together, alone]) {
      // B01 moves on (its materials deadline stops binding), B02's deadline is extended, B03 is exempted.
      for (const i of [0, 1, 4, 6]) await env.services.engine.sendBranchEvent(requests[i]);
    }
    // The clock jumps past every reminder of the materials deadline: only the latest step is sent.
    const at = '2020-12-05T03:00:00.000Z';
    const a = await together.env.services.engine.fireDueTimers(at);
    const b = await alone.env.services.engine.fireDueTimers(at, { oneByOne: true });
    expect(a).toEqual(b);
    expect(a.timersFired).toBeGreaterThan(2);
    const [ca, cb] = [await contents(together.env), await contents(alone.env)];
    expect(ca).toEqual(cb);
    expect(ca.timers.filter((t) => t.fired_at === at).map((t) => t.status)).toEqual(expect.arrayContaining(['fired', 'skipped']));
    expect(ca.mails.map((m) => m.template)).toEqual(expect.arrayContaining(['overdue', 'escalation']));
    expect((await together.env.services.engine.verifyAudit(await actorByEmail(together.env.services.db, OFFICE))).ok).toBe(true);
  });
});
