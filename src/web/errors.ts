// The one place typed errors become HTTP answers.
import type { ErrorRequestHandler } from 'express';
import { AppError, type ErrorCode } from '../errors';

export const HTTP_STATUS: Record<ErrorCode, number> = {
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  EVENT_NOT_ALLOWED: 409,
  VERSION_CONFLICT: 409,
  IDEMPOTENCY_KEY_REUSED: 409,
  BALLOT_USED: 409,
  CONFLICT: 409,
  CONFLICT_OF_INTEREST: 409,
  ALREADY_SET_UP: 409,
  AUDIT_TAMPERED: 409,
  INVALID_INPUT: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
};

/** body-parser's errors (by their `type`), in words a person can act on. */
const BODY_MESSAGES: Record<string, string> = {
  'entity.parse.failed': '请求体不是合法的 JSON',
  'entity.too.large': '请求体过大',
  'entity.verify.failed': '请求体无法校验',
  'encoding.unsupported': '请求体的压缩编码不受支持',
  'charset.unsupported': '请求体的字符集不受支持，请使用 UTF-8',
  'request.aborted': '请求在传输中被中止',
  'request.size.invalid': '请求体长度与 Content-Length 不符',
  'parameters.too.many': '请求参数过多',
};

/** A client's error from a library (body-parser, the router's decoding of a path): 4xx with a clear message. */
function clientError(err: { status: number; type?: unknown; message?: unknown }): AppError {
  const known = typeof err.type === 'string' ? BODY_MESSAGES[err.type] : undefined;
  if (known) return new AppError('BAD_REQUEST', `${known} (${String(err.message ?? err.type)})`);
  if (err instanceof URIError || /decode/i.test(String(err.message))) return new AppError('BAD_REQUEST', '路径中含有无法解码的字符 (malformed URI)');
  return new AppError('BAD_REQUEST', `请求有误 (${String(err.message ?? 'bad request')})`);
}

export const errorHandler: ErrorRequestHandler = (err, _req, res, _next) => {
  if (err instanceof AppError) {
    res.status(HTTP_STATUS[err.code]).json(err.toJSON());
    return;
  }
  // body-parser's and the router's errors carry their own status (413 too large, 400 malformed JSON or path).
  const status = typeof err?.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500;
  if (status === 500) {
    console.error(err);
    res.status(500).json(new AppError('INTERNAL', '服务器内部错误').toJSON());
    return;
  }
  res.status(status).json(clientError(err).toJSON());
};
