// Multipart parsing limits and multer's and busboy's errors as typed errors; storing the bytes is the engine's.
import multer from 'multer';
import { AppError, invalidInput } from '../errors';

export { MAX_UPLOAD_BYTES } from '../engine/index';
import { MAX_UPLOAD_BYTES } from '../engine/index';

/** busboy's errors (plain Errors, by message) in words a person can act on. */
const BUSBOY_MESSAGES: [RegExp, string][] = [
  [/boundary not found/i, '上传内容格式不正确：multipart 请求缺少 boundary (multipart boundary missing)'],
  [/unexpected end of (form|file)/i, '上传内容不完整：请求体被截断 (multipart body truncated)'],
  [/malformed part header/i, '上传内容格式不正确：某一部分的头部无法解析 (malformed multipart part header)'],
  [/unsupported content type/i, '上传内容的类型不受支持，请使用 multipart/form-data (unsupported content type)'],
  [/too many (parts|files|fields)/i, '上传的部分过多 (too many multipart parts)'],
];

/**
 * What went wrong reading a multipart body: a limit or an unexpected field is INVALID_INPUT naming
 * the field (422); a body that cannot be parsed at all (no boundary, truncated, a bad header) is
 * BAD_REQUEST (400), naming the field when one is known. Never a 500.
 */
export function multerError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof multer.MulterError) {
    if (err.code === 'LIMIT_FILE_SIZE') return invalidInput([{ field: err.field ?? 'file', message: `文件超过 ${MAX_UPLOAD_BYTES / 1024 / 1024} MB 上限 (file too large)` }]);
    return invalidInput([{ field: err.field ?? 'file', message: `上传有误：${err.message}` }]);
  }
  const raw = err instanceof Error ? err.message : String(err);
  const field = typeof (err as { field?: unknown })?.field === 'string' ? (err as { field: string }).field : undefined;
  const known = BUSBOY_MESSAGES.find(([re]) => re.test(raw));
  const message = known ? known[1] : `无法读取上传内容 (unreadable multipart body)`;
  return new AppError('BAD_REQUEST', message, field ? { field } : undefined);
}
