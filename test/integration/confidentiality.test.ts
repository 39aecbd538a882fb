// 评分保密 and 回避 through every read path, for every role, before and after publication: the
// office's adjustments and vetoes (with their reasons) and each evaluator's scores and comments
// reach nobody they should not — not in the JSON, the HTML, the history, the documents or the CLI.
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorByEmail } from '../../src/engine/actors';
import { cli } from '../support/cli';
import { driver, OFFICE, sheet } from '../support/cycle';
import { cliEnv, dialects, makeTestEnv, type TestEnv } from '../support/db';
import { call, setPasswords, signIn, startServer, type HttpServer, type Session } from '../support/http';

const VETO_REASON = 'SECRET-VETO-B01-发生安全生产责任事故';
const ADJUST_REASON = 'SECRET-ADJUST-B02-未按期完成专项整治';
const PANEL = ['panel1@example.org', 'panel2@example.org', 'panel3@example.org', 'panel4@example.org', 'b06@example.org'];
const commentOf = (email: string, code: string) => `COMMENT-${code}-${email.split('@')[0]}-党建融合尚需加强`;
const DEPUTY = 'deputy.b01@example.org';
const MEETING = '2020-12-12T02:00:00Z';

type Viewer = 'office' | 'leader' | 'secretary' | 'deputy' | 'evaluator' | 'otherSecretary' | 'conflicted';
const EMAIL: Record<Viewer, string> = {
  office: OFFICE,
  leader: 'secretary.party@example.org',
  secretary: 'b01@example.org',
  deputy: DEPUTY,
  evaluator: 'panel1@example.org',
  otherSecretary: 'b02@example.org',
  conflicted: 'b06@example.org', // B06's secretary and a panel member
};
const VIEWERS = Object.keys(EMAIL) as Viewer[];

/** Everything a viewer can get from every read path: JSON, pages, documents (as text), the CLI. */
async function everythingSeenBy(http: HttpServer, env: TestEnv, who: Viewer, session: Session): Promise<string> {
  const parts: string[] = [];
  const get = async (path: string) => {
    const r = await call(http.base, 'GET', path, { session });
    if (r.status >= 500) throw new Error(`${path} answered ${r.status}`);
    if ((r.headers.get('content-type') ?? '').includes('spreadsheetml')) {
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(Buffer.from(await (await fetch(http.base + path, { headers: { cookie: `shuping_sid=${session.cookie}` } })).arrayBuffer()) as never);
      wb.eachSheet((ws) => ws.eachRow((row) => parts.push(JSON.stringify(row.values))));
    } else parts.push(r.text);
  };
  for (const code of ['B01', 'B02', 'B06']) {
    await get(`/api/cycles/2020/branches/${code}`);
    await get(`/cycles/2020/branches/${code}`);
    await get(`/cycles/2020/branches/${code}/score`);
  }
  for (const path of ['/api/tasks', '/tasks', '/api/cycles/2020', '/cycles/2020', '/dashboard?cycle=2020', '/api/cycles']) await get(path);
  for (const kind of ['results', 'ledger', 'bulletin', 'letters']) await get(`/api/cycles/2020/export?kind=${kind}`);
  for (const code of ['B01', 'B02']) parts.push((await cli(cliEnv(env), 'status', '--cycle', '2020', '--branch', code, '--as', EMAIL[who])).raw);
  parts.push((await cli(cliEnv(env), 'status', '--cycle', '2020', '--as', EMAIL[who])).raw);
  return parts.join('\n');
}

describe.each(dialects)('评分保密 and 回避 on %s', (dialect) => {
  let env: TestEnv;
  let http: HttpServer;
  const sessions = {} as Record<Viewer, Session>;

  beforeAll(async () => {
    env = await makeTestEnv(dialect);
    const s = env.services;
    const d = driver(s);
    await d.create();
    await d.launch('2020-11-20T02:00:00Z');
    // The secretary names a deputy, who acts for B01 from now on.
    await s.engine.setDeputy(2020, 'B01', { email: DEPUTY, name: '李副书记' }, await actorByEmail(s.db, 'b01@example.org'), '2020-11-21T02:00:00Z');
    for (const code of ['B01', 'B02']) {
      await d.secretary(code, 'ACKNOWLEDGE', undefined, '2020-11-22T02:00:00Z');
      await d.secretary(code, 'SUBMIT_MATERIALS', { summary: `${code} 述职报告` }, '2020-11-25T02:00:00Z');
      await d.office(code, 'ACCEPT_MATERIALS', undefined, '2020-11-26T02:00:00Z');
      await d.office(code, 'START_PRESENTATION', undefined, MEETING);
      await d.office(code, 'END_PRESENTATION', undefined, MEETING);
      for (const [i, email] of PANEL.entries()) await d.send(email, code, 'SUBMIT_SCORE', { scores: sheet(80 + i), comment: commentOf(email, code) }, MEETING);
    }
    for (const code of ['B03', 'B04', 'B05', 'B06']) await d.office(code, 'EXEMPT', { reason: '撤并' }, MEETING);
    await d.office('B01', 'VETO', { reason: VETO_REASON }, MEETING);
    await d.office('B02', 'ADJUST_SCORE', { points: -3, reason: ADJUST_REASON }, MEETING);
    await setPasswords(s);
    http = await startServer(s);
    for (const v of VIEWERS) sessions[v] = await signIn(http.base, EMAIL[v]);
  }, 120_000);

  afterAll(async () => {
    await http?.close();
    await env?.cleanup();
  });

  it('before publication: only the office sees the adjustment and the veto with their reasons', async () => {
    for (const v of VIEWERS) {
      const seen = await everythingSeenBy(http, env, v, sessions[v]);
      if (v === 'office') {
        expect(seen).toContain(VETO_REASON);
        expect(seen).toContain(ADJUST_REASON);
        continue;
      }
      expect(seen, `${v} sees the veto`).not.toContain(VETO_REASON);
      expect(seen, `${v} sees the adjustment`).not.toContain(ADJUST_REASON);
      expect(seen, `${v} sees that a veto exists`).not.toMatch(/"event":"VETO"|"event":"ADJUST_SCORE"/);
    }
  });

  it('before publication: nobody but its author sees an evaluator\'s scores or comment', async () => {
    for (const v of VIEWERS) {
      const seen = await everythingSeenBy(http, env, v, sessions[v]);
      for (const email of PANEL) {
        for (const code of ['B01', 'B02']) {
          const mine = email === EMAIL[v];
          if (mine) expect(seen, `${v} sees their own comment on ${code}`).toContain(commentOf(email, code));
          else expect(seen, `${v} sees ${email}'s comment on ${code}`).not.toContain(commentOf(email, code));
        }
      }
    }
  });

  describe('after publication', () => {
    beforeAll(async () => {
      await env.services.engine.publishResults(2020, await actorByEmail(env.services.db, OFFICE), '2020-12-20T02:00:00Z');
    });

    it("the branch sees its own sheet with the veto and its reason, and the panel's comments without names", async () => {
      for (const v of ['secretary', 'deputy'] as const) {
        const r = await call(http.base, 'GET', '/api/cycles/2020/branches/B01', { session: sessions[v] });
        expect(r.status).toBe(200);
        expect(r.json.branch.veto).toEqual({ reason: VETO_REASON });
        expect(r.json.branch.result.grade).toBe('差');
        expect(r.json.branch.comments).toEqual(expect.arrayContaining(PANEL.map((e) => commentOf(e, 'B01'))));
        // Per-evaluator scores stay hidden from secretaries, and no evaluator is named.
        expect(r.json.branch.scores).toEqual([]);
        for (const name of ['考评组成员一', '考评组成员二', '杨帆']) expect(r.text).not.toContain(name);
        const page = await call(http.base, 'GET', '/cycles/2020/branches/B01', { session: sessions[v] });
        expect(page.text).toContain(VETO_REASON);
        expect(page.text).toContain(commentOf('panel3@example.org', 'B01'));
      }
    });

    it("another branch's secretary sees their own adjustment but nothing of B01", async () => {
      const own = await call(http.base, 'GET', '/api/cycles/2020/branches/B02', { session: sessions.otherSecretary });
      expect(own.json.branch.adjustments).toEqual([{ points: -3, reason: ADJUST_REASON }]);
      const seen = await everythingSeenBy(http, env, 'otherSecretary', sessions.otherSecretary);
      expect(seen).not.toContain(VETO_REASON);
      expect(seen).not.toContain(commentOf('panel1@example.org', 'B01'));
    });

    it('an evaluator still sees only their own scores, never another evaluator\'s', async () => {
      const r = await call(http.base, 'GET', '/api/cycles/2020/branches/B01', { session: sessions.evaluator });
      expect(r.json.branch.scores.map((s: { mine: boolean }) => s.mine)).toEqual([true]);
      expect(r.text).not.toContain('考评组成员二');
    });
  });
});
