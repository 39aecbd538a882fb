// Branches and panel from CSV (the columns of examples/branches.csv), checked row by row.
import { parse } from 'csv-parse/sync';
import type { z } from 'zod';
import { invalidInput, type FieldIssue } from '../errors';
import { branchRowSchema, panelRowSchema } from './schemas';

function parseRows<S extends z.ZodType>(csv: string, schema: S, what: 'branches' | 'panel'): z.infer<S>[] {
  const records = parse(csv.replace(/^\uFEFF/, ''), { columns: true, skip_empty_lines: true, trim: true, relax_column_count: true }) as Record<
    string,
    string
  >[];
  const issues: FieldIssue[] = [];
  const rows: z.infer<S>[] = [];
  records.forEach((rec, i) => {
    // Row numbers as a spreadsheet shows them: the header is row 1.
    const rowNo = i + 2;
    const clean = Object.fromEntries(Object.entries(rec).filter(([, v]) => v !== ''));
    const res = schema.safeParse(clean);
    if (res.success) rows.push(res.data);
    else for (const is of res.error.issues) issues.push({ field: `${what}[row ${rowNo}].${is.path.join('.')}`, message: is.message });
  });
  if (!records.length) issues.push({ field: what, message: '文件中没有数据行' });
  if (issues.length) throw invalidInput(issues);
  return rows;
}

export const parseBranchesCsv = (csv: string) => parseRows(csv, branchRowSchema, 'branches');
export const parsePanelCsv = (csv: string) => parseRows(csv, panelRowSchema, 'panel');

/** Rows of the first worksheet of an .xlsx file as CSV text, so both formats share one row-by-row check. */
export async function xlsxToCsv(buffer: Buffer): Promise<string> {
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buffer as unknown as ArrayBuffer);
  const ws = wb.worksheets[0];
  if (!ws) return '';
  const lines: string[] = [];
  ws.eachRow({ includeEmpty: false }, (row) => {
    const values = (row.values as unknown[]).slice(1).map((v) => {
      const cell = v && typeof v === 'object' && 'text' in (v as object) ? (v as { text: string }).text : v;
      const s = cell === null || cell === undefined ? '' : String(cell);
      return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    });
    lines.push(values.join(','));
  });
  return lines.join('\n');
}

export async function rosterText(filename: string, buffer: Buffer): Promise<string> {
  return /\.xlsx$/i.test(filename) ? xlsxToCsv(buffer) : buffer.toString('utf8');
}
