// The import templates the cycle wizard offers for download: branches and panel as Excel, with the
// header row the roster importer reads (src/domain/roster.ts), one example row, and a sheet (说明)
// naming each column in Chinese. Made the way examples/make-templates.ts makes the repository's own.
import ExcelJS from 'exceljs';
import { parseBranchesCsv, parsePanelCsv } from '../domain/roster';
import type { Actor } from './actors';
import { authorize } from './policy';

export const TEMPLATE_KINDS = ['branches', 'panel'] as const;
export type TemplateKind = (typeof TEMPLATE_KINDS)[number];

const COLUMNS: Record<TemplateKind, { sheet: string; columns: [key: string, zh: string, required: boolean][]; example: string[] }> = {
  branches: {
    sheet: '支部',
    columns: [
      ['code', '支部编号（字母、数字、-、_）', true],
      ['name', '支部名称', true],
      ['secretaryName', '支部书记姓名', true],
      ['secretaryEmail', '支部书记邮箱', true],
      ['deputyEmail', '受托人邮箱（可不填）', false],
      ['segment', '所属板块（可不填）', false],
    ],
    example: ['B01', '机关第一党支部', '王明', 'b01@example.org', '', ''],
  },
  panel: {
    sheet: '考评组',
    columns: [
      ['email', '考评组成员邮箱', true],
      ['name', '姓名', true],
      ['branchCode', '本人所在支部编号（回避，可不填）', false],
    ],
    example: ['panel1@example.org', '考评组成员一', ''],
  },
};

/** The template as an .xlsx download; its example row passes the importer's own check. */
export async function rosterTemplate(kind: TemplateKind, actor: Actor): Promise<{ filename: string; contentType: string; body: Buffer }> {
  authorize(actor, 'CREATE_CYCLE');
  const t = COLUMNS[kind];
  const header = t.columns.map(([key]) => key);
  const csv = `${header.join(',')}\n${t.example.join(',')}`;
  (kind === 'branches' ? parseBranchesCsv : parsePanelCsv)(csv);
  const wb = new ExcelJS.Workbook();
  wb.creator = 'shuping';
  const ws = wb.addWorksheet(t.sheet);
  ws.columns = t.columns.map(([key, zh]) => ({ header: key, key, width: Math.max(16, [...zh].length * 2) }));
  ws.getRow(1).font = { bold: true };
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  ws.addRow(t.example);
  t.columns.forEach(([, zh], i) => {
    ws.getRow(1).getCell(i + 1).note = zh;
  });
  const help = wb.addWorksheet('说明');
  help.columns = [{ header: '列名', key: 'key', width: 18 }, { header: '含义', key: 'zh', width: 40 }, { header: '必填', key: 'req', width: 8 }];
  help.getRow(1).font = { bold: true };
  for (const [key, zh, required] of t.columns) help.addRow({ key, zh, req: required ? '是' : '否' });
  help.addRow({});
  help.addRow({ key: '提示', zh: '第一行为列名，请勿修改；第二行为示例，可直接改写。每个支部（或成员）一行。导入时如有错误，会指出行号和列名。' });
  return {
    filename: `${kind === 'branches' ? '支部名单模板' : '考评组名单模板'}.xlsx`,
    contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    body: Buffer.from(await wb.xlsx.writeBuffer()),
  };
}
