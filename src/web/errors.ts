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
};

export const errorHandler: ErrorRequestHandler = (err, _req, res, _next) => {
  if (err instanceof AppError) {
    res.status(HTTP_STATUS[err.code]).json(err.toJSON());
    return;
  }
  // body-parser's errors carry their own status (413 too large, 400 malformed JSON).
  const status = typeof err?.status === 'number' && err.status < 500 ? err.status : 500;
  if (status === 500) console.error(err);
  res.status(status).json(new AppError(status === 500 ? 'INTERNAL' : 'BAD_REQUEST', status === 500 ? '服务器内部错误' : String(err.message)).toJSON());
};
