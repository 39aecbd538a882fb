// Drives the express app in-process over real HTTP with Node's fetch: sign-in, cookie and CSRF token.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createApp } from '../../src/web/app';
import { hashPassword } from '../../src/security/passwords';
import type { Services } from '../../src/services';
import { setPasswordHash } from '../../src/store/users';

export const PASSWORD = 'Correct-Horse-2020';

/** Gives every user the same password (scrypt is slow: one hash, reused). Returns the hash. */
export async function setPasswords(s: Services, password = PASSWORD): Promise<string> {
  const hash = await hashPassword(password);
  const users = await s.db('users').select('id');
  for (const u of users as { id: number }[]) await setPasswordHash(s.db, u.id, hash);
  return hash;
}

export interface HttpServer {
  base: string;
  close(): Promise<void>;
}

export async function startServer(s: Services): Promise<HttpServer> {
  const server: Server = createApp(s).listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface Session {
  email: string;
  cookie: string;
  csrf: string;
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body when it is JSON. */
  json: any;
}

export interface CallOptions {
  session?: Session;
  /** A JSON body; or FormData for multipart. */
  body?: unknown;
  headers?: Record<string, string>;
  /** The CSRF token to send: the session's by default; false sends none. */
  csrf?: string | false;
}

export async function call(base: string, method: string, path: string, opts: CallOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.session) {
    headers.cookie = `shuping_sid=${opts.session.cookie}`;
    const token = opts.csrf === undefined ? opts.session.csrf : opts.csrf;
    if (token !== false && method.toUpperCase() !== 'GET') headers['x-csrf-token'] = token;
  }
  let body: FormData | string | undefined;
  if (opts.body instanceof FormData) body = opts.body;
  else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(base + path, { method: method.toUpperCase(), headers, body, redirect: 'manual' });
  const text = await res.text();
  let json: unknown;
  if ((res.headers.get('content-type') ?? '').includes('json')) {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** The value of our session cookie in a Set-Cookie header list. */
export function sessionCookieOf(headers: Headers): string | undefined {
  const line = headers.getSetCookie().find((c) => c.startsWith('shuping_sid='));
  return line ? decodeURIComponent(line.slice('shuping_sid='.length).split(';')[0]) : undefined;
}

export async function signIn(base: string, email: string, password = PASSWORD): Promise<Session> {
  const res = await call(base, 'POST', '/api/session', { body: { email, password } });
  if (res.status !== 200) throw new Error(`sign-in of ${email} answered ${res.status}: ${res.text}`);
  const cookie = sessionCookieOf(res.headers);
  if (!cookie) throw new Error(`sign-in of ${email} set no session cookie`);
  return { email, cookie, csrf: res.json.csrfToken };
}

/** A tiny but valid PDF. */
export const TINY_PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
  'latin1',
);

export function fileForm(field: string, name: string, content: Buffer, type = 'application/octet-stream'): FormData {
  const form = new FormData();
  form.append(field, new Blob([new Uint8Array(content)], { type }), name);
  return form;
}
