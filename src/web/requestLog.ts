// Each request gets an id (a sane incoming X-Request-Id, or a new one), echoed in the response and
// named in its structured log line; and the server can be drained for a graceful shutdown.
import { randomUUID } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { AppError } from '../errors';
import { HTTP_STATUS } from './errors';

declare module 'express-serve-static-core' {
  interface Request {
    /** X-Request-Id: the proxy's, when it sent a sane one, or ours */
    id: string;
    log: Logger;
  }
}

/** An id a proxy may have set: short, printable, no spaces (so nobody writes into our logs through it). */
const SANE_ID = /^[A-Za-z0-9._:@+=\/-]{1,128}$/;

/** Paths carry one-time tokens (reset links, ballots) and file ids: the log names their shape, not their value. */
export const redactPath = (p: string): string => p.replace(/\/[A-Za-z0-9_-]{20,}(?=\/|$)/g, '/:token');

export function requestLog(log: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get('x-request-id');
    req.id = incoming && SANE_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', req.id);
    req.log = log.child({ reqId: req.id });
    const start = process.hrtime.bigint();
    let logged = false;
    const done = () => {
      if (logged) return;
      logged = true;
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const line = { method: req.method, path: redactPath(req.path), status: res.statusCode, ms: Math.round(ms * 10) / 10, client: req.ip, aborted: !res.writableFinished };
      if (res.statusCode >= 500) req.log.error(line, 'request');
      else req.log.info(line, 'request');
    };
    res.once('finish', done);
    res.once('close', done);
    next();
  };
}

/**
 * Graceful shutdown of the HTTP side: once draining, a request that still arrives on an open
 * connection is refused with 503 and `Connection: close`; those in flight are answered, also with
 * `Connection: close`, so that no client sends another on the same connection.
 */
export class Drain {
  private draining = false;
  private readonly inflight = new Set<Response>();

  readonly middleware: RequestHandler = (_req, res, next) => {
    if (this.draining) {
      res.setHeader('Connection', 'close');
      const err = new AppError('UNAVAILABLE', '服务正在停止，请稍后重试 (shutting down)');
      res.status(HTTP_STATUS[err.code]).json(err.toJSON());
      return;
    }
    this.inflight.add(res);
    const forget = () => this.inflight.delete(res);
    res.once('finish', forget);
    res.once('close', forget);
    next();
  };

  start(): void {
    this.draining = true;
    for (const res of this.inflight) if (!res.headersSent) res.setHeader('Connection', 'close');
  }

  get pending(): number {
    return this.inflight.size;
  }
}
