// Branches and panel from CSV (the columns of examples/branches.csv) or Excel, checked row by row:
// a file that cannot be read, or any bad row, and nothing of it is imported.
import { parse } from 'csv-parse/sync';
import type { z } from 'zod';
import { invalidInput, type FieldIssue } from '../errors';
import { branchRowSchema, panelRowSchema } from './schemas';

type What = 'branches' | 'panel' | string;

interface CsvRecord { record: Record<string, string>; info: { lines: number }; raw: string }

/** Row numbers as a spreadsheet shows them (the header is row 1): the line a record starts on. */
const startLine = (r: CsvRecord) => r.info.lines - (r.raw.replace(/^[\r\n]+/, '').replace(/\r?\n$/, '').match(/\n/g)?.length ?? 0);

const CSV_ERRORS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: '引号没有闭合',
  CSV_INVALID_CLOSING_QUOTE: '闭合引号后面还有字符',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: '闭合引号后面还有字符',
  CSV_INVALID_COLUMN_DEFINITION: '表头不正确',
  CSV_INVALID_COLUMN_MAPPING: '表头不正确',
  CSV_RECORD_INCONSISTENT_COLUMNS: '列数与表头不一致',
  CSV_RECORD_INCONSISTENT_FIELDS_LENGTH: '列数与表头不一致',
  CSV_MAX_RECORD_SIZE: '一行过长',
};

function readCsv(csv: string, what: What): CsvRecord[] {
  try {
    return parse(csv.replace(/^\uFEFF/, ''), { columns: true, skip_empty_lines: true, trim: true, relax_column_count: true, info: true, raw: true }) as CsvRecord[];
  } catch (err) {
    const e = err as { code?: string; lines?: number; message?: string };
    const why = (e.code && CSV_ERRORS[e.code]) ?? 'CSV 格式有误';
    const row = typeof e.lines === 'number' ? e.lines : undefined;
    throw invalidInput([{ field: row ? `${what}[row ${row}]` : what, message: `无法读取 CSV${row ? `（第 ${row} 行）` : ''}：${why} (${e.message ?? String(err)})` }]);
  }
}

function parseRows<S extends z.ZodType>(csv: string, schema: S, what: What): z.infer<S>[] {
  const records = readCsv(csv, what);
  const issues: FieldIssue[] = [];
  const rows: z.infer<S>[] = [];
  for (const rec of records) {
    const rowNo = startLine(rec);
    const clean = Object.fromEntries(Object.entries(rec.record).filter(([, v]) => v !== ''));
    const res = schema.safeParse(clean);
    if (res.success) rows.push(res.data);
    else for (const is of res.error.issues) issues.push({ field: `${what}[row ${rowNo}].${is.path.join('.')}`, message: is.message });
  }
  if (!records.length) issues.push({ field: what, message: '文件中没有数据行' });
  if (issues.length) throw invalidInput(issues);
  return rows;
}

export const parseBranchesCsv = (csv: string) => parseRows(csv, branchRowSchema, 'branches');
export const parsePanelCsv = (csv: string) => parseRows(csv, panelRowSchema, 'panel');

/** More rows than any roster has: a sheet that claims more is refused rather than read. */
const MAX_SHEET_ROWS = 20_000;

const csvField = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
const isoDay = (d: Date) => (Number.isNaN(d.getTime()) ? undefined : d.toISOString().slice(0, 10));

/**
 * The text a cell shows, or why it cannot be read: strings as they are, numbers as written, dates as
 * YYYY-MM-DD, formulas as their cached result, rich text and hyperlinks as their plain text. Booleans,
 * errors (#N/A…) and formulas without a result are refused.
 */
function cellText(value: unknown): { text: string } | { why: string } {
  if (value === null || value === undefined) return { text: '' };
  if (typeof value === 'string') return { text: value };
  if (typeof value === 'number') return Number.isFinite(value) ? { text: String(value) } : { why: '数字无效' };
  if (typeof value === 'boolean') return { why: `是逻辑值 ${value ? 'TRUE' : 'FALSE'}，不是文字` };
  if (value instanceof Date) {
    const day = isoDay(value);
    return day ? { text: day } : { why: '日期无效' };
  }
  if (typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (Array.isArray(v.richText)) return { text: (v.richText as { text?: unknown }[]).map((r) => (typeof r?.text === 'string' ? r.text : '')).join('') };
    if ('error' in v) return { why: `是错误值 ${String(v.error)}` };
    if ('hyperlink' in v || 'text' in v) return cellText(v.text ?? '');
    if ('formula' in v || 'sharedFormula' in v) {
      if (v.result === undefined || v.result === null) return { why: '公式没有计算结果，请在 Excel 中打开并保存后再导入' };
      return cellText(v.result);
    }
  }
  return { why: '内容无法识别' };
}

/** Reads an .xlsx workbook, refusing one that cannot be read (naming the file). */
async function loadWorkbook(buffer: Buffer, filename: string, what: What) {
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(buffer as unknown as ArrayBuffer);
  } catch (err) {
    throw invalidInput([{ field: what, message: `无法读取 Excel 文件 ${filename}：文件已损坏或不是 .xlsx 工作簿 (${(err as Error)?.message ?? String(err)})` }]);
  }
  return { wb, ExcelJS };
}

/**
 * Rows of the first worksheet of an .xlsx file as CSV text, one line per sheet row (so a row keeps its
 * number), so both formats share one row-by-row check. A cell that cannot be read is refused naming
 * the sheet, row and column; nothing of the file is used then.
 */
export async function xlsxToCsv(buffer: Buffer, filename = 'file.xlsx', what: What = 'file'): Promise<string> {
  const { wb, ExcelJS } = await loadWorkbook(buffer, filename, what);
  const ws = wb.worksheets[0];
  if (!ws) return '';
  if (ws.rowCount > MAX_SHEET_ROWS) throw invalidInput([{ field: what, message: `工作表「${ws.name}」行数过多（${ws.rowCount} 行，上限 ${MAX_SHEET_ROWS}）` }]);
  const issues: FieldIssue[] = [];
  const lines: string[] = [];
  for (let r = 1; r <= ws.rowCount; r++) {
    const row = ws.getRow(r);
    const values: string[] = [];
    for (let c = 1; c <= row.cellCount; c++) {
      const cell = row.getCell(c);
      // A merged cell's other parts show nothing of their own: the master cell holds the text.
      const read = cell.type === ExcelJS.ValueType.Merge ? { text: '' } : cellText(cell.value);
      if ('why' in read) {
        const column = ws.getColumn(c).letter;
        issues.push({ field: `${what}[sheet ${ws.name}, row ${r}, column ${column}]`, message: `工作表「${ws.name}」第 ${r} 行 ${column} 列：${read.why}` });
        values.push('');
      } else values.push(csvField(read.text));
    }
    lines.push(values.join(',').replace(/,+$/, ''));
  }
  if (issues.length) throw invalidInput(issues);
  return lines.join('\n');
}

/** The roster file's text: an .xlsx workbook as CSV, or a CSV file, which must be UTF-8. */
export async function rosterText(filename: string, buffer: Buffer, what: What = 'file'): Promise<string> {
  if (/\.xlsx$/i.test(filename)) return xlsxToCsv(buffer, filename, what);
  if (/\.xls$/i.test(filename)) throw invalidInput([{ field: what, message: `${filename} 是旧版 Excel 文件，请另存为 .xlsx 或 CSV (UTF-8) 后再导入` }]);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buffer);
  } catch {
    throw invalidInput([{ field: what, message: `${filename} 不是 UTF-8 编码的 CSV，请在 Excel 中另存为「CSV UTF-8」后再导入` }]);
  }
}
