// Typed errors: the engine and the CLI throw them; src/web maps them to HTTP in one place.
import type { ZodError } from 'zod';

export type ErrorCode =
  | 'INVALID_INPUT'
  | 'EVENT_NOT_ALLOWED'
  | 'VERSION_CONFLICT'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'NOT_FOUND'
  | 'FORBIDDEN'
  | 'UNAUTHENTICATED'
  | 'BALLOT_USED'
  | 'CONFLICT'
  | 'BAD_REQUEST'
  | 'RATE_LIMITED'
  | 'AUDIT_TAMPERED'
  | 'CONFLICT_OF_INTEREST'
  | 'ALREADY_SET_UP'
  | 'INTERNAL'
  | 'UNAVAILABLE';

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
  toJSON() {
    return { error: { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) } };
  }
}

export interface FieldIssue { field: string; message: string }

/** INVALID_INPUT naming every bad field, e.g. `data.scores.effectiveness`. */
export function invalidInput(issues: FieldIssue[]): AppError {
  const message = issues.map((i) => `${i.field}: ${i.message}`).join('; ');
  return new AppError('INVALID_INPUT', message, { issues });
}

export function fromZod(err: ZodError, prefix?: string): AppError {
  return invalidInput(
    err.issues.map((i) => ({
      field: [prefix, ...i.path.map(String)].filter(Boolean).join('.') || '(root)',
      message: i.message,
    })),
  );
}
