// Files (report materials, evidence): size and type limited, checked by content as well as by name,
// stored under a random server-chosen name in DATA_DIR/uploads, recorded and audited with the branch,
// and served only to those the policy lets read the branch.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { isFinalPhase, type BranchReviewContext } from '../../workflows/index';
import { AppError, invalidInput } from '../errors';
import { getBranchReview } from '../store/branchReviews';
import { findCycle } from '../store/cycles';
import { getFile, insertFile, type FileRow } from '../store/web';
import type { Actor } from './actors';
import { recordAudit } from './audit';
import { requireBranch, requireCycle } from './lookup';
import { restore } from './machines';
import { authorizeOnBranch, standingOn } from './policy';
import type { EngineDeps } from './transitions';

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

export interface UploadRequest {
  cycle: string | number;
  branch: string;
  actor: Actor;
  dataDir: string;
  file: { originalname: string; buffer: Buffer; size: number } | undefined;
}

/** The policy's answer on uploading to a branch, asked before the body is read. */
export async function mayUpload(deps: EngineDeps, req: Omit<UploadRequest, 'file' | 'dataDir'>): Promise<void> {
  const cycle = await requireCycle(deps.db, req.cycle);
  const branch = await requireBranch(deps.db, cycle, req.branch);
  const ctx = restore('branchReview', branch.workflow_version, branch.snapshot).context as BranchReviewContext;
  authorizeOnBranch(standingOn(req.actor, branch, ctx), 'UPLOAD_FILE', {
    final: isFinalPhase(branch.phase), archived: cycle.state === 'archived', scoringOpen: false, submitted: false,
  });
}

/** Stores an upload for a branch: authorised, then written, recorded and audited (the bytes removed again on failure). */
export async function uploadFile(deps: EngineDeps, req: UploadRequest, now: string): Promise<{ file: { id: string; name: string; size: number } }> {
  await mayUpload(deps, req);
  if (!req.file) throw invalidInput([{ field: 'file', message: '请选择文件' }]);
  const stored = storeUpload(req.dataDir, req.file);
  try {
    await deps.db.transaction(async (trx) => {
      const cycle = await requireCycle(trx, req.cycle);
      const branch = await requireBranch(trx, cycle, req.branch, true);
      const ctx = restore('branchReview', branch.workflow_version, branch.snapshot).context as BranchReviewContext;
      const standing = standingOn(req.actor, branch, ctx);
      // Asked again inside the transaction: the branch may have finished while the bytes arrived.
      authorizeOnBranch(standing, 'UPLOAD_FILE', { final: isFinalPhase(branch.phase), archived: cycle.state === 'archived', scoringOpen: false, submitted: false });
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
  const ctx = restore('branchReview', branch.workflow_version, branch.snapshot).context as BranchReviewContext;
  authorizeOnBranch(standingOn(actor, branch, ctx), 'READ', { final: false, archived: cycle.state === 'archived', scoringOpen: false, submitted: false });
  const p = uploadPath(dataDir, file.id);
  if (!fs.existsSync(p)) throw new AppError('NOT_FOUND', '文件不存在');
  return { row: file, path: p };
}
