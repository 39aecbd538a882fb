// Files (report materials, evidence): size and type limited, checked by content as well as by name,
// stored under a random server-chosen name in DATA_DIR/uploads, recorded and audited with the branch,
// and served only to those the policy lets read the branch.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileTypeFromBuffer } from 'file-type';
import { bindingDeadline, type BranchReviewContext } from '../../workflows/index';
import { AppError, invalidInput } from '../errors';
import { getBranchReview } from '../store/branchReviews';
import { findCycle } from '../store/cycles';
import { deleteFile, getFile, insertFile, type FileRow } from '../store/web';
import type { Actor } from './actors';
import { recordAudit } from './audit';
import { branchOnRecord } from './lookup';
import { restoreBranch } from './machines';
import { authorizeOnBranch, momentOf, standingOn } from './policy';
import type { EngineDeps } from './transitions';

export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

/**
 * The kinds we keep, by extension: the MIME type we serve them as, and what `file-type` must find in
 * the bytes. Word and Excel's old formats are both OLE compound files (`cfb`) to it; a zip that is
 * not a Word or Excel document, or a .pdf that is not a PDF, is refused.
 */
interface Kind { mime: string; detected: string[] }
export const ALLOWED: Record<string, Kind> = {
  '.pdf': { mime: 'application/pdf', detected: ['pdf'] },
  '.docx': { mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', detected: ['docx'] },
  '.xlsx': { mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', detected: ['xlsx'] },
  '.doc': { mime: 'application/msword', detected: ['cfb'] },
  '.xls': { mime: 'application/vnd.ms-excel', detected: ['cfb'] },
  '.png': { mime: 'image/png', detected: ['png'] },
  '.jpg': { mime: 'image/jpeg', detected: ['jpg'] },
  '.jpeg': { mime: 'image/jpeg', detected: ['jpg'] },
};

/** What the bytes are, by their content (`file-type`), whatever the name says; undefined when unknown. */
export async function detectType(buffer: Buffer): Promise<string | undefined> {
  try {
    return (await fileTypeFromBuffer(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)))?.ext;
  } catch {
    // A damaged file (a truncated zip, say) is simply not a kind we know.
    return undefined;
  }
}

/**
 * The user's name for a file, kept for display only: a NUL or other control character is refused,
 * a path separator becomes `_`, at most 200 characters.
 */
function displayName(multerName: string): string {
  // Browsers send UTF-8 names that multer reads as latin1.
  const decoded = Buffer.from(multerName, 'latin1').toString('utf8');
  if (/[\u0000-\u001f\u007f]/.test(decoded)) throw invalidInput([{ field: 'file', message: '文件名不能含 NUL 等控制字符 (control character in file name)' }]);
  const name = decoded.replace(/[\\/]/g, '_');
  const ext = path.extname(name);
  const chars = Array.from(name.slice(0, name.length - ext.length));
  return chars.slice(0, Math.max(0, 200 - ext.length)).join('') + ext.slice(0, 20);
}

export interface StoredUpload { id: string; originalName: string; mime: string; size: number; sha256: string }

/** Checks the type by extension and content, and writes the bytes under a random name. */
export async function storeUpload(dataDir: string, file: { originalname: string; buffer: Buffer; size: number }): Promise<StoredUpload> {
  const originalName = displayName(file.originalname);
  const ext = path.extname(originalName).toLowerCase();
  const kind = Object.hasOwn(ALLOWED, ext) ? ALLOWED[ext] : undefined;
  if (!kind) throw invalidInput([{ field: 'file', message: `不支持的文件类型 ${ext || '(无扩展名)'}，仅限 PDF、Word、Excel、PNG、JPG` }]);
  const detected = await detectType(file.buffer);
  if (!detected || !kind.detected.includes(detected)) {
    throw invalidInput([{ field: 'file', message: `文件内容与类型 ${ext} 不符${detected ? `（内容是 ${detected}）` : ''}` }]);
  }
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

export interface UploadRequest {
  cycle: string | number;
  branch: string;
  actor: Actor;
  dataDir: string;
  file: { originalname: string; buffer: Buffer; size: number } | undefined;
}

/** The policy's answer on uploading to a branch, asked before the body is read. */
export async function mayUpload(deps: EngineDeps, req: Omit<UploadRequest, 'file' | 'dataDir'>): Promise<void> {
  const { cycle, branch, standing } = await branchOnRecord(deps.db, req.cycle, req.branch, req.actor);
  authorizeOnBranch(standing, 'UPLOAD_FILE', momentOf(cycle, branch));
}

/** Stores an upload for a branch: authorised, then written, recorded and audited (the bytes removed again on failure). */
export async function uploadFile(deps: EngineDeps, req: UploadRequest, now: string): Promise<{ file: { id: string; name: string; size: number } }> {
  await mayUpload(deps, req);
  if (!req.file) throw invalidInput([{ field: 'file', message: '请选择文件' }]);
  const stored = await storeUpload(req.dataDir, req.file);
  try {
    await deps.db.transaction(async (trx) => {
      const { cycle, branch, standing } = await branchOnRecord(trx, req.cycle, req.branch, req.actor, true);
      // Asked again inside the transaction: the branch may have finished while the bytes arrived.
      authorizeOnBranch(standing, 'UPLOAD_FILE', momentOf(cycle, branch));
      await insertFile(trx, {
        id: stored.id, user_id: req.actor.id!, branch_review_id: branch.id, original_name: stored.originalName,
        mime: stored.mime, size: stored.size, sha256: stored.sha256, created_at: now,
      });
      await recordAudit(trx, {
        actor: req.actor,
        as: standing.actsFor ? (standing.deputy ? 'deputy' : 'secretary') : 'office',
        action: 'UPLOAD_FILE',
        cycleId: cycle.id,
        branchReviewId: branch.id,
        subject: `file:${stored.id}`,
        data: { name: stored.originalName, size: stored.size, sha256: stored.sha256 },
        at: now,
      });
    });
  } catch (err) {
    removeUpload(req.dataDir, stored.id);
    throw err;
  }
  return { file: { id: stored.id, name: stored.originalName, size: stored.size } };
}

/** A stored file for download, if the policy lets the actor read its branch. */
export async function fileForDownload(deps: EngineDeps, id: string, actor: Actor, dataDir: string): Promise<{ row: FileRow; path: string }> {
  if (!/^[0-9a-f]{32}$/.test(id)) throw new AppError('NOT_FOUND', '文件不存在');
  const file = await getFile(deps.db, id);
  if (!file) throw new AppError('NOT_FOUND', '文件不存在');
  const branch = (await getBranchReview(deps.db, file.branch_review_id))!;
  const cycle = (await findCycle(deps.db, branch.cycle_id))!;
  const ctx = restoreBranch(branch).context as BranchReviewContext;
  authorizeOnBranch(standingOn(actor, branch, ctx), 'READ', { final: false, archived: cycle.state === 'archived', scoringOpen: false, submitted: false });
  const p = uploadPath(dataDir, file.id);
  if (!fs.existsSync(p)) throw new AppError('NOT_FOUND', '文件不存在');
  return { row: file, path: p };
}

/**
 * Removes an uploaded file so that it can be replaced: whoever may upload to the branch, while its
 * materials are being prepared (not yet submitted for review, or returned). Audited with the file's
 * name and hash; the bytes go after the transaction commits.
 */
export async function removeFile(deps: EngineDeps, req: { id: string; actor: Actor; dataDir: string }, now: string): Promise<{ removed: string }> {
  if (!/^[0-9a-f]{32}$/.test(req.id)) throw new AppError('NOT_FOUND', '文件不存在');
  await deps.db.transaction(async (trx) => {
    const file = await getFile(trx, req.id);
    if (!file) throw new AppError('NOT_FOUND', '文件不存在');
    const branch = (await getBranchReview(trx, file.branch_review_id))!;
    const cycle = (await findCycle(trx, branch.cycle_id))!;
    const ctx = restoreBranch(branch).context as BranchReviewContext;
    const standing = standingOn(req.actor, branch, ctx);
    authorizeOnBranch(standing, 'READ', momentOf(cycle, branch));
    authorizeOnBranch(standing, 'REMOVE_FILE', momentOf(cycle, branch, { materialsOpen: bindingDeadline(branch.phase) === 'materials' }));
    await deleteFile(trx, file.id);
    await recordAudit(trx, {
      actor: req.actor,
      as: standing.actsFor ? (standing.deputy ? 'deputy' : 'secretary') : 'office',
      action: 'REMOVE_FILE',
      cycleId: cycle.id,
      branchReviewId: branch.id,
      subject: `file:${file.id}`,
      data: { name: file.original_name, size: file.size, sha256: file.sha256 },
      at: now,
    });
  });
  removeUpload(req.dataDir, req.id);
  return { removed: req.id };
}
