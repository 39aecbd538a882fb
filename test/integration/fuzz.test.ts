// Issue 7, "Bad input never becomes a 500", by property: every route of the API (as declared in
// src/web/api.ts, the routes of /api/openapi.json) and every page with parameters is sent malformed,
// oversized, wrongly typed and hostile path parameters, queries, headers and bodies — injection
// strings, NUL, lone surrogates, huge, negative and exponent numbers, deep nesting, wrong content
// types, broken JSON, broken multipart — signed out and as each role, on SQLite and PostgreSQL,
// with a fixed seed. It passes only when no answer is a 5xx, every API 4xx has the error shape, no
// write route answers 2xx (only input that must be refused is sent to them), and the database and
// the stored uploads are unchanged.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import querystring from 'node:querystring';
import ExcelJS from 'exceljs';
import express from 'express';
import fc from 'fast-check';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBranchesCsv } from '../../src/domain/roster';
import { cycleConfigSchema, eventDataSchemas, idempotencyKeySchema } from '../../src/domain/schemas';
import { apiRoutes, type ApiRoute } from '../../src/web/api';
import { openApiDocument } from '../../src/web/openapi';
import { mountPages } from '../../src/web/pages';
import { driver, exampleBranchesCsv, exampleConfig } from '../support/cycle';
import { dialects, makeTestEnv, type TestEnv } from '../support/db';
import { setPasswords, signIn, startServer, TINY_PDF, type HttpServer, type Session } from '../support/http';

/** Runs per route per principal: ~36 routes × 5 principals × 25 on each database. */
const RUNS = 25;
const PAGE_RUNS = 5;
const SEED = 20261107;

type Principal = 'none' | 'office' | 'leader' | 'secretary' | 'evaluator';
const EMAIL: Record<Exclude<Principal, 'none'>, string> = {
  office: 'office@example.org',
  leader: 'secretary.party@example.org',
  secretary: 'b01@example.org',
  evaluator: 'panel1@example.org',
};
const PRINCIPALS = Object.keys({ none: 0, ...EMAIL }) as Principal[];

/**
 * Tables a refused request may legitimately write: a failed sign-in is counted (login_failures),
 * and a reset request is written down whatever the address (password_reset_requests). Every other
 * table must be unchanged, row for row.
 */
const MAY_CHANGE = new Set(['login_failures', 'password_reset_requests']);

// ---------------------------------------------------------------------------------------------
// Hostile values

const NUL = ['\u0000', 'a\u0000b', 'B0\u00001', 'office@example.org\u0000'];
const SURROGATES = ['\ud800', 'x\udfff', '\udbff\ud800', '述\udc00职'];
const CONTROLS = ['\u0007', '\u001b[31mred', '\u007f', '\u0008\u000b\u000c'];
const INJECTION = [
  "' OR '1'='1", "1; DROP TABLE users;--", '" OR 1=1 --', '1 UNION SELECT password_hash FROM users', "'); DELETE FROM audit; --",
  '<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', '{{7*7}}', '${7*7}', '<%= 7*7 %>',
  '../../etc/passwd', '..\\..\\windows\\win.ini', '/etc/passwd', '%00', '%2e%2e%2f', 'file:///etc/passwd',
  '__proto__', 'constructor', 'null', 'undefined', '\u202eevil', '\ufeff', '😀', '\r\nX-Injected: 1',
];
const NUMBERISH = ['1e20', '3000000000', '2147483648', '-1', '0', '1.5', 'abc', '0x10', ' 1', '1 ', 'Infinity', 'NaN', '１２３', '9'.repeat(40), '-0', '+1'];
const LONG = ['x'.repeat(5_000), '述'.repeat(3_000)];
const HOSTILE_STRINGS = [...NUL, ...SURROGATES, ...CONTROLS, ...INJECTION, ...NUMBERISH, ...LONG, ''];
const HOSTILE_NUMBERS = [-1, 0, 1.5, 1e20, -1e20, 3e9, 2 ** 31, 2 ** 53 + 2, 1e308, -1e308, Number.MIN_VALUE, -0];

const hostileString = fc.oneof(
  { arbitrary: fc.constantFrom(...HOSTILE_STRINGS), weight: 6 },
  { arbitrary: fc.tuple(fc.string({ maxLength: 8 }), fc.constantFrom(...NUL, ...SURROGATES, ...CONTROLS)).map(([a, b]) => a + b), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 20 }), weight: 2 },
);
const hostileNumber = fc.oneof(fc.constantFrom(...HOSTILE_NUMBERS), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer());
/** Nested arrays or objects hundreds to thousands deep. */
const deep = fc.tuple(fc.integer({ min: 100, max: 3_000 }), fc.boolean()).map(([n, arr]) => JSON.parse(arr ? '['.repeat(n) + ']'.repeat(n) : '{"a":'.repeat(n) + '1' + '}'.repeat(n)));
/**
 * In a URL, hostile strings are cut to 200 characters: past Node's 16 KB header limit the HTTP server
 * itself answers 431 before the application sees the request.
 */
const urlString = hostileString.map((s) => s.slice(0, 200));
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: hostileString, weight: 5 },
  { arbitrary: hostileNumber, weight: 3 },
  { arbitrary: fc.constantFrom(null, true, false, [], {}), weight: 2 },
  { arbitrary: fc.array(hostileString, { maxLength: 3 }), weight: 1 },
  { arbitrary: fc.dictionary(hostileString, hostileString, { maxKeys: 3 }), weight: 1 },
  { arbitrary: deep, weight: 1 },
);

/** A path segment as a client would send it: percent-encoded, a lone surrogate as its (invalid) WTF-8 bytes. */
function encodeSegment(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff) {
      out += encodeURIComponent(s.slice(i, i + 2));
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      out += [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    } else out += encodeURIComponent(s[i]);
  }
  return out;
}

/** Header values Node's client will send: visible ASCII and latin1, no line breaks. */
const headerValue = fc.oneof(
  fc.constantFrom('', 'a b', 'ü', 'x'.repeat(300), "' OR 1=1 --", '<script>', '../../etc/passwd', '%00', '1e20', 'null'),
  fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((n) => String.fromCharCode(n === 0x7f ? 0x7e : n)), maxLength: 30 }),
);
/** Idempotency-Keys the API must refuse (its schema is asked below, so the list cannot drift). */
const BAD_KEYS = ['k'.repeat(201), 'a b', 'ü', '', 'x'.repeat(1_000), 'key\u00e9', '"quoted" key'];

// ---------------------------------------------------------------------------------------------
// Nearly valid bodies: the edge lets them through (an event's data, a cycle's configuration are the
// engine's to check), so one hostile value deep inside must be refused by the engine's own schemas.

type Path = (string | number)[];
function leafPaths(v: unknown, at: Path = []): Path[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => leafPaths(x, [...at, i]));
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => leafPaths(x, [...at, k]));
  return [at];
}
function setAt<T>(root: T, at: Path, value: unknown): T {
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node = copy;
  for (const k of at.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
  node[at.at(-1)!] = value;
  return copy as T;
}
const CONFIG = exampleConfig();
const CONFIG_LEAVES = leafPaths(CONFIG);
/** The example configuration with one leaf (anywhere: year, a deadline, a panel member's name…) made hostile. */
const nearlyValidConfig = fc.tuple(fc.constantFrom(...CONFIG_LEAVES), hostileValue).map(([at, v]) => setAt(CONFIG, at, v));
const EVENT_TYPES = Object.keys(eventDataSchemas) as (keyof typeof eventDataSchemas)[];
/** A known event type with data whose fields are those its schema names, filled with hostile values. */
const nearlyValidEvent = fc.constantFrom(...EVENT_TYPES).chain((type) => {
  const keys = schemaKeys(eventDataSchemas[type]);
  return fc
    .tuple(fc.subarray(keys, { minLength: Math.min(1, keys.length) }), fc.array(hostileValue, { minLength: keys.length, maxLength: keys.length }))
    .map(([chosen, values]) => ({ type, data: Object.fromEntries(chosen.map((k) => [k, values[keys.indexOf(k)]])) }));
});
const eventFails = (b: { type: keyof typeof eventDataSchemas; data: unknown }) => !eventDataSchemas[b.type].safeParse(b.data).success;
const BRANCHES_CSV = fs.readFileSync(exampleBranchesCsv, 'utf8');
/** The example branches CSV with one cell replaced by a hostile string (quotes and line breaks kept as CSV). */
const nearlyValidCsv = fc.tuple(fc.nat(), fc.nat(), hostileString).map(([r, c, v]) => {
  const rows = BRANCHES_CSV.trim().split('\n').map((l) => l.split(','));
  const row = rows[1 + (r % (rows.length - 1))];
  row[c % row.length] = /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
  return rows.map((x) => x.join(',')).join('\n');
});
const csvRows = (csv: string) => {
  try {
    return parseBranchesCsv(csv);
  } catch {
    return undefined;
  }
};

/** Routes whose bodies get the nearly valid treatment, and when such a body must be refused. */
const DEEP: Record<string, { arb: fc.Arbitrary<unknown>; fails: (body: unknown) => boolean }> = {
  'post /api/cycles': { arb: nearlyValidConfig, fails: (b) => !cycleConfigSchema.safeParse(b).success },
  'post /api/cycles/:cycle/branches/:branch/events': { arb: nearlyValidEvent, fails: (b) => eventFails(b as Parameters<typeof eventFails>[0]) },
};

// ---------------------------------------------------------------------------------------------
// Requests

interface Built {
  mode: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  csrf: boolean;
  /** When true the request must be refused (a write route may get nothing else). */
  mustFail: boolean;
}

const VALID_PARAM: Record<string, string> = { cycle: '2020', branch: 'B01', id: '1', token: 'abcdefghijklmnop' };
const validParams = (route: ApiRoute) =>
  Object.fromEntries([...route.path.matchAll(/:(\w+)/g)].map(([, name]) => [name, route.path.startsWith('/api/files/') ? '0'.repeat(32) : VALID_PARAM[name] ?? 'x']));

const schemaKeys = (schema: z.ZodType | undefined): string[] => {
  if (!schema) return [];
  try {
    return Object.keys((z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, unknown> }).properties ?? {});
  } catch {
    return [];
  }
};
const fails = (schema: z.ZodType | undefined, value: unknown) => Boolean(schema) && !schema!.safeParse(value).success;

const MALFORMED_JSON = ['{', '{"email":', '[1,2', '{"a":1}}', 'nul', '{\'a\':1}', '{"a":undefined}', '{"a":01}', '{"a":"\\x00"}', '5', '"string"', 'true', '\u0000', '{"a" 1}', ' ,'];
const malformedJson = fc.oneof(
  fc.constantFrom(...MALFORMED_JSON),
  fc.string({ maxLength: 30 }).filter((s) => {
    if (!s.trim()) return false;
    try {
      const v = JSON.parse(s);
      return typeof v !== 'object' || v === null; // the JSON parser is strict: only objects and arrays pass
    } catch {
      return true;
    }
  }),
);
const WRONG_TYPES = ['text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'application/octet-stream', 'text/html', 'application/jsonx', 'image/png'];

interface Files { exe: Buffer; docxThatIsXlsx: Buffer; truncatedZip: Buffer; text: Buffer; xlsx: Buffer }

function multipart(parts: { name: string; disposition?: string; type?: string; content: Buffer | string }[], boundary = 'FuZz'): Buffer {
  return Buffer.concat([
    ...parts.flatMap((p) => [
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${p.disposition ? `; ${p.disposition}` : ''}\r\nContent-Type: ${p.type ?? 'application/octet-stream'}\r\n\r\n`, 'latin1'),
      Buffer.from(p.content),
      Buffer.from('\r\n'),
    ]),
    Buffer.from(`--${boundary}--\r\n`),
  ]);
}

/** The request generator for one route: every mode makes the request one the route must refuse (GETs may also succeed). */
function requests(route: ApiRoute, files: Files): fc.Arbitrary<Built> {
  const keys = schemaKeys(route.body);
  const bodyObject = fc.oneof(
    { arbitrary: hostileValue, weight: 2 },
    {
      arbitrary: fc
        .tuple(fc.subarray(keys), fc.array(hostileValue, { minLength: keys.length, maxLength: keys.length }), fc.dictionary(hostileString, hostileValue, { maxKeys: 2 }))
        .map(([chosen, values, extra]) => ({ ...extra, ...Object.fromEntries(chosen.map((k) => [k, values[keys.indexOf(k)]])) })),
      weight: 5,
    },
  );
  const paramNames = [...route.path.matchAll(/:(\w+)/g)].map(([, n]) => n);
  const hostileParam = fc.oneof(
    { arbitrary: urlString.filter((s) => s !== ''), weight: 8 },
    { arbitrary: fc.constantFrom('%zz', '%E0%A4%A', '%', '..', '.', '%C0%AE%C0%AE').map((s) => ({ raw: s })), weight: 2 },
  );
  const queryPairs = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...schemaKeys(route.query), 'lang', 'cycle', 'status', 'kind', 'offset', 'limit'), urlString), urlString), { maxLength: 4 });
  const write = route.method !== 'get';

  const deep = DEEP[`${route.method} ${route.path}`];
  type Mode = 'deep' | 'deepImport' | 'params' | 'body' | 'wrongType' | 'multipartToJson' | 'query' | 'malformedJson' | 'utf16' | 'oversized' | 'badKey' | 'noCsrf' | 'noBoundary' | 'truncated' | 'nulName' | 'badFile' | 'strayField';
  const modes: { arbitrary: fc.Arbitrary<Mode>; weight: number }[] = [];
  const add = (weight: number, ...ms: Mode[]) => ms.forEach((m) => modes.push({ arbitrary: fc.constant(m), weight }));
  add(2, 'badKey');
  add(1, 'noCsrf');
  if (paramNames.length) add(6, 'params');
  if (route.body) add(8, 'body');
  if (route.body) add(2, 'wrongType', 'multipartToJson');
  if (route.query) add(6, 'query');
  if (write) add(2, 'malformedJson');
  if (write) add(1, 'utf16');
  if (write) add(1, 'oversized');
  if (route.multipart) add(3, 'noBoundary', 'truncated', 'nulName', 'badFile', 'strayField', 'wrongType');
  if (deep) add(12, 'deep');
  if (route.multipart?.includes('branches')) add(6, 'deepImport');

  return fc
    .record({
      mode: fc.oneof(...modes),
      params: fc.record(Object.fromEntries(paramNames.map((n) => [n, hostileParam]))) as fc.Arbitrary<Record<string, string | { raw: string }>>,
      whichParams: fc.subarray(paramNames, { minLength: paramNames.length ? 1 : 0 }),
      body: bodyObject,
      malformed: malformedJson,
      query: queryPairs,
      key: fc.constantFrom(...BAD_KEYS),
      wrongType: fc.constantFrom(...WRONG_TYPES),
      // A cookie only counts signed out: a principal's session cookie replaces it.
      extraHeaders: fc.dictionary(fc.constantFrom('accept-language', 'x-forwarded-for', 'user-agent', 'referer', 'origin', 'cookie', 'if-none-match', 'accept'), headerValue, { maxKeys: 3 }),
      file: fc.constantFrom<keyof Files>('exe', 'docxThatIsXlsx', 'truncatedZip', 'text', 'xlsx'),
      fileName: fc.constantFrom('report.pdf', 'report.docx', 'branches.xlsx', 'branches.csv', 'setup.exe', '../../etc/passwd', 'a\u00e9.pdf', ''),
      cut: fc.double({ min: 0.05, max: 0.95, noNaN: true }),
      deepBody: deep ? deep.arb : fc.constant(undefined),
      config: nearlyValidConfig,
      csv: nearlyValidCsv,
      mismatch: fc.constantFrom<[Buffer, string]>(
        [files.exe, 'report.pdf'], [files.exe, 'setup.exe'], [files.text, 'report.pdf'], [files.text, 'notes.txt'], [files.docxThatIsXlsx, 'report.docx'],
        [files.truncatedZip, 'report.docx'], [TINY_PDF, 'report.docx'], [TINY_PDF, 'report.png'], [files.xlsx, 'report.pdf'], [files.xlsx, 'report.xls'],
      ),
    })
    .map((g): Built => {
      const q = g.query.map(([k, v]) => `${encodeSegment(k)}=${encodeSegment(v)}`).join('&');
      const params: Record<string, string> = validParams(route);
      const rawNames = new Set<string>();
      let mustFail = false;
      const headers: Record<string, string> = { ...g.extraHeaders };
      let body: Buffer | undefined;
      let csrf = true;
      const jsonBody = (value: unknown) => {
        headers['content-type'] = 'application/json';
        body = Buffer.from(JSON.stringify(value) ?? 'null');
      };
      if (write && route.body) jsonBody(g.body);
      switch (g.mode) {
        case 'params':
          for (const n of g.whichParams) {
            const v = g.params[n];
            if (typeof v === 'object') {
              params[n] = v.raw;
              rawNames.add(n);
            } else params[n] = v;
          }
          // A raw segment is one the router cannot decode (400) or a dot segment no schema accepts.
          mustFail = rawNames.size > 0 || fails(route.params, params);
          break;
        case 'body':
          jsonBody(g.body);
          mustFail = fails(route.body, g.body);
          break;
        case 'wrongType':
          headers['content-type'] = g.wrongType;
          body = Buffer.from(JSON.stringify(g.body) ?? 'x');
          mustFail = route.multipart ? true : fails(route.body, undefined);
          break;
        case 'multipartToJson':
          headers['content-type'] = 'multipart/form-data; boundary=FuZz';
          body = multipart([{ name: 'email', content: 'office@example.org' }]);
          mustFail = fails(route.body, undefined);
          break;
        case 'query':
          // As the server will read it (express's "simple" query parser is node:querystring).
          mustFail = fails(route.query, { ...querystring.parse(q) });
          break;
        case 'malformedJson':
          headers['content-type'] = 'application/json';
          body = Buffer.from(g.malformed);
          mustFail = true;
          break;
        case 'utf16':
          headers['content-type'] = 'application/json; charset=utf-16';
          body = Buffer.from('{}');
          mustFail = true;
          break;
        case 'oversized':
          headers['content-type'] = 'application/json';
          body = Buffer.from(`{"a":"${'x'.repeat(1_050_000)}"}`);
          mustFail = true;
          break;
        case 'badKey':
          headers['idempotency-key'] = g.key;
          // The server reads a header trimmed, as Node's parser does.
          mustFail = fails(idempotencyKeySchema, g.key.trim());
          break;
        case 'noCsrf':
          csrf = false;
          mustFail = fails(route.body, g.body);
          break;
        case 'noBoundary':
          headers['content-type'] = 'multipart/form-data';
          body = multipart([{ name: route.multipart![0], disposition: `filename="${g.fileName}"`, content: files[g.file] }]);
          mustFail = true;
          break;
        case 'truncated': {
          headers['content-type'] = 'multipart/form-data; boundary=FuZz';
          const full = multipart([{ name: route.multipart![0], disposition: `filename="${g.fileName || 'a.pdf'}"`, content: files[g.file] }]);
          body = full.subarray(0, Math.max(10, Math.floor(full.length * g.cut)));
          mustFail = true;
          break;
        }
        case 'nulName':
          headers['content-type'] = 'multipart/form-data; boundary=FuZz';
          body = multipart([{ name: route.multipart![0], disposition: g.cut < 0.5 ? 'filename="report\u0000.pdf"' : "filename*=UTF-8''report%00%07.pdf", content: TINY_PDF }]);
          mustFail = true;
          break;
        case 'badFile': {
          headers['content-type'] = 'multipart/form-data; boundary=FuZz';
          // Never a file the route could keep: an upload whose content is not the kind its name says,
          // or an import whose configuration is not one.
          const importing = route.multipart!.includes('config');
          const [content, name] = importing ? [files[g.file], g.fileName] : g.mismatch;
          body = multipart([
            ...(importing ? [{ name: 'config', disposition: 'filename="cycle.json"', content: JSON.stringify(g.body) ?? '{' }] : []),
            { name: route.multipart!.at(-1)!, disposition: `filename="${name}"`, content },
          ]);
          mustFail = true;
          break;
        }
        case 'deep':
          jsonBody(g.deepBody);
          mustFail = deep!.fails(g.deepBody);
          break;
        case 'deepImport': {
          headers['content-type'] = 'multipart/form-data; boundary=FuZz';
          body = multipart([
            { name: 'config', disposition: 'filename="cycle.json"', content: JSON.stringify(g.config) },
            { name: 'branches', disposition: 'filename="branches.csv"', content: g.csv },
          ]);
          const rows = csvRows(g.csv);
          mustFail = !rows || !cycleConfigSchema.safeParse({ ...(g.config as object), branches: rows }).success;
          break;
        }
        case 'strayField':
          headers['content-type'] = 'multipart/form-data; boundary=FuZz';
          body = multipart([{ name: 'stray\u00e9', disposition: 'filename="a.pdf"', content: TINY_PDF }]);
          mustFail = true;
          break;
      }
      const p = route.path.replace(/:(\w+)/g, (_m, n: string) => (rawNames.has(n) ? params[n] : encodeSegment(params[n])));
      return { mode: g.mode, method: route.method.toUpperCase(), path: q ? `${p}?${q}` : p, headers, body: write ? body : undefined, csrf, mustFail };
    })
    .filter((b) => b.mustFail || !write);
}

// ---------------------------------------------------------------------------------------------
// Transport and checks

let requestCount = 0;
const started = Date.now();
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

interface Reply { status: number; contentType: string; text: string }

function send(base: string, b: Built, session?: Session): Promise<Reply> {
  requestCount++;
  const url = new URL(base);
  const headers: Record<string, string | number> = { ...b.headers };
  if (session) {
    headers.cookie = `shuping_sid=${session.cookie}`;
    if (b.csrf && b.method !== 'GET') headers['x-csrf-token'] = session.csrf;
  }
  if (b.body) headers['content-length'] = b.body.length;
  return new Promise((resolve, reject) => {
    let answered: Reply | undefined;
    const req = http.request({ host: url.hostname, port: url.port, method: b.method, path: b.path, headers, agent: b.body && b.body.length > 1_000_000 ? false : agent }, (res) => {
      // A stream (server-sent events) that was accepted never ends: its status is the answer.
      if (String(res.headers['content-type'] ?? '').startsWith('text/event-stream')) {
        answered = { status: res.statusCode ?? 0, contentType: String(res.headers['content-type']), text: '' };
        req.destroy();
        resolve(answered);
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        answered = { status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString('utf8') };
        resolve(answered);
      });
    });
    // The server may answer (413, 400) before it has read everything we send.
    req.on('error', (err) => (answered ? resolve(answered) : reject(err)));
    req.setTimeout(10_000, () => req.destroy(new Error(`no answer in 10 s: ${b.method} ${b.path.slice(0, 200)}`)));
    req.end(b.body);
  });
}

function checkReply(b: Built, r: Reply, api: boolean): void {
  const what = `${b.method} ${b.path.slice(0, 200)} [${b.mode}] → ${r.status} ${r.text.slice(0, 300)}`;
  expect(r.status, what).toBeLessThan(500);
  expect(r.status, what).toBeGreaterThanOrEqual(200);
  if (b.method !== 'GET') expect(r.status, `a write route accepted: ${what}`).toBeGreaterThanOrEqual(400);
  if (api && r.status >= 400) {
    expect(r.contentType, what).toMatch(/application\/json/);
    const json = JSON.parse(r.text) as { error?: { code?: unknown; message?: unknown } };
    expect(typeof json.error?.code, what).toBe('string');
    expect(typeof json.error?.message, what).toBe('string');
  }
}

/** Row counts and a hash of every row of every table (but MAY_CHANGE), and the stored uploads. */
async function snapshot(env: TestEnv): Promise<Record<string, string>> {
  const db = env.services.db;
  const tables: string[] =
    env.dialect === 'postgres'
      ? (await db.raw(`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`)).rows.map((r: { name: string }) => r.name)
      : (await db.raw(`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`)).map((r: { name: string }) => r.name);
  const out: Record<string, string> = {};
  for (const t of tables.filter((t) => !MAY_CHANGE.has(t)).sort()) {
    const rows = ((await db(t).select('*')) as Record<string, unknown>[]).map((r) => JSON.stringify(r)).sort();
    out[t] = `${rows.length} rows, ${createHash('sha256').update(rows.join('\n')).digest('hex').slice(0, 16)}`;
  }
  const uploads = path.join(env.dataDir, 'uploads');
  out['(uploads)'] = fs.existsSync(uploads) ? fs.readdirSync(uploads).sort().join(',') : '';
  return out;
}

/** Every page, as src/web/pages.ts mounts it: GET only, so an answer may be a page or a redirect; never a 5xx. */
function pageRoutes(services: TestEnv['services']): string[] {
  const router = express.Router();
  mountPages(router, services);
  return (router.stack as { route?: { path: string; methods: Record<string, boolean> } }[]).filter((l) => l.route?.methods.get).map((l) => l.route!.path);
}
const PAGE_QUERY_KEYS = ['cycle', 'next', 'lang', 'status', 'offset', 'limit', 'sort', 'dir', 'q', 'phase', 'x'];

afterAll(() => {
  agent.destroy();
  console.log(`fuzz: ${requestCount} requests (API routes and pages, ${dialects.join(' and ')}, seed ${SEED}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

describe.each(dialects)('fuzzing every route on %s', (dialect) => {
  let env: TestEnv;
  let server: HttpServer;
  const sessions: Partial<Record<Principal, Session>> = {};
  let files: Files;

  beforeAll(async () => {
    env = await makeTestEnv(dialect);
    const d = driver(env.services);
    await d.create();
    await d.launch('2020-11-20T02:00:00Z');
    await d.secretary('B01', 'ACKNOWLEDGE', undefined, '2020-11-21T02:00:00Z');
    await setPasswords(env.services);
    server = await startServer(env.services);
    for (const p of PRINCIPALS) if (p !== 'none') sessions[p] = await signIn(server.base, EMAIL[p]);
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('支部').addRow(['code', 'name']);
    const xlsx = Buffer.from(await wb.xlsx.writeBuffer());
    files = { exe: Buffer.from('MZ\u0090\u0000\u0003 program', 'latin1'), docxThatIsXlsx: xlsx, truncatedZip: xlsx.subarray(0, 300), text: Buffer.from('code,name\n"B01,x\n'), xlsx };
  });
  afterAll(async () => {
    await server?.close();
    await env?.cleanup();
  });

  it('covers every route of the OpenAPI document', () => {
    const doc = openApiDocument('http://shuping.test');
    const documented = Object.entries(doc.paths).flatMap(([p, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${p}`));
    const fuzzed = apiRoutes.map((r) => `${r.method.toUpperCase()} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
    expect(fuzzed.sort()).toEqual(documented.sort());
  });

  // Sign-out last: DELETE /api/session is refused too, but keep the sessions for every other route.
  describe.each(apiRoutes.map((r, i) => [`${r.method.toUpperCase()} ${r.path}`, r, i] as const))('%s', (_name, route, index) => {
    it(`refuses every hostile request for every principal (${RUNS} runs each), changing nothing`, async () => {
      const before = await snapshot(env);
      for (const [pi, principal] of PRINCIPALS.entries()) {
        await fc.assert(
          fc.asyncProperty(requests(route, files), async (b) => {
            checkReply(b, await send(server.base, b, sessions[principal]), true);
          }),
          { numRuns: RUNS, seed: SEED + index * 10 + pi, endOnFailure: true },
        );
      }
      expect(await snapshot(env)).toEqual(before);
    });
  });

  it(`every page: hostile parameters and queries for every principal (${PAGE_RUNS} runs each), never a 5xx, changing nothing`, async () => {
    const before = await snapshot(env);
    for (const [pgi, page] of pageRoutes(env.services).entries()) {
      const names = [...page.matchAll(/:(\w+)/g)].map(([, n]) => n);
      const arb = fc.record({
        params: fc.array(fc.oneof(urlString.filter((s) => s !== ''), fc.constantFrom(...NUMBERISH)), { minLength: names.length, maxLength: names.length }),
        keep: fc.array(fc.boolean(), { minLength: names.length, maxLength: names.length }),
        query: fc.array(fc.tuple(fc.constantFrom(...PAGE_QUERY_KEYS), urlString), { maxLength: 3 }),
      });
      for (const [pi, principal] of PRINCIPALS.entries()) {
        await fc.assert(
          fc.asyncProperty(arb, async (g) => {
            const p = page.replace(/:(\w+)/g, (_m, n: string) => {
              const i = names.indexOf(n);
              return g.keep[i] ? (VALID_PARAM[n] ?? 'x') : encodeSegment(g.params[i]);
            });
            const q = g.query.map(([k, v]) => `${k}=${encodeSegment(v)}`).join('&');
            const b: Built = { mode: 'page', method: 'GET', path: q ? `${p}?${q}` : p, headers: {}, csrf: true, mustFail: false };
            checkReply(b, await send(server.base, b, sessions[principal]), false);
          }),
          { numRuns: PAGE_RUNS, seed: SEED + 5000 + pgi * 10 + pi },
        );
      }
    }
    expect(await snapshot(env)).toEqual(before);
  });

  // Random runs rarely land one bad value on one particular field of a large body, so the bodies the
  // edge passes on to the engine are also poisoned exhaustively: every leaf, one at a time, with each
  // poison. A body the engine's schema refuses must change nothing; one it accepts is kept for the
  // last test, which may change the database but must never meet a 5xx (a value a schema lets
  // through but the database cannot store).
  describe('one poisoned field at a time', () => {
    const accepted: { method: string; path: string; who: Principal; body: () => Buffer; type: string }[] = [];
    let year = 2031;
    const POISONS: unknown[] = ['a\u0000b', 'x\ud800', '\u0007', 'x'.repeat(25_000), 3_000_000_000, 1e20, -1, 1.5, { a: { b: [1] } }, [], null];
    /** Fewer for the configuration's ~90 leaves: text, range and type. */
    const CONFIG_POISONS: unknown[] = ['a\u0000b', 'x\ud800', 'x'.repeat(25_000), 3_000_000_000, -1.5, { a: [1] }, null];
    const sendJson = async (method: string, p: string, value: unknown, who: Principal) => {
      const b: Built = { mode: 'poison', method, path: p, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(value)), csrf: true, mustFail: true };
      checkReply(b, await send(server.base, b, sessions[who]), true);
    };

    it('every leaf of a cycle configuration (POST /api/cycles)', async () => {
      const before = await snapshot(env);
      for (const at of CONFIG_LEAVES) {
        for (const poison of CONFIG_POISONS) {
          const config = setAt(CONFIG, at, poison);
          if (cycleConfigSchema.safeParse(config).success) {
            accepted.push({ method: 'POST', path: '/api/cycles', who: 'office', type: 'application/json', body: () => Buffer.from(JSON.stringify({ ...config, year: year++ })) });
            continue;
          }
          await sendJson('POST', '/api/cycles', config, 'office');
        }
      }
      expect(await snapshot(env)).toEqual(before);
    });

    // Data is checked before the branch is read, so B01's secretary stands for every sender.
    it("every field of every event's data (POST …/branches/B01/events)", async () => {
      const VALID: Record<string, unknown> = {
        SUBMIT_MATERIALS: { summary: '述职报告', fileIds: ['0'.repeat(32)] },
        RETURN_MATERIALS: { reason: '请补充材料' },
        RECORD_QA: { question: '问', answer: '答', askedBy: '考评组' },
        SUBMIT_SCORE: { scores: { effectiveness: 20 }, comment: '评语' },
        SUBMIT_PLAN: { items: [{ problem: '问题', measure: '措施', owner: '王明', dueDate: '2021-03-31' }] },
        RETURN_PLAN: { reason: '请修改' },
        REPORT_PROGRESS: { itemId: 'i1', note: '进展', fileIds: ['0'.repeat(32)] },
        VERIFY_ITEM: { itemId: 'i1' },
        ADJUST_SCORE: { points: 2, reason: '加分' },
        VETO: { reason: '否决' },
        EXTEND_DEADLINE: { deadline: 'materials', until: '2030-01-01T00:00:00+08:00' },
        EXEMPT: { reason: '免于述职' },
        DEADLINE_DUE: { deadline: 'materials', step: 'd0' },
      };
      const before = await snapshot(env);
      for (const type of EVENT_TYPES) {
        const valid = VALID[type] ?? {};
        const bodies = [
          ...POISONS.map((poison) => ({ type, data: poison })),
          ...leafPaths(valid).filter((at) => at.length).flatMap((at) => POISONS.map((poison) => ({ type, data: setAt(valid, at, poison) }))),
          // keys count too: a record's keys (SUBMIT_SCORE's criteria) and unknown keys
          ...['k\u0000', '\ud800', ''].map((k) => ({ type, data: { ...(valid as object), [k]: 1, ...(type === 'SUBMIT_SCORE' ? { scores: { [k]: 1 } } : {}) } })),
        ];
        for (const body of bodies) {
          if (!eventFails(body)) {
            for (const who of ['secretary', 'office'] as const)
              accepted.push({ method: 'POST', path: '/api/cycles/2020/branches/B01/events', who, type: 'application/json', body: () => Buffer.from(JSON.stringify(body)) });
            continue;
          }
          await sendJson('POST', '/api/cycles/2020/branches/B01/events', body, 'secretary');
        }
      }
      expect(await snapshot(env)).toEqual(before);
    });

    it('every cell of a roster CSV (POST /api/cycles/import)', async () => {
      const before = await snapshot(env);
      const rows = BRANCHES_CSV.trim().split('\n').map((l) => l.split(','));
      const config = { ...CONFIG, year: 2031 };
      for (let r = 1; r < rows.length; r++) {
        for (let c = 0; c < rows[r].length; c++) {
          for (const poison of POISONS.filter((x): x is string => typeof x === 'string')) {
            const copy = rows.map((x) => [...x]);
            copy[r][c] = /[",\r\n]/.test(poison) ? `"${poison.replace(/"/g, '""')}"` : poison;
            const csv = copy.map((x) => x.join(',')).join('\n');
            const parsed = csvRows(csv);
            const form = (y: number) =>
              multipart([
                { name: 'config', disposition: 'filename="cycle.json"', content: JSON.stringify({ ...config, year: y }) },
                { name: 'branches', disposition: 'filename="branches.csv"', content: csv },
              ]);
            if (parsed && cycleConfigSchema.safeParse({ ...config, branches: parsed }).success) {
              accepted.push({ method: 'POST', path: '/api/cycles/import', who: 'office', type: 'multipart/form-data; boundary=FuZz', body: () => form(year++) });
              continue;
            }
            const b: Built = {
              mode: 'poison', method: 'POST', path: '/api/cycles/import', headers: { 'content-type': 'multipart/form-data; boundary=FuZz' }, csrf: true, mustFail: true,
              body: form(config.year),
            };
            checkReply(b, await send(server.base, b, sessions.office), true);
          }
        }
      }
      expect(await snapshot(env)).toEqual(before);
    });

    it('the poisoned bodies the schemas accept are applied or refused, never a 5xx (this one may change the database)', async () => {
      expect(accepted.length).toBeGreaterThan(0);
      for (const a of accepted) {
        if (year > 2100) break;
        const b: Built = { mode: 'accepted poison', method: a.method, path: a.path, headers: { 'content-type': a.type }, body: a.body(), csrf: true, mustFail: false };
        const r = await send(server.base, b, sessions[a.who]);
        const what = `${b.method} ${b.path} ${b.body!.toString('utf8').slice(0, 300)} → ${r.status} ${r.text.slice(0, 300)}`;
        expect(r.status, what).toBeLessThan(500);
        if (r.status >= 400) expect(JSON.parse(r.text).error, what).toMatchObject({ code: expect.any(String), message: expect.any(String) });
      }
    });
  });
});
