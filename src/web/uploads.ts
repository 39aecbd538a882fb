// Uploads: size and type limited, checked by content as well as by name, stored under a random
// server-chosen name in DATA_DIR/uploads, and served only through the access check of its branch.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import multer from 'multer';
import { AppError, invalidInput } from '../errors';

export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

interface Kind { mime: string; magic: (b: Buffer) => boolean }
const zip = (b: Buffer) => b.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
const ole = (b: Buffer) => b.subarray(0, 8).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]));
export const ALLOWED: Record<string, Kind> = {
  '.pdf': { mime: 'application/pdf', magic: (b) => b.subarray(0, 5).toString('latin1') === '%PDF-' },
  '.docx': { mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', magic: zip },
  '.xlsx': { mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', magic: zip },
  '.doc': { mime: 'application/msword', magic: ole },
  '.xls': { mime: 'application/vnd.ms-excel', magic: ole },
  '.png': { mime: 'image/png', magic: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  '.jpg': { mime: 'image/jpeg', magic: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  '.jpeg': { mime: 'image/jpeg', magic: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
};

export function multerError(err: unknown): AppError | undefined {
  if (err instanceof multer.MulterError) {
    if (err.code === 'LIMIT_FILE_SIZE') return invalidInput([{ field: 'file', message: `文件超过 ${MAX_UPLOAD_BYTES / 1024 / 1024} MB 上限 (file too large)` }]);
    return invalidInput([{ field: err.field ?? 'file', message: `上传有误：${err.message}` }]);
  }
  return undefined;
}

export interface StoredUpload { id: string; originalName: string; mime: string; size: number; sha256: string }

/** Checks the type by extension and content, and writes the bytes under a random name. */
export function storeUpload(dataDir: string, file: { originalname: string; buffer: Buffer; size: number }): StoredUpload {
  // Browsers send UTF-8 names that multer reads as latin1.
  const originalName = Buffer.from(file.originalname, 'latin1').toString('utf8').replace(/[\\/\0]/g, '_').slice(0, 200);
  const ext = path.extname(originalName).toLowerCase();
  const kind = ALLOWED[ext];
  if (!kind) throw invalidInput([{ field: 'file', message: `不支持的文件类型 ${ext || '(无扩展名)'}，仅限 PDF、Word、Excel、PNG、JPG` }]);
  if (!kind.magic(file.buffer)) throw invalidInput([{ field: 'file', message: `文件内容与类型 ${ext} 不符` }]);
  const id = randomBytes(16).toString('hex');
  const dir = path.join(dataDir, 'uploads');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, id), file.buffer, { flag: 'wx' });
  return { id, originalName, mime: kind.mime, size: file.size, sha256: createHash('sha256').update(file.buffer).digest('hex') };
}

/** The path of a stored file: the id is ours (hex), never a path the user chose. */
export function uploadPath(dataDir: string, id: string): string {
  if (!/^[0-9a-f]{32}$/.test(id)) throw new AppError('NOT_FOUND', '文件不存在');
  return path.join(dataDir, 'uploads', id);
}

export function removeUpload(dataDir: string, id: string): void {
  fs.rmSync(uploadPath(dataDir, id), { force: true });
}
