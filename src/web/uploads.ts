// Multipart parsing limits and multer's errors as typed errors; storing the bytes is the engine's.
import multer from 'multer';
import { invalidInput, type AppError } from '../errors';

export { MAX_UPLOAD_BYTES } from '../engine/index';
import { MAX_UPLOAD_BYTES } from '../engine/index';

export function multerError(err: unknown): AppError | undefined {
  if (err instanceof multer.MulterError) {
    if (err.code === 'LIMIT_FILE_SIZE') return invalidInput([{ field: 'file', message: `文件超过 ${MAX_UPLOAD_BYTES / 1024 / 1024} MB 上限 (file too large)` }]);
    return invalidInput([{ field: err.field ?? 'file', message: `上传有误：${err.message}` }]);
  }
  return undefined;
}
