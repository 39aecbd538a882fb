// Several app processes share one database: two `npm start` processes (each with its scheduler and
// dispatcher) take concurrent clients sending events with expectedVersion over HTTP. Every accepted
// event has exactly one audit record, versions run without gaps, every refusal is a 409, and each
// branch's audit replays to its snapshot.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, setPasswords, signIn, type Session } from '../support/http';
import { dialects, makeTestEnv, type TestEnv } from '../support/db';
import { auditQuestions, bigCycle, OFFICE, wholeness } from '../support/fleet';
import { processEnv, runCli, startApp, type AppProcess } from '../support/processes';

const BRANCHES = 50;
const CLIENTS = 8;
const EVENTS = 2000;

describe.each(dialects)('two app processes on one %s database', (dialect) => {
  let env: TestEnv;
  let codes: string[];
  const apps: AppProcess[] = [];

  beforeAll(async () => {
    env = await makeTestEnv(dialect);
    codes = await bigCycle(env.services, BRANCHES, { liveReview: true });
    await setPasswords(env.services);
    apps.push(...(await Promise.all([startApp(processEnv(env)), startApp(processEnv(env))])));
  }, 120_000);
  afterAll(async () => {
    for (const app of apps) app.kill('SIGTERM');
    await Promise.all(apps.map((a) => a.exited));
    await env?.cleanup();
  });

  it('both answer /api/health with the database, the mail counts and the scheduler lag', async () => {
    for (const app of apps) {
      const res = await call(app.base, 'GET', '/api/health');
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ status: 'ok', database: dialect === 'postgres' ? 'postgresql' : 'sqlite', mail: { queued: expect.any(Number), dead: 0 } });
      expect(res.json.timers).toHaveProperty('oldestDueSeconds');
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it(`${CLIENTS} clients send ${EVENTS} events to ${BRANCHES} branches through both: each accepted once, each refusal a 409`, async () => {
    const db = env.services.db;
    const start = Object.fromEntries(((await db('branch_reviews').select('code', 'version')) as { code: string; version: number }[]).map((b) => [b.code, b.version]));
    const sessions: Session[] = [];
    for (let c = 0; c < CLIENTS; c++) sessions.push(await signIn(apps[c % 2].base, OFFICE));
    const answers: { n: number; branch: string; status: number; code?: string; version?: number }[] = [];
    let next = 0;
    // The clients share what they last saw (as if each read the branch first): a refusal is a real race.
    const seen = { ...start };
    const t0 = Date.now();
    await Promise.all(
      sessions.map(async (session, c) => {
        for (let n = next++; n < EVENTS; n = next++) {
          const branch = codes[Math.floor(Math.random() * codes.length)];
          const res = await call(apps[(c + n) % 2].base, 'POST', `/api/cycles/2020/branches/${branch}/events`, {
            session,
            body: { type: 'RECORD_QA', data: { question: `q${n}`, answer: `a${n}`, askedBy: '考评组' }, expectedVersion: seen[branch] },
          });
          answers.push({ n, branch, status: res.status, code: res.json?.error?.code, version: res.json?.version });
          if (res.status === 200) seen[branch] = res.json.version;
          else if (res.json?.error?.details?.currentVersion) seen[branch] = res.json.error.details.currentVersion;
        }
      }),
    );
    const ms = Date.now() - t0;
    const accepted = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status !== 200);
    console.info(`[multiProcess ${dialect}] ${EVENTS} events in ${ms} ms: ${accepted.length} accepted, ${refused.length} refused (409)`);
    expect(answers).toHaveLength(EVENTS);
    expect(refused.every((a) => a.status === 409 && a.code === 'VERSION_CONFLICT')).toBe(true);
    expect(accepted.length).toBeGreaterThan(EVENTS / 10);

    // Exactly one audit record per accepted event, at the version it was answered with; none for a refusal.
    const byQuestion = await auditQuestions(db);
    const ids = new Map(((await db('branch_reviews').select('id', 'code')) as { id: number; code: string }[]).map((b) => [b.code, b.id]));
    for (const a of accepted) expect(byQuestion.get(`q${a.n}`), `q${a.n}`).toEqual([{ branch: ids.get(a.branch), version: a.version }]);
    for (const a of refused) expect(byQuestion.get(`q${a.n}`), `q${a.n}`).toBeUndefined();
    expect([...byQuestion.values()].flat()).toHaveLength(accepted.length);

    // Versions without gaps; the snapshot's Q&A are the audit's, in order; versions = LAUNCH + one per event.
    expect(await wholeness(db)).toEqual([]);
    const versions = Object.fromEntries(((await db('branch_reviews').select('code', 'version')) as { code: string; version: number }[]).map((b) => [b.code, b.version]));
    for (const c of codes) expect(versions[c] - start[c]).toBe(accepted.filter((a) => a.branch === c).length);
    const verified = await runCli(processEnv(env), 'audit', 'verify');
    expect(verified.json, verified.stdout + verified.stderr).toMatchObject({ ok: true });
    for (const app of apps) expect(app.output()).not.toMatch(/"level":(50|60)/);
  }, 180_000);
});
