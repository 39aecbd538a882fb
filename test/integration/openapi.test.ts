// The OpenAPI document is served, lists every route, and each documented operation answers one of
// the status codes it documents (called as the office, with real parameters).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorByEmail } from '../../src/engine/actors';
import { apiRoutes } from '../../src/web/api';
import { exampleConfig, OFFICE, driver } from '../support/cycle';
import { dialects, makeTestEnv, type TestEnv } from '../support/db';
import { call, fileForm, PASSWORD, setPasswords, signIn, startServer, TINY_PDF, type HttpServer, type Session } from '../support/http';

interface Operation {
  summary: string;
  parameters?: { name: string; in: string; required?: boolean; schema?: { enum?: string[] } }[];
  requestBody?: { content: Record<string, unknown> };
  responses: Record<string, unknown>;
}
type Doc = { openapi: string; info: { title: string }; paths: Record<string, Record<string, Operation>> };

const toOpenApiPath = (p: string) => p.replace(/:(\w+)/g, '{$1}');
const cycleJson = (year: number) => JSON.stringify({ ...exampleConfig(), year, title: `${year}年度述职评议` });

describe.each(dialects)('the OpenAPI document on %s', (dialect) => {
  let env: TestEnv;
  let http: HttpServer;
  let office: Session;
  let doc: Doc;
  const params: Record<string, string> = { cycle: '2020', branch: 'B01' };
  let fileId: string;
  let mailId: number;

  /** Bodies for the office that the business rules answer (not all succeed: a refusal must be documented too). */
  const bodies: Record<string, () => unknown> = {
    'post /api/session': () => ({ email: OFFICE, password: PASSWORD }),
    'post /api/password/forgot': () => ({ email: 'b02@example.org' }),
    'post /api/password/reset': () => ({ token: 'no-such-link', password: 'Long-Enough-2020' }),
    'put /api/me/locale': () => ({ locale: 'zh-CN' }),
    'post /api/cycles': () => JSON.parse(cycleJson(2021)),
    'post /api/cycles/import': () => {
      const f = new FormData();
      f.append('config', new Blob([cycleJson(2022)], { type: 'application/json' }), 'cycle-2022.json');
      return f;
    },
    'post /api/cycles/{cycle}/events': () => ({ type: 'PUBLISH_RESULTS' }),
    'post /api/cycles/{cycle}/branches/{branch}/events': () => ({ type: 'ADJUST_SCORE', data: { points: 1, reason: '获评先进' } }),
    'put /api/cycles/{cycle}/branches/{branch}/score-draft': () => ({ scores: { effectiveness: 25 } }),
    'post /api/cycles/{cycle}/branches/{branch}/files': () => fileForm('file', 'office.pdf', TINY_PDF, 'application/pdf'),
    'post /api/cycles/{cycle}/branches/{branch}/ballots': () => ({ count: 2 }),
    'post /api/ballots/{token}': () => ({ choice: '满意' }),
  };

  beforeAll(async () => {
    env = await makeTestEnv(dialect);
    const s = env.services;
    await driver(s).create('2020-11-19T02:00:00Z', { democratic: { enabled: true, weightPercent: 30 } });
    await driver(s).launch('2020-11-20T02:00:00Z');
    await setPasswords(s);
    http = await startServer(s);
    office = await signIn(http.base, OFFICE);
    const b01 = await signIn(http.base, 'b01@example.org');
    const up = await call(http.base, 'POST', '/api/cycles/2020/branches/B01/files', { session: b01, body: fileForm('file', 'report.pdf', TINY_PDF, 'application/pdf') });
    expect(up.status, up.text).toBe(201);
    fileId = up.json.file.id;
    mailId = (await s.db('outbox').orderBy('id').first('id')).id;
    params.token = (await s.engine.issueBallots({ cycle: 2020, branch: 'B01', count: 1, actor: await actorByEmail(s.db, OFFICE) })).ballots[0].token;
  });
  afterAll(async () => {
    await http?.close();
    await env?.cleanup();
  });

  it('is served without signing in, as OpenAPI 3.1', async () => {
    const res = await call(http.base, 'GET', '/api/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    doc = res.json;
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(doc.info.title).toBeTruthy();
    expect(Object.keys(doc.paths).length).toBeGreaterThan(0);
  });

  it('documents every route of the API, and nothing else', () => {
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`));
    const declared = apiRoutes.map((r) => `${r.method} ${toOpenApiPath(r.path)}`);
    expect(documented.sort()).toEqual([...declared].sort());
    for (const [p, ops] of Object.entries(doc.paths)) {
      for (const [m, op] of Object.entries(ops)) {
        expect(op.summary, `${m} ${p}`).toBeTruthy();
        expect(Object.keys(op.responses).length, `${m} ${p}`).toBeGreaterThan(0);
        // Every {param} of the path is declared.
        for (const [, name] of p.matchAll(/\{(\w+)\}/g)) expect(op.parameters?.some((x) => x.in === 'path' && x.name === name), `${m} ${p} {${name}}`).toBe(true);
      }
    }
  });

  it('answers each documented operation with one of its documented codes', async () => {
    const operations = Object.entries(doc.paths)
      .flatMap(([p, ops]) => Object.entries(ops).map(([m, op]) => ({ method: m, path: p, op })))
      // Signing out ends the office's session: last.
      .sort((a, b) => Number(a.method === 'delete' && a.path === '/api/session') - Number(b.method === 'delete' && b.path === '/api/session'));
    const seen: string[] = [];
    const openStream = async (url: string) => {
      const controller = new AbortController();
      const r = await fetch(http.base + url, { headers: { cookie: `shuping_sid=${office.cookie}` }, signal: controller.signal });
      if (r.status === 200) {
        expect(r.headers.get('content-type')).toContain('text/event-stream');
        controller.abort();
        return { status: 200, text: '', json: undefined as any };
      }
      const text = await r.text();
      return { status: r.status, text, json: JSON.parse(text) };
    };
    for (const { method, path, op } of operations) {
      const key = `${method} ${path}`;
      const concrete = path.replace(/\{(\w+)\}/g, (_, name: string) => {
        if (name === 'id') return path.startsWith('/api/files/') ? fileId : String(mailId);
        expect(params[name], `${key}: no value for {${name}}`).toBeDefined();
        return encodeURIComponent(params[name]);
      });
      // Query parameters: the first allowed value.
      const query = (op.parameters ?? []).filter((x) => x.in === 'query' && x.schema?.enum?.length).map((x) => `${x.name}=${encodeURIComponent(x.schema!.enum![0])}`);
      const url = concrete + (query.length ? `?${query.join('&')}` : '');
      const body = bodies[key]?.() ?? (op.requestBody ? ('multipart/form-data' in op.requestBody.content ? new FormData() : {}) : undefined);
      // A server-sent event stream stays open: its status and headers are the answer.
      const res = path.endsWith('/stream') ? await openStream(url) : await call(http.base, method, url, { session: office, body });
      const label = `${method.toUpperCase()} ${url}: ${res.status} ${res.text.slice(0, 300)}`;
      expect(Object.keys(op.responses), label).toContain(String(res.status));
      if (res.status === 404) expect(res.json?.error?.message ?? '', label).not.toMatch(/^没有该接口/);
      if (res.status >= 400) {
        expect(typeof res.json?.error?.code, label).toBe('string');
        expect(typeof res.json?.error?.message, label).toBe('string');
      }
      seen.push(`${key} → ${res.status}`);
    }
    expect(seen).toHaveLength(apiRoutes.length);
  });

  it('answers an undocumented path with the unknown-route 404', async () => {
    const res = await call(http.base, 'GET', '/api/no-such-thing', { session: office });
    expect(res.status).toBe(404);
    expect(res.json.error.message).toMatch(/^没有该接口/);
  });
});
