// Documents (DESIGN.md: Documents): the results and the rectification ledger (整改台账) as .xlsx,
// the bulletin (通报) and the per-branch letters (结果告知书) as Word documents in the 公文 layout or
// printable HTML (./documents.ts); the letters also as a zip of one .docx per branch.
import { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { ScoreSheet } from '../domain/scoring';
import { AppError } from '../errors';
import { countPublished, reviewsPage, type BranchReviewRow } from '../store/branchReviews';
import type { Tx } from '../store/db';
import { usersByIds } from '../store/users';
import type { Actor } from './actors';
import { parseConfig } from './transitions';
import { bulletinExport, lettersExport, minutesDocxExport, type DocFormat } from './documents';
import { kindOf } from '../../workflows/index';
import { contextOf } from './lookup';
import { authorize } from './policy';
import { requireCycleFor } from './views';
import { meetingMinutes, minutesExport } from './minutes';

export const EXPORT_KINDS = ['results', 'ledger', 'bulletin', 'letters', 'minutes'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];
/** The formats each kind comes in, the first its default. */
export const EXPORT_FORMATS = { results: ['xlsx'], ledger: ['xlsx'], bulletin: ['html', 'docx'], letters: ['html', 'docx', 'zip'], minutes: ['html', 'docx'] } as const satisfies Record<ExportKind, readonly string[]>;
export const ALL_EXPORT_FORMATS = ['xlsx', 'html', 'docx', 'zip'] as const;
export type ExportFormat = (typeof ALL_EXPORT_FORMATS)[number];

/**
 * A document to download: its name and type, and a writer that streams it to the given stream
 * (rows are read a page at a time, so a cycle of any size is exported in bounded memory).
 */
export interface ExportFile {
  filename: string;
  contentType: string;
  write(out: Writable): Promise<void>;
}

/** The whole document in memory, for tests and small callers. */
export async function collect(file: ExportFile): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  await file.write(sink);
  return Buffer.concat(chunks);
}

const PAGE = 500;

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const ITEM_ZH = { open: '未开始', inProgress: '整改中', verified: '已销号' } as const;

export async function exportDocument(db: Tx, ref: string | number, kind: string, actor: Actor, format?: string): Promise<ExportFile> {
  if (!(EXPORT_KINDS as readonly string[]).includes(kind)) {
    throw new AppError('INVALID_INPUT', `kind 须为 ${EXPORT_KINDS.join('、')} 之一`, { issues: [{ field: 'kind', message: `unknown kind ${kind}` }] });
  }
  const formats: readonly string[] = EXPORT_FORMATS[kind as ExportKind];
  if (format !== undefined && !formats.includes(format)) {
    throw new AppError('INVALID_INPUT', `${kind} 的格式须为 ${formats.join('、')} 之一`, { issues: [{ field: 'format', message: `${kind} comes as ${formats.join(', ')}` }] });
  }
  const cycle = await requireCycleFor(db, ref, actor);
  authorize(actor, 'EXPORT');
  const config = parseConfig(cycle);
  // A quarterly assessment has no meeting and no letters: its results and its bulletin.
  if (kindOf(config) === 'quarterlyAssessment' && (kind === 'letters' || kind === 'minutes')) {
    throw new AppError('INVALID_INPUT', `季度党建考核没有${kind === 'letters' ? '结果告知书' : '会议纪要'}，请下载通报或评议结果 (a quarterly assessment has no ${kind})`, {
      issues: [{ field: 'kind', message: `${kind} are the annual review's` }],
    });
  }
  // 会议纪要 (./minutes.ts): from the meeting, before or after publication.
  if (kind === 'minutes') return format === 'docx' ? minutesDocxExport(db, cycle, config, await meetingMinutes(db, cycle.id, actor)) : minutesExport(db, cycle);
  const publishedCount = await countPublished(db, cycle.id);
  if (kind !== 'ledger' && !publishedCount) throw new AppError('EVENT_NOT_ALLOWED', '结果尚未公布，无法导出 (results not published yet)', { allowedEvents: [] });
  const base = cycle.quarter ? `${cycle.year}Q${cycle.quarter}` : `${cycle.year}`;
  /** Published branches by rank, or every branch by code, a page at a time. */
  async function* reviews(publishedOnly: boolean) {
    for (let offset = 0; ; offset += PAGE) {
      const page = await reviewsPage(db, cycle.id, { publishedOnly, offset, limit: PAGE });
      for (const b of page) yield { b, ctx: contextOf(b) };
      if (page.length < PAGE) return;
    }
  }
  const xlsx = (filename: string, sheet: string, columns: Partial<ExcelJS.Column>[], fill: (add: (row: Record<string, unknown>) => void) => Promise<void>): ExportFile => ({
    filename,
    contentType: XLSX,
    async write(out) {
      const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
      const ws = wb.addWorksheet(sheet);
      ws.columns = columns;
      ws.getRow(1).font = { bold: true };
      await fill((row) => ws.addRow(row).commit());
      ws.commit();
      await wb.commit();
    },
  });
  if (kind === 'results') {
    return xlsx(`${base}-评议结果.xlsx`, '评议结果', [
      { header: '排名', key: 'rank', width: 6 }, { header: '编号', key: 'code', width: 8 }, { header: '支部', key: 'name', width: 24 },
      { header: '书记', key: 'secretary', width: 10 }, { header: '考评组平均分', key: 'panel', width: 12 }, { header: '民主测评', key: 'rate', width: 10 },
      { header: '基础分', key: 'base', width: 9 }, { header: '加减分', key: 'adj', width: 9 }, { header: '最终得分', key: 'final', width: 10 },
      { header: '等次', key: 'grade', width: 8 }, { header: '说明', key: 'note', width: 30 },
    ], async (add) => {
      let batch: { b: BranchReviewRow; ctx: ReturnType<typeof contextOf> }[] = [];
      const flush = async () => {
        const secretaries = new Map((await usersByIds(db, batch.map((r) => r.b.secretary_id))).map((u) => [u.id, u.name]));
        for (const { b, ctx } of batch) {
          const s = ctx.result!.scoreSheet as ScoreSheet;
          add({
            rank: s.rank, code: b.code, name: b.name, secretary: secretaries.get(b.secretary_id), panel: s.panel, rate: s.rate ?? '',
            base: s.base, adj: s.adjustmentTotal, final: s.final, grade: s.grade,
            note: [s.veto ? `一票否决：${s.veto.reason}` : '', s.capped ? '受“好”等次比例限制' : '', ...s.adjustments.map((a) => `${a.points > 0 ? '+' : ''}${a.points}：${a.reason}`)].filter(Boolean).join('；'),
          });
        }
        batch = [];
      };
      for await (const r of reviews(true)) {
        batch.push(r);
        if (batch.length >= PAGE) await flush();
      }
      await flush();
    });
  }

  if (kind === 'ledger') {
    return xlsx(`${base}-整改台账.xlsx`, '整改台账', [
      { header: '编号', key: 'code', width: 8 }, { header: '支部', key: 'name', width: 24 }, { header: '事项', key: 'id', width: 6 },
      { header: '问题', key: 'problem', width: 30 }, { header: '措施', key: 'measure', width: 36 }, { header: '责任人', key: 'owner', width: 10 },
      { header: '完成时限', key: 'due', width: 12 }, { header: '状态', key: 'status', width: 8 }, { header: '进展', key: 'progress', width: 40 },
    ], async (add) => {
      for await (const { b, ctx } of reviews(false)) {
        for (const it of ctx.planItems) {
          add({ code: b.code, name: b.name, id: it.id, problem: it.problem, measure: it.measure, owner: it.owner, due: it.dueDate, status: ITEM_ZH[it.status], progress: it.progress.map((p) => p.note).join('；') });
        }
      }
    });
  }

  if (kind === 'bulletin') return bulletinExport(db, cycle, config, format === 'docx' ? 'docx' : 'html', base);
  return lettersExport(db, cycle, config, (format ?? 'html') as DocFormat, base);
}
