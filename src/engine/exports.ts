// Documents (DESIGN.md: Documents): the results and the rectification ledger (整改台账) as .xlsx,
// the bulletin (通报) and the per-branch letters as printable HTML.
import ExcelJS from 'exceljs';
import { formatLocal } from '../domain/deadlines';
import type { ScoreSheet } from '../domain/scoring';
import { AppError } from '../errors';
import { escapeHtml } from '../mail/templates';
import { listBranchReviews } from '../store/branchReviews';
import type { Tx } from '../store/db';
import { usersByIds } from '../store/users';
import type { Actor } from './actors';
import { parseConfig } from './transitions';
import { contextOf } from './lookup';
import { requireCycleFor } from './views';

export const EXPORT_KINDS = ['results', 'ledger', 'bulletin', 'letters'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

export interface ExportFile { filename: string; contentType: string; body: Buffer }

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const ITEM_ZH = { open: '未开始', inProgress: '整改中', verified: '已销号' } as const;

export async function exportDocument(db: Tx, ref: string | number, kind: string, actor: Actor): Promise<ExportFile> {
  if (!(EXPORT_KINDS as readonly string[]).includes(kind)) {
    throw new AppError('INVALID_INPUT', `kind 须为 ${EXPORT_KINDS.join('、')} 之一`, { issues: [{ field: 'kind', message: `unknown kind ${kind}` }] });
  }
  const cycle = await requireCycleFor(db, ref, actor);
  const config = parseConfig(cycle);
  const branches = await listBranchReviews(db, cycle.id);
  const rows = branches.map((b) => ({ b, ctx: contextOf(b) }));
  const published = rows.filter((r) => r.ctx.result).sort((x, y) => x.ctx.result!.rank - y.ctx.result!.rank);
  if (kind !== 'ledger' && !published.length) throw new AppError('EVENT_NOT_ALLOWED', '结果尚未公布，无法导出 (results not published yet)', { allowedEvents: [] });
  const base = `${cycle.year}`;

  if (kind === 'results') {
    const secretaries = new Map((await usersByIds(db, published.map((r) => r.b.secretary_id))).map((u) => [u.id, u.name]));
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('评议结果');
    ws.columns = [
      { header: '排名', key: 'rank', width: 6 }, { header: '编号', key: 'code', width: 8 }, { header: '支部', key: 'name', width: 24 },
      { header: '书记', key: 'secretary', width: 10 }, { header: '考评组平均分', key: 'panel', width: 12 }, { header: '民主测评', key: 'rate', width: 10 },
      { header: '基础分', key: 'base', width: 9 }, { header: '加减分', key: 'adj', width: 9 }, { header: '最终得分', key: 'final', width: 10 },
      { header: '等次', key: 'grade', width: 8 }, { header: '说明', key: 'note', width: 30 },
    ];
    for (const { b, ctx } of published) {
      const s = ctx.result!.scoreSheet as ScoreSheet;
      ws.addRow({
        rank: s.rank, code: b.code, name: b.name, secretary: secretaries.get(b.secretary_id), panel: s.panel, rate: s.rate ?? '',
        base: s.base, adj: s.adjustmentTotal, final: s.final, grade: s.grade,
        note: [s.veto ? `一票否决：${s.veto.reason}` : '', s.capped ? '受“好”等次比例限制' : '', ...s.adjustments.map((a) => `${a.points > 0 ? '+' : ''}${a.points}：${a.reason}`)].filter(Boolean).join('；'),
      });
    }
    ws.getRow(1).font = { bold: true };
    return { filename: `${base}-评议结果.xlsx`, contentType: XLSX, body: Buffer.from(await wb.xlsx.writeBuffer()) };
  }

  if (kind === 'ledger') {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('整改台账');
    ws.columns = [
      { header: '编号', key: 'code', width: 8 }, { header: '支部', key: 'name', width: 24 }, { header: '事项', key: 'id', width: 6 },
      { header: '问题', key: 'problem', width: 30 }, { header: '措施', key: 'measure', width: 36 }, { header: '责任人', key: 'owner', width: 10 },
      { header: '完成时限', key: 'due', width: 12 }, { header: '状态', key: 'status', width: 8 }, { header: '进展', key: 'progress', width: 40 },
    ];
    for (const { b, ctx } of rows) {
      for (const it of ctx.planItems) {
        ws.addRow({ code: b.code, name: b.name, id: it.id, problem: it.problem, measure: it.measure, owner: it.owner, due: it.dueDate, status: ITEM_ZH[it.status], progress: it.progress.map((p) => p.note).join('；') });
      }
    }
    ws.getRow(1).font = { bold: true };
    return { filename: `${base}-整改台账.xlsx`, contentType: XLSX, body: Buffer.from(await wb.xlsx.writeBuffer()) };
  }

  const page = (title: string, body: string) => `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:"FangSong","STFangsong","Noto Serif CJK SC","Songti SC",serif;max-width:800px;margin:40px auto;line-height:1.9;color:#111}
h1{color:#C8161D;text-align:center;font-size:26px}table{border-collapse:collapse;width:100%}td,th{border:1px solid #333;padding:4px 8px;text-align:center}
.letter{page-break-after:always;margin-bottom:60px}.sign{text-align:right;margin-top:40px}@media print{body{margin:0}}</style></head><body>${body}</body></html>`;

  if (kind === 'bulletin') {
    const counts = new Map<string, number>();
    for (const { ctx } of published) counts.set(ctx.result!.grade, (counts.get(ctx.result!.grade) ?? 0) + 1);
    const body = `<h1>关于${escapeHtml(config.title)}结果的通报</h1>
<p>各基层党支部：</p>
<p>按照党委统一部署，${escapeHtml(config.title)}已完成。经现场述职、考评组评议，共 ${published.length} 个支部参加评议，其中${[...counts].map(([g, n]) => `“${escapeHtml(g)}”${n} 个`).join('，')}。现将结果通报如下：</p>
<table><thead><tr><th>排名</th><th>支部</th><th>最终得分</th><th>等次</th></tr></thead><tbody>
${published.map(({ b, ctx }) => `<tr><td>${ctx.result!.rank}</td><td>${escapeHtml(b.name)}</td><td>${ctx.result!.final}</td><td>${escapeHtml(ctx.result!.grade)}</td></tr>`).join('\n')}
</tbody></table>
<p>请各支部对照评议中查找出的问题，于 ${escapeHtml(formatLocal(config.deadlines.plan, config.timezone, 'zh-CN'))} 前报送整改方案，抓好整改落实。</p>
<p class="sign">党委办公室</p>`;
    return { filename: `${base}-通报.html`, contentType: 'text/html; charset=utf-8', body: Buffer.from(page(`${config.title}通报`, body)) };
  }

  const letters = published
    .map(({ b, ctx }) => {
      const r = ctx.result!;
      return `<div class="letter"><h1>${escapeHtml(config.title)}结果告知书</h1>
<p>${escapeHtml(b.name)}：</p>
<p>你支部在${escapeHtml(config.title)}中最终得分 ${r.final} 分，评定等次为“${escapeHtml(r.grade)}”，在 ${r.of} 个参评支部中排名第 ${r.rank} 位。</p>
<p>请针对评议中查找出的问题，逐项明确整改措施、责任人和完成时限，于 ${escapeHtml(formatLocal(ctx.deadlines.plan, config.timezone, 'zh-CN'))} 前报送整改方案。</p>
<p class="sign">党委办公室</p></div>`;
    })
    .join('\n');
  return { filename: `${base}-结果告知书.html`, contentType: 'text/html; charset=utf-8', body: Buffer.from(page(`${config.title}结果告知书`, letters)) };
}
