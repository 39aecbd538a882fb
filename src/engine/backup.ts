// Backup and restore of an SQLite installation (README.md: Deployment). A backup is a directory:
//   FILE/shuping.sqlite   an online, consistent copy of the database (VACUUM INTO), taken while others write
//   FILE/uploads/         the uploaded files, copied after the database (so every file the copy names is there)
//   FILE/manifest.json    when it was taken, its migrations, row counts and the audit chains' heads
// PostgreSQL is backed up with pg_dump and restored with pg_restore, as the README shows.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { AppError } from '../errors';
import { isEmptyDatabase, restoreFrom, snapshotFacts, vacuumInto, type SnapshotFacts } from '../store/backup';
import { migrate, sqliteFile, type Db } from '../store/db';

export const BACKUP_DB = 'shuping.sqlite';
export const BACKUP_UPLOADS = 'uploads';
export const BACKUP_MANIFEST = 'manifest.json';

export interface BackupManifest extends SnapshotFacts {
  format: 'shuping-backup';
  version: 1;
  database: 'sqlite';
  takenAt: string;
  uploads: number;
}

const onSqlite = (db: Db, what: string): string => {
  const file = sqliteFile(db);
  if (!file) {
    throw new AppError('BAD_REQUEST', `${what}只适用于 SQLite；PostgreSQL 请用 pg_dump / pg_restore（见 README 的 Deployment 一节） (use pg_dump/pg_restore on PostgreSQL)`);
  }
  return file;
};

function countFiles(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  return fs.readdirSync(dir, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? countFiles(path.join(dir, e.name)) : 1), 0);
}

const isEmptyDir = (dir: string) => fs.readdirSync(dir).length === 0;

/** `backup --out FILE`: FILE must not exist yet (or be an empty directory); it appears only once complete. */
export async function backupTo(db: Db, dataDir: string, out: string, now: string): Promise<BackupManifest & { path: string }> {
  onSqlite(db, '备份');
  const target = path.resolve(out);
  if (fs.existsSync(target) && !(fs.statSync(target).isDirectory() && isEmptyDir(target))) {
    throw new AppError('CONFLICT', `${out} 已存在且不为空：备份不会覆盖已有文件 (backup target exists)`);
  }
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const work = `${target}.partial-${randomBytes(4).toString('hex')}`;
  fs.mkdirSync(work);
  try {
    await vacuumInto(db, path.join(work, BACKUP_DB));
    const uploads = path.join(dataDir, BACKUP_UPLOADS);
    if (fs.existsSync(uploads)) fs.cpSync(uploads, path.join(work, BACKUP_UPLOADS), { recursive: true });
    else fs.mkdirSync(path.join(work, BACKUP_UPLOADS));
    const { integrity, ...facts } = await snapshotFacts(path.join(work, BACKUP_DB));
    if (integrity !== 'ok') throw new AppError('INTERNAL', `备份副本未通过完整性检查：${integrity}`);
    const manifest: BackupManifest = {
      format: 'shuping-backup',
      version: 1,
      database: 'sqlite',
      takenAt: now,
      uploads: countFiles(path.join(work, BACKUP_UPLOADS)),
      ...facts,
    };
    fs.writeFileSync(path.join(work, BACKUP_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    if (fs.existsSync(target)) fs.rmdirSync(target);
    fs.renameSync(work, target);
    return { path: target, ...manifest };
  } catch (err) {
    fs.rmSync(work, { recursive: true, force: true });
    throw err;
  }
}

function readManifest(from: string): BackupManifest {
  const file = path.join(from, BACKUP_MANIFEST);
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as BackupManifest;
  } catch {
    throw new AppError('BAD_REQUEST', `${from} 不是述评的备份：缺少可读的 ${BACKUP_MANIFEST} (not a backup directory)`);
  }
  if (manifest.format !== 'shuping-backup' || manifest.database !== 'sqlite' || !fs.existsSync(path.join(from, BACKUP_DB))) {
    throw new AppError('BAD_REQUEST', `${from} 不是述评的 SQLite 备份 (not a Shuping SQLite backup)`);
  }
  return manifest;
}

/**
 * `restore --from FILE`: checks the copy, refuses a database that holds people, cycles or audit
 * records unless `force`, replaces the database's content and the uploads, then migrates (a backup
 * made by an older version comes up to date). Stop the app's processes first.
 */
export async function restoreBackup(db: Db, dataDir: string, from: string, opts: { force?: boolean } = {}) {
  onSqlite(db, '恢复');
  const source = path.resolve(from);
  const manifest = readManifest(source);
  const facts = await snapshotFacts(path.join(source, BACKUP_DB));
  if (facts.integrity !== 'ok') throw new AppError('BAD_REQUEST', `备份副本已损坏：${facts.integrity}`);
  if (!opts.force && !(await isEmptyDatabase(db))) {
    throw new AppError('CONFLICT', '数据库不为空：恢复会覆盖现有数据，确认请加 --force (database not empty; use --force to overwrite)');
  }
  await restoreFrom(db, path.join(source, BACKUP_DB));
  const migrated = await migrate(db);
  // The uploads are swapped whole: copied beside the old ones, then put in their place.
  const uploads = path.join(dataDir, BACKUP_UPLOADS);
  const incoming = `${uploads}.restoring-${randomBytes(4).toString('hex')}`;
  const fromUploads = path.join(source, BACKUP_UPLOADS);
  if (fs.existsSync(fromUploads)) fs.cpSync(fromUploads, incoming, { recursive: true });
  else fs.mkdirSync(incoming, { recursive: true });
  fs.rmSync(uploads, { recursive: true, force: true });
  fs.renameSync(incoming, uploads);
  return { restored: true as const, from: source, takenAt: manifest.takenAt, counts: facts.counts, uploads: countFiles(uploads), migrated };
}
