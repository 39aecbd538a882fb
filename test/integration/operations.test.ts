// What an operator relies on: the client address comes from TRUST_PROXY, not from whatever a client on
// the loopback sends; every request is logged as one JSON line with a request id; /api/health says
// 503 when the database does not answer.
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { parseTrustProxy } from '../../src/config';
import { createApp } from '../../src/web/app';
import { driver, OFFICE } from '../support/cycle';
import { dialects, makeTestEnv, type TestEnv } from '../support/db';
import { call, setPasswords, startServer, type HttpServer } from '../support/http';

function capture(env: TestEnv): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      cb();
    },
  });
  env.services.log = pino({ name: 'shuping', level: 'info' }, sink);
  return lines;
}

describe('TRUST_PROXY', () => {
  it('parses what express takes: unset trusts nobody, a hop count, addresses, subnets and names; refuses the rest', () => {
    expect(parseTrustProxy(undefined)).toBe(false);
    expect(parseTrustProxy('')).toBe(false);
    expect(parseTrustProxy('1')).toBe(1);
    expect(parseTrustProxy('loopback, 10.0.0.0/8,2001:db8::/32 ,192.0.2.7')).toEqual(['loopback', '10.0.0.0/8', '2001:db8::/32', '192.0.2.7']);
    expect(() => parseTrustProxy('everyone')).toThrow(/TRUST_PROXY/);
    expect(() => parseTrustProxy('10.0.0.0/33')).toThrow(/TRUST_PROXY/);
    expect(() => parseTrustProxy('true')).toThrow(/TRUST_PROXY/);
  });
});

describe.each(dialects)('operations on %s', (dialect) => {
  let env: TestEnv;
  let http: HttpServer | undefined;
  beforeEach(async () => {
    env = await makeTestEnv(dialect);
    await driver(env.services).create();
    await setPasswords(env.services);
  });
  afterEach(async () => {
    await http?.close();
    http = undefined;
    await env?.cleanup();
  });

  const failSignIn = (client: string) => call(http!.base, 'POST', '/api/session', { headers: { 'x-forwarded-for': client }, body: { email: OFFICE, password: 'wrong-password' } });

  it('unset, the socket is the client: X-Forwarded-For from the loopback changes nothing (throttled as one client)', async () => {
    env.services.settings = { ...env.services.settings, trustProxy: false };
    const lines = capture(env);
    http = await startServer(env.services);
    const statuses = [];
    for (let i = 1; i <= 6; i++) statuses.push((await failSignIn(`203.0.113.${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    const clients = new Set(lines.filter((l) => l.msg === 'request').map((l) => l.client));
    expect([...clients]).toHaveLength(1);
    expect(String([...clients][0])).toMatch(/127\.0\.0\.1$/);
  });

  it('naming the proxy, its X-Forwarded-For names the client', async () => {
    env.services.settings = { ...env.services.settings, trustProxy: ['loopback'] };
    const lines = capture(env);
    http = await startServer(env.services);
    const statuses = [];
    for (let i = 1; i <= 6; i++) statuses.push((await failSignIn(`203.0.113.${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401]);
    expect(lines.filter((l) => l.msg === 'request').map((l) => l.client)).toEqual([1, 2, 3, 4, 5, 6].map((i) => `203.0.113.${i}`));
  });

  it('logs one JSON line per request with its id: a sane incoming X-Request-Id is kept and echoed, another replaced', async () => {
    const lines = capture(env);
    http = await startServer(env.services);
    const kept = await call(http.base, 'GET', '/api/health', { headers: { 'x-request-id': 'lb-7f3a:42' } });
    expect(kept.headers.get('x-request-id')).toBe('lb-7f3a:42');
    const replaced = await call(http.base, 'GET', '/api/health', { headers: { 'x-request-id': 'a b"c<script>' } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
    const none = await call(http.base, 'GET', '/api/health');
    expect(none.headers.get('x-request-id')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
    expect(none.headers.get('x-request-id')).not.toBe(replaced.headers.get('x-request-id'));
    await call(http.base, 'GET', '/password/abcdefghijklmnopqrstuvwxyz0123456789');
    const requests = lines.filter((l) => l.msg === 'request');
    expect(requests.map((l) => l.reqId)).toEqual(['lb-7f3a:42', replaced.headers.get('x-request-id'), none.headers.get('x-request-id'), expect.any(String)]);
    expect(requests[0]).toMatchObject({ method: 'GET', path: '/api/health', status: 200, level: 30, name: 'shuping' });
    expect(typeof requests[0].ms).toBe('number');
    // A one-time token in the path is not written to the log.
    expect(requests[3].path).toBe('/password/:token');
  });

  it('draining (graceful shutdown), a request that still arrives is refused 503 with Connection: close', async () => {
    const app = createApp(env.services);
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      expect((await call(base, 'GET', '/api/health')).status).toBe(200);
      app.drain();
      const refused = await call(base, 'GET', '/api/health');
      expect(refused.status).toBe(503);
      expect(refused.json.error.code).toBe('UNAVAILABLE');
      expect(refused.headers.get('connection')).toBe('close');
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('/api/health: 200 with the facts, 503 UNAVAILABLE when the database does not answer', async () => {
    http = await startServer(env.services);
    const ok = await call(http.base, 'GET', '/api/health');
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual({
      status: 'ok',
      database: dialect === 'postgres' ? 'postgresql' : 'sqlite',
      mail: { queued: 11, dead: 0 }, // the invitations of the cycle created above
      timers: { oldestDueSeconds: null },
    });
    await env.services.db.destroy();
    const down = await call(http.base, 'GET', '/api/health');
    expect(down.status).toBe(503);
    expect(down.json.error.code).toBe('UNAVAILABLE');
  });
});
