// Scoring from phones (issue 10): `panel links` prints one link per panel member; a link scores only
// its evaluator's branches of that cycle, with no password, obeying 回避 and 评分保密; a revoked or
// reissued link is refused, and every link is refused once results are published.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorByEmail } from '../../src/engine/actors';
import { cli } from '../support/cli';
import { bootstrapOffice, OFFICE, sheet } from '../support/cycle';
import { cliEnv, dialects, makeTestEnv, type TestEnv } from '../support/db';
import { call, setPasswords, signIn, startServer, type HttpServer } from '../support/http';
import { PANEL, yearDriver } from '../support/yearCycle';

const NOW = new Date().toISOString();
const tokenOf = (url: string) => new URL(url).pathname.split('/').pop()!;

describe.each(dialects)('panel scoring links on %s', (dialect) => {
  let env: TestEnv;
  let http: HttpServer;
  const links = new Map<string, string>();

  beforeAll(async () => {
    env = await makeTestEnv(dialect);
    await bootstrapOffice(env.services);
    const d = yearDriver(env.services, 2020);
    await d.create('2020-11-19T02:00:00Z');
    await d.launch('2020-11-20T02:00:00Z');
    for (const code of ['B01', 'B06']) {
      await d.toMeeting(code, NOW);
      await d.office(code, 'START_PRESENTATION', undefined, NOW);
      await d.office(code, 'END_PRESENTATION', undefined, NOW);
    }
    await setPasswords(env.services);
    http = await startServer(env.services);
  }, 60_000);
  afterAll(async () => {
    await http?.close();
    await env?.cleanup();
  });

  it('prints every panel member\'s link with `panel links`, or one member\'s with --email', async () => {
    const all = await cli(cliEnv(env), 'panel', 'links', '--cycle', '2020');
    expect(all.code, all.raw).toBe(0);
    expect(all.out.links.map((l: { email: string }) => l.email).sort()).toEqual([...PANEL].sort());
    for (const l of all.out.links) {
      expect(Object.keys(l).sort()).toEqual(['email', 'expiresAt', 'url']);
      expect(l.url).toMatch(/^http:\/\/shuping\.test\/p\/[A-Za-z0-9_-]{20,}$/);
      expect(Date.parse(l.expiresAt)).toBeGreaterThan(Date.now());
      links.set(l.email, tokenOf(l.url));
    }
    const one = await cli(cliEnv(env), 'panel', 'links', '--cycle', '2020', '--email', 'panel2@example.org');
    expect(one.out.links).toHaveLength(1);
    // Reissued: the older link of that member no longer works, the new one does.
    expect((await call(http.base, 'GET', `/api/panel/${links.get('panel2@example.org')}`)).status).toBe(403);
    links.set('panel2@example.org', tokenOf(one.out.links[0].url));
    expect((await call(http.base, 'GET', `/api/panel/${links.get('panel2@example.org')}`)).status).toBe(200);
    const bad = await cli(cliEnv(env), 'panel', 'links', '--cycle', '2020', '--email', 'b01@example.org');
    expect(bad.code).not.toBe(0);
    expect(bad.out.error.code).toBe('INVALID_INPUT');
  });

  it('scores through the link without a password: only that evaluator, only branches they are expected to score', async () => {
    const token = links.get('panel1@example.org')!;
    const home = await call(http.base, 'GET', `/api/panel/${token}`);
    expect(home.json).toMatchObject({ evaluator: '考评组成员一', cycle: { year: 2020 } });
    expect(home.json.branches.filter((b: { status: string }) => b.status === 'open').map((b: { code: string }) => b.code)).toEqual(['B01', 'B06']);
    const page = await call(http.base, 'GET', `/p/${token}/B01`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('党建工作成效');
    const scored = await call(http.base, 'POST', `/api/panel/${token}/branches/B01/score`, { body: { scores: sheet(92), comment: '融合有特色' } });
    expect(scored.status, scored.text).toBe(200);
    const row = await env.services.db('audit').where({ event_type: 'SUBMIT_SCORE' }).orderBy('id', 'desc').first();
    const panel1 = await actorByEmail(env.services.db, 'panel1@example.org');
    expect(row).toMatchObject({ actor: String(panel1.id), actor_name: '考评组成员一', actor_role: 'evaluator' });
    // 评分保密: the link shows its evaluator's own score only.
    const other = links.get('panel3@example.org')!;
    const form = await call(http.base, 'GET', `/api/panel/${other}/branches/B01`);
    expect(form.json.myScore).toBeNull();
    expect(JSON.stringify(form.json)).not.toContain('融合有特色');
    // Submitted: the branch shows as done, and a second score is the ordinary replacement only while scoring is open.
    expect((await call(http.base, 'GET', `/api/panel/${token}`)).json.branches.find((b: { code: string }) => b.code === 'B01').status).toBe('submitted');
  });

  it('never scores the evaluator\'s own branch (回避), however they act for it', async () => {
    const token = links.get('b06@example.org')!;
    const home = await call(http.base, 'GET', `/api/panel/${token}`);
    expect(home.json.branches.map((b: { code: string }) => b.code)).not.toContain('B06');
    const refused = await call(http.base, 'POST', `/api/panel/${token}/branches/B06/score`, { body: { scores: sheet(100) } });
    expect(refused.status).toBe(403);
    expect((await call(http.base, 'GET', `/api/panel/${token}/branches/B06`)).status).toBe(403);
    expect((await call(http.base, 'GET', `/p/${token}/B06`)).status).toBe(403);
    // A link is for scoring only: the evaluator's other doors stay shut to it.
    expect((await call(http.base, 'GET', '/api/cycles/2020/branches/B01', { headers: { cookie: `shuping_sid=${token}` } })).status).toBe(401);
    const ctx = JSON.parse((await env.services.db('branch_reviews').where({ code: 'B06' }).first('snapshot')).snapshot).context;
    expect(Object.keys(ctx.scores)).toEqual([]);
  });

  it('refuses a revoked link', async () => {
    const office = await signIn(http.base, OFFICE);
    const panel4 = await actorByEmail(env.services.db, 'panel4@example.org');
    const token = links.get('panel4@example.org')!;
    expect((await call(http.base, 'GET', `/api/panel/${token}`)).status).toBe(200);
    const revoked = await call(http.base, 'DELETE', `/api/cycles/2020/panel-links/${panel4.id}`, { session: office });
    expect(revoked.json).toEqual({ revoked: 1 });
    const refused = await call(http.base, 'POST', `/api/panel/${token}/branches/B01/score`, { body: { scores: sheet(90) } });
    expect(refused.status).toBe(403);
    expect(refused.json.error.details.reason).toBe('LINK_REVOKED');
    expect((await call(http.base, 'GET', `/p/${token}`)).status).toBe(403);
    expect((await call(http.base, 'GET', '/api/panel/no-such-link-at-all')).status).toBe(404);
  });

  it('gives the office the links as QR codes (SVG, made by the app)', async () => {
    const office = await signIn(http.base, OFFICE);
    const res = await call(http.base, 'POST', '/api/cycles/2020/panel-links', { session: office, body: { email: 'panel4@example.org' } });
    expect(res.status).toBe(201);
    const [link] = res.json.links;
    expect(link.qr).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(Buffer.from(link.qr.split(',')[1], 'base64').toString()).toContain('<svg');
    links.set('panel4@example.org', tokenOf(link.url));
    const status = await call(http.base, 'GET', '/api/cycles/2020/panel-links', { session: office });
    expect(status.json.panel.every((p: { expiresAt: string | null }) => p.expiresAt !== null)).toBe(true);
    expect((await call(http.base, 'POST', '/api/cycles/2020/panel-links', { session: await signIn(http.base, 'panel1@example.org'), body: {} })).status).toBe(403);
  });

  it('refuses every link once results are published', async () => {
    const d = yearDriver(env.services, 2020);
    for (const p of PANEL) if (p !== 'panel1@example.org') await d.send(p, 'B01', 'SUBMIT_SCORE', { scores: sheet(88) }, NOW);
    for (const p of PANEL) if (p !== 'b06@example.org') await d.send(p, 'B06', 'SUBMIT_SCORE', { scores: sheet(85) }, NOW);
    await d.exempt(['B02', 'B03', 'B04', 'B05'], NOW);
    await d.publish(NOW);
    for (const [email, token] of links) {
      const r = await call(http.base, 'GET', `/api/panel/${token}`);
      expect(r.status, email).toBe(403);
      expect(r.json.error.details.reason).toBe('LINK_EXPIRED');
    }
    const office = await actorByEmail(env.services.db, OFFICE);
    await expect(env.services.engine.issuePanelLinks(2020, office)).rejects.toMatchObject({ code: 'EVENT_NOT_ALLOWED' });
  });
});
