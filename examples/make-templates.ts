// The Excel import templates examples/branches.xlsx and examples/panel.xlsx, made from the CSV files
// beside them: the same header row (the columns the roster importer expects) and the same example rows.
// `npm run templates` after changing branches.csv or panel.csv.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import { parseBranchesCsv, parsePanelCsv } from '../src/domain/roster';

const here = path.dirname(fileURLToPath(import.meta.url));

async function template(csvName: string, sheetName: string, parse: (csv: string) => Record<string, unknown>[]) {
  const csv = fs.readFileSync(path.join(here, csvName), 'utf8').replace(/^\uFEFF/, '');
  // The header exactly as the CSV has it; the rows through the importer's own check, so a bad example fails here.
  const header = csv.split(/\r?\n/, 1)[0].split(',').map((h) => h.trim());
  const rows = parse(csv);

  const wb = new ExcelJS.Workbook();
  wb.creator = 'shuping';
  const ws = wb.addWorksheet(sheetName);
  ws.columns = header.map((key) => ({ header: key, key, width: Math.max(14, key.length + 4) }));
  ws.getRow(1).font = { bold: true };
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  for (const row of rows) ws.addRow(Object.fromEntries(header.map((h) => [h, row[h] ?? null])));
  // Column widths to fit the example text (Chinese characters count double).
  ws.columns.forEach((col) => {
    let width = col.width ?? 14;
    col.eachCell?.((cell) => {
      const text = String(cell.value ?? '');
      width = Math.max(width, [...text].reduce((w, ch) => w + (ch.charCodeAt(0) > 0x2e80 ? 2 : 1), 0) + 2);
    });
    col.width = width;
  });

  const out = path.join(here, csvName.replace(/\.csv$/, '.xlsx'));
  fs.writeFileSync(out, Buffer.from(await wb.xlsx.writeBuffer()));
  console.log(`${path.relative(process.cwd(), out)}: ${header.join(',')} + ${rows.length} rows`);
}

await template('branches.csv', '支部', parseBranchesCsv);
await template('panel.csv', '考评组', parsePanelCsv);
