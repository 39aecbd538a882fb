// 党政机关公文格式 (GB/T 9704-2012), as far as a results bulletin, a feedback letter or minutes need it:
// a red issuer's mark (发文机关标志) with the document number (发文字号) and a red rule under them,
// a centred 小标宋 title, the addressee (主送机关) flush left, 仿宋 body paragraphs indented two
// characters on a 28-point line, 黑体 / 楷体 headings, tables, the signature (落款) and its date, page
// numbers "— 1 —", on A4 with the standard margins (top 37 mm, bottom 35 mm, left 28 mm, right 26 mm).
// One content model (OfficialDoc) renders both to .docx (the `docx` library, in memory) and to
// printable HTML (as a string per block, so long documents stream). Pure: no I/O.
import {
  AlignmentType,
  BorderStyle,
  Document,
  Footer,
  LineRuleType,
  PageNumber,
  Paragraph,
  Table,
  TableCell,
  TableLayoutType,
  TableRow,
  TextRun,
  VerticalAlignTable,
  WidthType,
  type IFontAttributesProperties,
  type ISectionOptions,
} from 'docx';

/** The document's head: the red issuer's mark and the document number. */
export interface DocHead {
  /** 发文机关标志, e.g. 中共中机中联公司委员会文件 */
  header: string;
  /** 发文字号, e.g. 中机中联党〔2020〕12号 */
  number: string;
}

export type DocBlock =
  | { type: 'title'; text: string }
  | { type: 'addressee'; text: string }
  | { type: 'paragraph'; text: string }
  | { type: 'heading'; level: 1 | 2; text: string }
  /** A table; a block with `continued` adds rows to the table just before it (long lists come in pages). */
  | { type: 'table'; columns: { title: string; width: number }[]; rows: (string | number)[][]; continued?: boolean }
  | { type: 'signature'; issuer: string; date: string };

export interface OfficialDoc {
  head: DocHead;
  blocks: DocBlock[];
}

// ── fonts and sizes ────────────────────────────────────────────────────────────
// Sizes in half-points: 一号 26 pt, 二号 22 pt, 三号 16 pt, 四号 14 pt. Each font names its Chinese face
// (eastAsia) and a face for Latin text; a reader without the face substitutes its nearest (LibreOffice:
// fontconfig's CJK serif), and the HTML names system fallbacks in its font-family lists.
const XIAOBIAOSONG: IFontAttributesProperties = { eastAsia: '方正小标宋简体', ascii: 'Times New Roman', hAnsi: 'Times New Roman', hint: 'eastAsia' };
const FANGSONG: IFontAttributesProperties = { eastAsia: '仿宋_GB2312', ascii: 'FangSong', hAnsi: 'FangSong', hint: 'eastAsia' };
const HEITI: IFontAttributesProperties = { eastAsia: '黑体', ascii: 'SimHei', hAnsi: 'SimHei', hint: 'eastAsia' };
const KAITI: IFontAttributesProperties = { eastAsia: '楷体_GB2312', ascii: 'KaiTi', hAnsi: 'KaiTi', hint: 'eastAsia' };
const SONGTI: IFontAttributesProperties = { eastAsia: '宋体', ascii: 'SimSun', hAnsi: 'SimSun', hint: 'eastAsia' };
export const RED = 'C8161D';
const SIZE = { header: 52, title: 44, body: 32, table: 28, footer: 28 } as const;
/** 28-point lines: 22 lines a page on A4 with these margins (GB/T 9704 asks 22 lines of 28 characters). */
const LINE = { line: 560, lineRule: LineRuleType.EXACT } as const;
const INDENT_2_CHARS = 640; // two characters of 16 pt, in twips

export const A4_MARGINS_MM = { top: 37, bottom: 35, left: 28, right: 26 } as const;
/** Millimetres to twips, rounded (docx's own conversion floors: 37 mm would be 2097, not 2098). */
const mm = (x: number) => Math.round((x * 1440) / 25.4);
const A4 = { width: mm(210), height: mm(297) };
const TEXT_WIDTH = A4.width - mm(A4_MARGINS_MM.left) - mm(A4_MARGINS_MM.right);

const run = (text: string, font: IFontAttributesProperties, size: number, extra: { bold?: boolean; color?: string } = {}) =>
  new TextRun({ text, font, size, ...extra, language: { eastAsia: 'zh-CN' } });

function headParagraphs(head: DocHead): Paragraph[] {
  return [
    new Paragraph({ alignment: AlignmentType.CENTER, spacing: { before: 0, after: 240 }, children: [run(head.header, XIAOBIAOSONG, SIZE.header, { color: RED })] }),
    // The number, and the red rule under it (a bottom border the width of the text).
    new Paragraph({
      alignment: AlignmentType.CENTER,
      spacing: { before: 240, after: 120 },
      border: { bottom: { style: BorderStyle.SINGLE, size: 18, color: RED, space: 6 } },
      children: [run(head.number, FANGSONG, SIZE.body)],
    }),
    new Paragraph({ spacing: LINE, children: [] }),
  ];
}

function cell(text: string, width: number, header: boolean): TableCell {
  return new TableCell({
    width: { size: width, type: WidthType.DXA },
    verticalAlign: VerticalAlignTable.CENTER,
    margins: { left: 80, right: 80, top: 40, bottom: 40 },
    children: [new Paragraph({ alignment: AlignmentType.CENTER, children: [run(text, header ? HEITI : FANGSONG, SIZE.table)] })],
  });
}

function tableOf(columns: { title: string; width: number }[], rows: (string | number)[][]): Table {
  const total = columns.reduce((a, c) => a + c.width, 0);
  const widths = columns.map((c) => Math.floor((c.width / total) * TEXT_WIDTH));
  return new Table({
    width: { size: TEXT_WIDTH, type: WidthType.DXA },
    columnWidths: widths,
    layout: TableLayoutType.FIXED,
    rows: [
      new TableRow({ tableHeader: true, children: columns.map((c, i) => cell(c.title, widths[i], true)) }),
      ...rows.map((r) => new TableRow({ cantSplit: true, children: r.map((v, i) => cell(String(v), widths[i], false)) })),
    ],
  });
}

function blockParagraphs(blocks: DocBlock[]): (Paragraph | Table)[] {
  const out: (Paragraph | Table)[] = [];
  // Consecutive table pages become one table.
  let pending: { columns: { title: string; width: number }[]; rows: (string | number)[][] } | null = null;
  const flush = () => {
    if (pending) out.push(tableOf(pending.columns, pending.rows), new Paragraph({ spacing: { after: 120 }, children: [] }));
    pending = null;
  };
  for (const b of blocks) {
    if (b.type === 'table') {
      if (b.continued && pending) pending.rows.push(...b.rows);
      else {
        flush();
        pending = { columns: b.columns, rows: [...b.rows] };
      }
      continue;
    }
    flush();
    switch (b.type) {
      case 'title':
        out.push(new Paragraph({ alignment: AlignmentType.CENTER, spacing: { before: 0, after: 560, line: 700, lineRule: LineRuleType.AT_LEAST }, children: [run(b.text, XIAOBIAOSONG, SIZE.title)] }));
        break;
      case 'addressee':
        out.push(new Paragraph({ spacing: LINE, children: [run(b.text, FANGSONG, SIZE.body)] }));
        break;
      case 'paragraph':
        out.push(new Paragraph({ spacing: LINE, alignment: AlignmentType.BOTH, indent: { firstLine: INDENT_2_CHARS }, children: [run(b.text, FANGSONG, SIZE.body)] }));
        break;
      case 'heading':
        out.push(new Paragraph({ spacing: LINE, indent: { firstLine: INDENT_2_CHARS }, keepNext: true, children: [run(b.text, b.level === 1 ? HEITI : KAITI, SIZE.body)] }));
        break;
      case 'signature':
        out.push(
          new Paragraph({ spacing: LINE, children: [] }),
          new Paragraph({ spacing: LINE, alignment: AlignmentType.RIGHT, indent: { right: INDENT_2_CHARS * 2 }, children: [run(b.issuer, FANGSONG, SIZE.body)] }),
          new Paragraph({ spacing: LINE, alignment: AlignmentType.RIGHT, indent: { right: INDENT_2_CHARS * 2 }, children: [run(b.date, FANGSONG, SIZE.body)] }),
        );
        break;
    }
  }
  flush();
  return out;
}

const footer = () =>
  new Footer({
    children: [new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ children: ['— ', PageNumber.CURRENT, ' —'], font: SONGTI, size: SIZE.footer })] })],
  });

/** One section per document: a letter per branch starts on a new page with its own head. */
export function sectionOf(doc: OfficialDoc): ISectionOptions {
  return {
    properties: {
      page: {
        size: A4,
        margin: {
          top: mm(A4_MARGINS_MM.top),
          bottom: mm(A4_MARGINS_MM.bottom),
          left: mm(A4_MARGINS_MM.left),
          right: mm(A4_MARGINS_MM.right),
          header: mm(15),
          footer: mm(20),
        },
      },
    },
    footers: { default: footer() },
    children: [...headParagraphs(doc.head), ...blockParagraphs(doc.blocks)],
  };
}

/** The .docx of one or more documents (each from a new page), in memory: pack it with Packer. */
export function docxOf(docs: OfficialDoc[], meta: { title: string; creator: string }): Document {
  return new Document({
    title: meta.title,
    creator: meta.creator,
    styles: { default: { document: { run: { font: FANGSONG, size: SIZE.body } } } },
    sections: docs.map(sectionOf),
  });
}

// ── HTML ──────────────────────────────────────────────────────────────────────

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The printable page's head and style: the same layout, with the fonts' system fallbacks. */
export function htmlPageStart(title: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>@page{size:A4;margin:37mm 26mm 35mm 28mm}
body{font-family:"仿宋_GB2312","FangSong","STFangsong","Noto Serif CJK SC","Songti SC",serif;font-size:16pt;max-width:156mm;margin:40px auto;line-height:28pt;color:#111}
.doc-header{color:#${RED};text-align:center;font-family:"方正小标宋简体","FZXiaoBiaoSong-B05S","STZhongsong","Noto Serif CJK SC",serif;font-size:26pt;line-height:1.4;margin:0 0 12pt}
.doc-number{text-align:center;margin:0;padding-bottom:6pt;border-bottom:2.25pt solid #${RED}}
h1{text-align:center;font-family:"方正小标宋简体","FZXiaoBiaoSong-B05S","STZhongsong","Noto Serif CJK SC",serif;font-size:22pt;font-weight:normal;line-height:1.5;margin:28pt 0}
h2{font-family:"黑体","SimHei","Noto Sans CJK SC",sans-serif;font-size:16pt;font-weight:normal;text-indent:2em;margin:0}
h3{font-family:"楷体_GB2312","KaiTi","STKaiti","Noto Serif CJK SC",serif;font-size:16pt;font-weight:normal;text-indent:2em;margin:0}
p{margin:0;text-indent:2em;text-align:justify}p.addressee{text-indent:0}p.sign{text-align:right;text-indent:0;padding-right:4em}p.sign.first{margin-top:28pt}
table{border-collapse:collapse;width:100%;font-size:14pt;line-height:1.5;margin:6pt 0 12pt}td,th{border:1px solid #333;padding:2pt 6pt;text-align:center;font-weight:normal}
th{font-family:"黑体","SimHei","Noto Sans CJK SC",sans-serif}
.letter,.document{page-break-after:always;margin-bottom:60px}@media print{body{margin:0}}</style></head><body>`;
}

export const HTML_PAGE_END = '</body></html>';

export function htmlHead(head: DocHead): string {
  return `<div class="doc-header">${esc(head.header)}</div>\n<p class="doc-number">${esc(head.number)}</p>\n`;
}

/** Renders blocks to HTML as they come; `state` keeps a table open across `continued` pages. */
export function htmlBlocks(blocks: DocBlock[], state: { tableOpen: boolean }): string {
  let out = '';
  const close = () => {
    if (state.tableOpen) out += '</tbody></table>\n';
    state.tableOpen = false;
  };
  for (const b of blocks) {
    if (b.type === 'table') {
      if (!(b.continued && state.tableOpen)) {
        close();
        out += `<table><thead><tr>${b.columns.map((c) => `<th>${esc(c.title)}</th>`).join('')}</tr></thead><tbody>\n`;
        state.tableOpen = true;
      }
      out += b.rows.map((r) => `<tr>${r.map((v) => `<td>${esc(String(v))}</td>`).join('')}</tr>\n`).join('');
      continue;
    }
    close();
    switch (b.type) {
      case 'title':
        out += `<h1>${esc(b.text)}</h1>\n`;
        break;
      case 'addressee':
        out += `<p class="addressee">${esc(b.text)}</p>\n`;
        break;
      case 'paragraph':
        out += `<p>${esc(b.text)}</p>\n`;
        break;
      case 'heading':
        out += `<h${b.level + 1}>${esc(b.text)}</h${b.level + 1}>\n`;
        break;
      case 'signature':
        out += `<p class="sign first">${esc(b.issuer)}</p>\n<p class="sign">${esc(b.date)}</p>\n`;
        break;
    }
  }
  return out;
}

/** Closes a table still open at the end of a document. */
export const htmlEnd = (state: { tableOpen: boolean }): string => {
  const out = state.tableOpen ? '</tbody></table>\n' : '';
  state.tableOpen = false;
  return out;
};

/** 一、二、三… for headings (up to 99). */
export function chineseOrdinal(n: number): string {
  const digits = '零一二三四五六七八九';
  if (n < 10) return digits[n];
  if (n < 20) return `十${n % 10 ? digits[n % 10] : ''}`;
  return `${digits[Math.floor(n / 10)]}十${n % 10 ? digits[n % 10] : ''}`;
}

/** A date as 公文 writes it: 2020年12月20日. */
export const documentDate = (isoDay: string): string => {
  const [y, m, d] = isoDay.split('-').map(Number);
  return `${y}年${m}月${d}日`;
};
