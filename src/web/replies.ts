// What a route may ask of the response besides JSON data: cookies to set or clear, a document to
// download, a stored file to send. Routes return these; only replyWith touches express's response.
import type { Writable } from 'node:stream';
import type { CookieOptions, Response } from 'express';

const REPLY = Symbol('reply');

interface Cookie { name: string; value: string; options: CookieOptions }
interface Cleared { name: string; clear: true }
type Reply =
  | { [REPLY]: 'json'; data: unknown; cookies: (Cookie | Cleared)[]; headers?: Record<string, string> }
  | { [REPLY]: 'notModified'; headers: Record<string, string> }
  | { [REPLY]: 'download'; filename: string; contentType: string; write(out: Writable): Promise<void> }
  | { [REPLY]: 'file'; filename: string; contentType: string; path: string }
  | { [REPLY]: 'stream'; run(stream: EventStream): Promise<void> };

/** A server-sent event stream (text/event-stream) while the client listens. */
export interface EventStream {
  send(event: string, data: unknown): void;
  comment(text: string): void;
  /** resolves when the client goes away */
  closed: Promise<void>;
  isClosed(): boolean;
}

export const withCookies = (data: unknown, cookies: (Cookie | Cleared)[]): Reply => ({ [REPLY]: 'json', data, cookies });
/** JSON with an ETag: a poll that sends it back in If-None-Match gets a 304 without the body. */
export const tagged = (data: unknown, etag: string): Reply => ({ [REPLY]: 'json', data, cookies: [], headers: { ETag: etag, 'Cache-Control': 'no-cache' } });
export const notModified = (etag: string): Reply => ({ [REPLY]: 'notModified', headers: { ETag: etag, 'Cache-Control': 'no-cache' } });
export const clearCookie = (name: string): Cleared => ({ name, clear: true });
/** A document streamed to the client as it is written (see ExportFile). */
export const download = (file: { filename: string; contentType: string; write(out: Writable): Promise<void> }): Reply => ({
  [REPLY]: 'download',
  filename: file.filename,
  contentType: file.contentType,
  write: (out) => file.write(out),
});
export const sendFile = (file: { filename: string; contentType: string; path: string }): Reply => ({ [REPLY]: 'file', ...file });
/** Server-sent events: `run` writes to the stream until the client leaves (or it returns). */
export const eventStream = (run: (stream: EventStream) => Promise<void>): Reply => ({ [REPLY]: 'stream', run });

const attachment = (filename: string) => `attachment; filename*=UTF-8''${encodeURIComponent(filename)}`;

export function replyWith(res: Response, status: number, result: unknown): void {
  if (res.headersSent) return;
  const reply = typeof result === 'object' && result !== null && REPLY in result ? (result as Reply) : undefined;
  if (!reply) {
    res.status(status).json(result ?? null);
    return;
  }
  switch (reply[REPLY]) {
    case 'notModified':
      for (const [k, v] of Object.entries(reply.headers)) res.setHeader(k, v);
      res.status(304).end();
      return;
    case 'json':
      for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
      for (const c of reply.cookies) {
        if ('clear' in c) res.clearCookie(c.name, { path: '/' });
        else res.cookie(c.name, c.value, c.options);
      }
      res.status(status).json(reply.data);
      return;
    case 'download':
      res.setHeader('Content-Type', reply.contentType);
      res.setHeader('Content-Disposition', attachment(reply.filename));
      res.status(200);
      // Headers are gone once the first row is written: a failure after that can only cut the download.
      reply.write(res).catch((err: unknown) => {
        console.error(err);
        res.destroy(err as Error);
      });
      return;
    case 'stream': {
      res.status(200);
      res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
      res.setHeader('Cache-Control', 'no-cache, no-transform');
      res.setHeader('X-Accel-Buffering', 'no');
      res.flushHeaders();
      let gone = false;
      const closed = new Promise<void>((resolve) => res.once('close', () => {
        gone = true;
        resolve();
      }));
      const stream: EventStream = {
        send: (event, data) => void (gone || res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)),
        comment: (text) => void (gone || res.write(`: ${text}\n\n`)),
        closed,
        isClosed: () => gone,
      };
      res.write('retry: 1000\n\n');
      reply.run(stream).catch((err: unknown) => console.error(err)).finally(() => res.end());
      return;
    }
    case 'file':
      res.setHeader('Content-Type', reply.contentType);
      res.setHeader('Content-Disposition', attachment(reply.filename));
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.sendFile(reply.path);
      return;
  }
}
