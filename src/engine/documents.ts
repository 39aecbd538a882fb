// The results as a Party office hands them on (公文): the bulletin (通报), grouped by segment with the
// grade list and the main problems, and one feedback letter per branch (结果告知书) with its score
// sheet, the panel's comments without names, its problems and the rectification deadlines. One
// content model (src/domain/officialDocument.ts) gives .docx and printable HTML. Rows are read a page
// at a time: HTML streams; a .docx is packed in memory (fine for a few thousand branches); the
// letters as a zip hold one .docx per branch, each packed and written before the next is read.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { Packer } from 'docx';
import { Zip, ZipPassThrough } from 'fflate';
import { DateTime } from 'luxon';
import { kindOf, type BranchReviewContext } from '../../workflows/index';
import type { QuarterlySheet, QuarterlyRules } from '../domain/quarterly';
import { formatLocal } from '../domain/deadlines';
import {
  chineseOrdinal,
  docxOf,
  documentDate,
  HTML_PAGE_END,
  htmlBlocks,
  htmlEnd,
  htmlHead,
  htmlPageStart,
  type DocBlock,
  type DocHead,
  type OfficialDoc,
} from '../domain/officialDocument';
import type { CycleRules } from '../domain/schemas';
import type { ScoreSheet } from '../domain/scoring';
import { gradeCounts, reviewsPage, type BranchReviewRow } from '../store/branchReviews';
import type { CycleRow } from '../store/cycles';
import type { Tx } from '../store/db';
import { problemCategories, problemTexts, publishedAt } from '../store/documents';
import { publishedOfSegment } from '../store/segments';
import type { ExportFile } from './exports';
import type { MeetingMinutes } from './minutes';
import { contextOf } from './lookup';
import { segmentFigures, usesSegments, type SegmentFigures } from './segments';
import { panelComments } from './views';

export const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const PAGE = 500;

/** How the cycle signs its documents: issuer, red mark, numbers, signature (with defaults for cycles that name none). */
export interface DocSettings { issuer: string; header: string; number: string; lettersNumber: string; signature: string }

export function docSettings(config: Pick<CycleRules, 'year' | 'documents'>): DocSettings {
  const d = config.documents;
  const issuer = d?.issuer ?? '党委办公室';
  const number = d?.number ?? `〔${config.year}〕1号`;
  return {
    issuer,
    header: d?.header ?? (issuer.endsWith('文件') ? issuer : `${issuer}文件`),
    number,
    lettersNumber: d?.lettersNumber ?? number,
    signature: d?.signature ?? issuer,
  };
}

/** Everything a document of the cycle needs to know besides its rows. */
export interface DocContext {
  db: Tx;
  cycle: CycleRow;
  config: CycleRules;
  settings: DocSettings;
  /** the signature's date: the day results were published, in the cycle's time zone */
  date: string;
}

export async function docContext(db: Tx, cycle: CycleRow, config: CycleRules): Promise<DocContext> {
  const at = (await publishedAt(db, cycle.id)) ?? cycle.updated_at;
  const day = DateTime.fromISO(at, { zone: config.timezone }).toISODate()!;
  return { db, cycle, config, settings: docSettings(config), date: documentDate(day) };
}

const local = (dc: DocContext, iso: string) => formatLocal(iso, dc.config.timezone, 'zh-CN');
const gradeSentence = (counts: [string, number][]) => counts.map(([g, n]) => `“${g}”${n} 个`).join('，');
const segmentName = (s: string | null) => s ?? '未分板块';
const points = (n: number) => `${n > 0 ? '+' : ''}${n}`;

/** The problems of a branch: its problem list (issue 10) where there is one, else its plan items' problems. */
function problemsOf(b: BranchReviewRow, ctx: BranchReviewContext, listed: Map<number, string[]>): string[] {
  const fromList = listed.get(b.id);
  if (fromList?.length) return fromList;
  return [...new Set(ctx.planItems.map((i) => i.problem.trim()).filter(Boolean))];
}

async function listedProblems(db: Tx, ids: number[]): Promise<Map<number, string[]>> {
  const map = new Map<number, string[]>();
  for (const p of await problemTexts(db, ids)) map.set(p.branch_review_id, [...(map.get(p.branch_review_id) ?? []), p.category ? `${p.text}（${p.category}）` : p.text]);
  return map;
}

// ── the bulletin (通报) ─────────────────────────────────────────────────────────

const GRADE_COLUMNS = [
  { title: '排名', width: 1 },
  { title: '支部', width: 4 },
  { title: '最终得分', width: 1.6 },
  { title: '等次', width: 1.2 },
];

export function segmentSummary(f: SegmentFigures): string {
  return `${segmentName(f.segment)}（${f.scored} 个支部，平均分 ${f.mean} 分，最高 ${f.highest} 分，最低 ${f.lowest!.score} 分，分差 ${f.spread} 分；最低分支部：${f.lowest!.name}）`;
}

/** The bulletin's head and its blocks, a page of rows at a time. */
export async function bulletinParts(dc: DocContext): Promise<{ head: DocHead; title: string; blocks: AsyncGenerator<DocBlock[]> }> {
  const { db, cycle, config, settings } = dc;
  const counts = await gradeCounts(db, cycle.id);
  const figures = (await segmentFigures(db, cycle.id, config.grades.bands.map((b) => b.grade))).filter((f) => f.scored > 0);
  const grouped = usesSegments(figures);
  const published = counts.reduce((a, [, n]) => a + n, 0);
  const categories = await problemCategories(db, cycle.id);
  const title = `关于${config.title}结果的通报`;
  async function* blocks(): AsyncGenerator<DocBlock[]> {
    yield [
      { type: 'title', text: title },
      { type: 'addressee', text: '各基层党支部：' },
      {
        type: 'paragraph',
        text: `按照党委统一部署，${config.title}已完成。经现场述职、考评组评议，共 ${published} 个支部参加评议，其中${gradeSentence(counts)}。现将有关情况通报如下：`,
      },
      { type: 'heading', level: 1, text: grouped ? '一、评议结果（按板块）' : '一、评议结果' },
    ];
    for (const [n, f] of (grouped ? figures : [{ segment: null } as SegmentFigures]).entries()) {
      if (grouped) yield [{ type: 'heading', level: 2, text: `（${chineseOrdinal(n + 1)}）${segmentSummary(f)}` }];
      for (let offset = 0; ; offset += PAGE) {
        const page = (await (grouped
          ? publishedOfSegment(db, cycle.id, f.segment, { offset, limit: PAGE })
          : reviewsPage(db, cycle.id, { publishedOnly: true, offset, limit: PAGE }))) as BranchReviewRow[];
        if (page.length) {
          yield [{ type: 'table', columns: GRADE_COLUMNS, continued: offset > 0, rows: page.map((b) => [b.rank ?? '', b.name, Number(b.final_score), b.grade ?? '']) }];
        }
        if (page.length < PAGE) break;
      }
    }
    yield [{ type: 'heading', level: 1, text: '二、存在的主要问题' }];
    if (categories.length) {
      yield categories.map((c, i): DocBlock => ({
        type: 'paragraph',
        text: `${i + 1}. ${c.category}（涉及 ${c.branches} 个支部，共 ${c.problems} 个问题）：${c.examples.join('；')}${c.problems > c.examples.length ? '等' : ''}。`,
      }));
    } else {
      // Without a problem list, the problems the branches' plans name (most frequent first, at most ten).
      const seen = new Map<string, number>();
      for (let offset = 0; ; offset += PAGE) {
        const page = await reviewsPage(db, cycle.id, { publishedOnly: true, offset, limit: PAGE });
        for (const b of page) for (const p of problemsOf(b, contextOf(b), new Map())) if (seen.size < 1000 || seen.has(p)) seen.set(p, (seen.get(p) ?? 0) + 1);
        if (page.length < PAGE) break;
      }
      const top = [...seen].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0], 'zh-CN')).slice(0, 10);
      yield top.length
        ? top.map(([p, n], i): DocBlock => ({ type: 'paragraph', text: `${i + 1}. ${p}${n > 1 ? `（${n} 个支部）` : ''}` }))
        : [{ type: 'paragraph', text: '考评组在评议中指出的问题，已分别反馈各支部（见结果告知书）。' }];
    }
    yield [
      { type: 'heading', level: 1, text: '三、工作要求' },
      {
        type: 'paragraph',
        text: `各支部要对照评议中查找出的问题，逐项明确整改措施、责任人和完成时限，于 ${local(dc, config.deadlines.plan)} 前报送整改方案，并于 ${local(dc, config.deadlines.followUp)} 前完成整改、逐项销号。`,
      },
      { type: 'signature', issuer: settings.signature, date: dc.date },
    ];
  }
  return { head: { header: settings.header, number: settings.number }, title, blocks: blocks() };
}

// ── the quarterly bulletin (季度党建考核情况通报) ─────────────────────────────────────

/** The quarter's bulletin: the grade list by segment with each indicator's score, the office's comments. */
export async function quarterlyBulletinParts(dc: DocContext): Promise<{ head: DocHead; title: string; blocks: AsyncGenerator<DocBlock[]> }> {
  const { db, cycle, settings } = dc;
  const rules = dc.config as unknown as QuarterlyRules;
  const counts = await gradeCounts(db, cycle.id);
  const figures = (await segmentFigures(db, cycle.id, rules.grades.bands.map((b) => b.grade))).filter((f) => f.scored > 0);
  const grouped = usesSegments(figures);
  const published = counts.reduce((a, [, n]) => a + n, 0);
  const quarterName = `第${'一二三四'[rules.quarter - 1]}季度`;
  const title = `关于${rules.title}情况的通报`;
  const columns = [
    { title: '排名', width: 1 },
    { title: '支部', width: 3.2 },
    ...rules.indicators.map((i) => ({ title: `${i.name}（${i.max}分）`, width: 1.4 })),
    { title: '得分', width: 1.2 },
    { title: '等次', width: 1 },
  ];
  const row = (b: BranchReviewRow): (string | number)[] => {
    const sheet = contextOf(b).result?.scoreSheet as QuarterlySheet | undefined;
    const byKey = new Map((sheet?.indicators ?? []).map((i) => [i.key, i.score]));
    return [b.rank ?? '', b.name, ...rules.indicators.map((i) => byKey.get(i.key) ?? ''), Number(b.final_score), b.grade ?? ''];
  };
  async function* blocks(): AsyncGenerator<DocBlock[]> {
    yield [
      { type: 'title', text: title },
      { type: 'addressee', text: '各基层党支部：' },
      {
        type: 'paragraph',
        text: `按照党委统一部署，党委办公室对各基层党支部${rules.year}年${quarterName}党建工作进行了考核。考核采取支部逐项自评、党委办公室逐项审核评分的方式进行，共 ${published} 个支部参加考核，其中${gradeSentence(counts)}。现将考核情况通报如下：`,
      },
      { type: 'heading', level: 1, text: grouped ? '一、考核结果（按板块）' : '一、考核结果' },
    ];
    for (const [n, f] of (grouped ? figures : [{ segment: null } as SegmentFigures]).entries()) {
      if (grouped) yield [{ type: 'heading', level: 2, text: `（${chineseOrdinal(n + 1)}）${segmentSummary(f)}` }];
      for (let offset = 0; ; offset += PAGE) {
        const page = (await (grouped
          ? publishedOfSegment(db, cycle.id, f.segment, { offset, limit: PAGE })
          : reviewsPage(db, cycle.id, { publishedOnly: true, offset, limit: PAGE }))) as BranchReviewRow[];
        if (page.length) yield [{ type: 'table', columns, continued: offset > 0, rows: page.map(row) }];
        if (page.length < PAGE) break;
      }
    }
    // The office's comments on the branches, as it wrote them when scoring (at most twenty).
    const comments: string[] = [];
    for (let offset = 0; comments.length < 20; offset += PAGE) {
      const page = await reviewsPage(db, cycle.id, { publishedOnly: true, offset, limit: PAGE });
      for (const b of page) {
        const c = (contextOf(b).result?.scoreSheet as QuarterlySheet | undefined)?.comment?.trim();
        if (c && comments.length < 20) comments.push(`${b.name}：${c}`);
      }
      if (page.length < PAGE) break;
    }
    yield [
      { type: 'heading', level: 1, text: '二、存在的问题' },
      ...(comments.length
        ? comments.map((c, i): DocBlock => ({ type: 'paragraph', text: `${i + 1}. ${c}` }))
        : [{ type: 'paragraph' as const, text: '各支部要对照考核指标，查找党建工作中的薄弱环节。' }]),
      { type: 'heading', level: 1, text: '三、工作要求' },
      { type: 'paragraph', text: `各支部要对照本季度考核结果，认真分析差距，补齐短板，推动党建工作与生产经营深度融合，确保下一季度党建工作取得新成效。` },
      { type: 'signature', issuer: settings.signature, date: dc.date },
    ];
  }
  return { head: { header: settings.header, number: settings.number }, title, blocks: blocks() };
}

// ── the letters (结果告知书) ─────────────────────────────────────────────────────

/** One branch's letter: score sheet, the panel's comments unsigned, its problems, the deadlines. */
export function letterOf(dc: DocContext, b: BranchReviewRow, ctx: BranchReviewContext, problems: string[]): OfficialDoc {
  const { config, settings } = dc;
  const r = ctx.result!;
  const s = r.scoreSheet as ScoreSheet;
  const comments = panelComments(ctx);
  const sheet: (string | number)[][] = [
    ['评委评分（不署名）', s.totals.join('、')],
    ...(s.dropped ? [['去掉最高分、最低分', `${s.dropped.highest}、${s.dropped.lowest}`]] : []),
    ['考评组平均分', s.panel],
    ...(s.rate !== null ? [['民主测评满意率', `${s.rate}%`]] : []),
    ['基础分', s.base],
    ['加减分', s.adjustments.length ? s.adjustments.map((a) => `${points(a.points)}（${a.reason}）`).join('；') : '无'],
    ...(s.veto ? [['一票否决', s.veto.reason]] : []),
    ...(s.capped ? [['等次比例限制', `按“好”等次比例上限调整（原等次“${s.bandGrade}”）`]] : []),
    ['最终得分', r.final],
    ['等次', r.grade],
    ['排名', `${r.rank} / ${r.of}`],
  ];
  return {
    head: { header: settings.header, number: settings.lettersNumber },
    blocks: [
      { type: 'title', text: `${config.title}结果告知书` },
      { type: 'addressee', text: `${b.name}：` },
      {
        type: 'paragraph',
        text: `你支部参加了${config.title}。经考评组评议，你支部最终得分 ${r.final} 分，评定等次为“${r.grade}”，在 ${r.of} 个参评支部中排名第 ${r.rank} 位。现将有关情况告知如下：`,
      },
      { type: 'heading', level: 1, text: '一、评分情况' },
      { type: 'table', columns: [{ title: '项目', width: 3 }, { title: '结果', width: 5 }], rows: sheet },
      { type: 'heading', level: 1, text: '二、考评组意见' },
      ...(comments.length ? comments.map((c, i): DocBlock => ({ type: 'paragraph', text: `${i + 1}. ${c}` })) : [{ type: 'paragraph' as const, text: '无。' }]),
      { type: 'heading', level: 1, text: '三、存在的问题' },
      ...(problems.length ? problems.map((p, i): DocBlock => ({ type: 'paragraph', text: `${i + 1}. ${p}` })) : [{ type: 'paragraph' as const, text: '请对照考评组意见，认真查找存在的问题。' }]),
      { type: 'heading', level: 1, text: '四、整改要求' },
      {
        type: 'paragraph',
        text: `请你支部针对上述问题，逐项明确整改措施、责任人和完成时限，于 ${local(dc, ctx.deadlines.plan)} 前报送整改方案；整改工作须于 ${local(dc, ctx.deadlines.followUp)} 前完成，逐项销号。`,
      },
      { type: 'signature', issuer: settings.signature, date: dc.date },
    ],
  };
}

/** Every published branch's letter, in rank order, a page of rows at a time. */
export async function* letters(dc: DocContext): AsyncGenerator<{ b: BranchReviewRow; doc: OfficialDoc }> {
  for (let offset = 0; ; offset += PAGE) {
    const page = await reviewsPage(dc.db, dc.cycle.id, { publishedOnly: true, offset, limit: PAGE });
    const listed = await listedProblems(dc.db, page.map((b) => b.id));
    for (const b of page) {
      const ctx = contextOf(b);
      yield { b, doc: letterOf(dc, b, ctx, problemsOf(b, ctx, listed)) };
    }
    if (page.length < PAGE) return;
  }
}

// ── writers ─────────────────────────────────────────────────────────────────────

async function writeChunk(out: Writable, chunk: string | Uint8Array): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

async function endStream(out: Writable): Promise<void> {
  out.end();
}

/** A document's blocks as printable HTML, written as they come. */
export function htmlFile(filename: string, title: string, docs: () => AsyncGenerator<{ head: DocHead; blocks: AsyncIterable<DocBlock[]> | DocBlock[]; className: string }>): ExportFile {
  return {
    filename,
    contentType: 'text/html; charset=utf-8',
    async write(out) {
      await writeChunk(out, htmlPageStart(title));
      for await (const d of docs()) {
        const state = { tableOpen: false };
        await writeChunk(out, `<div class="${d.className}">${htmlHead(d.head)}`);
        if (Array.isArray(d.blocks)) await writeChunk(out, htmlBlocks(d.blocks, state));
        else for await (const blocks of d.blocks) await writeChunk(out, htmlBlocks(blocks, state));
        await writeChunk(out, `${htmlEnd(state)}</div>\n`);
      }
      await writeChunk(out, HTML_PAGE_END);
      await endStream(out);
    },
  };
}

/** Documents packed as one .docx (in memory: the docx library builds the whole package). */
export function docxFile(filename: string, title: string, creator: string, docs: () => Promise<OfficialDoc[]>): ExportFile {
  return {
    filename,
    contentType: DOCX,
    async write(out) {
      const buffer = await Packer.toBuffer(docxOf(await docs(), { title, creator }));
      await writeChunk(out, buffer);
      await endStream(out);
    },
  };
}

/** Collects a document's blocks (for the .docx). */
export async function allBlocks(blocks: AsyncIterable<DocBlock[]>): Promise<DocBlock[]> {
  const out: DocBlock[] = [];
  for await (const b of blocks) out.push(...b);
  return out;
}

const safeName = (s: string) => s.replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_');

/**
 * A zip of one .docx per document, streamed: each is packed and written (stored: a .docx is
 * compressed already) before the next row is read, so memory holds one letter at a time.
 */
export function zipOfDocx(filename: string, creator: string, entries: () => AsyncGenerator<{ name: string; doc: OfficialDoc; title: string }>): ExportFile {
  return {
    filename,
    contentType: 'application/zip',
    async write(out) {
      let failure: Error | null = null;
      const chunks: Uint8Array[] = [];
      const zip = new Zip((err, chunk) => {
        if (err) failure = err;
        else chunks.push(chunk);
      });
      const drain = async () => {
        while (chunks.length) await writeChunk(out, chunks.shift()!);
        if (failure) throw failure;
      };
      const used = new Set<string>();
      for await (const e of entries()) {
        let name = safeName(e.name);
        for (let n = 2; used.has(name); n++) name = safeName(e.name).replace(/(\.docx)$/, `-${n}$1`);
        used.add(name);
        const data = new Uint8Array(await Packer.toBuffer(docxOf([e.doc], { title: e.title, creator })));
        const file = new ZipPassThrough(name);
        zip.add(file);
        file.push(data, true);
        await drain();
      }
      zip.end();
      await drain();
      await endStream(out);
    },
  };
}

// ── the exports ───────────────────────────────────────────────────────────────

export type DocFormat = 'html' | 'docx' | 'zip';

export async function bulletinExport(db: Tx, cycle: CycleRow, config: CycleRules, format: 'html' | 'docx', base: string): Promise<ExportFile> {
  const dc = await docContext(db, cycle, config);
  // The bulletin of the cycle's kind: the annual review's, or the quarter's.
  const partsOf = kindOf(config) === 'quarterlyAssessment' ? quarterlyBulletinParts : bulletinParts;
  if (format === 'docx') {
    return docxFile(`${base}-通报.docx`, `${config.title}通报`, dc.settings.issuer, async () => {
      const parts = await partsOf(dc);
      return [{ head: parts.head, blocks: await allBlocks(parts.blocks) }];
    });
  }
  return htmlFile(`${base}-通报.html`, `${config.title}通报`, async function* () {
    const parts = await partsOf(dc);
    yield { head: parts.head, blocks: parts.blocks, className: 'document' };
  });
}

export async function lettersExport(db: Tx, cycle: CycleRow, config: CycleRules, format: DocFormat, base: string): Promise<ExportFile> {
  const dc = await docContext(db, cycle, config);
  const title = `${config.title}结果告知书`;
  if (format === 'docx') {
    return docxFile(`${base}-结果告知书.docx`, title, dc.settings.issuer, async () => {
      const docs: OfficialDoc[] = [];
      for await (const { doc } of letters(dc)) docs.push(doc);
      return docs;
    });
  }
  if (format === 'zip') {
    return zipOfDocx(`${base}-结果告知书.zip`, dc.settings.issuer, async function* () {
      for await (const { b, doc } of letters(dc)) yield { name: `${b.code}-${b.name}-结果告知书.docx`, doc, title: `${b.name}${title}` };
    });
  }
  return htmlFile(`${base}-结果告知书.html`, title, async function* () {
    for await (const { doc } of letters(dc)) yield { head: doc.head, blocks: doc.blocks, className: 'letter' };
  });
}

// ── the meeting minutes (会议纪要) ──────────────────────────────────────────────

/** The minutes (issue 10's meetingMinutes content) in the same layout: agenda, each branch's 述、问、答, the chair's remarks. */
export function minutesDoc(m: MeetingMinutes, settings: DocSettings, date: string): OfficialDoc {
  const segments = m.agenda.some((a) => a.segment);
  return {
    head: { header: `${settings.issuer}会议纪要`, number: settings.number },
    blocks: [
      { type: 'title', text: `${m.title}会议纪要` },
      {
        type: 'paragraph',
        text: `${m.date}，${m.title}现场述职评议会在${m.place}召开${m.host ? `，${m.host}主持` : ''}。考评组成员${m.panel.join('、')}出席会议。各党支部书记按照“述、问、答”的方式逐一述职，考评组现场提问、评议。现将会议主要情况纪要如下：`,
      },
      { type: 'heading', level: 1, text: '一、会议议程' },
      {
        type: 'table',
        columns: [{ title: '序号', width: 1 }, { title: '支部', width: 4 }, { title: '述职人', width: 2 }, ...(segments ? [{ title: '板块', width: 2.5 }] : [])],
        rows: m.agenda.map((a) => [a.no, `${a.name}${a.exempted ? '（免于述评）' : ''}`, a.secretary, ...(segments ? [a.segment ?? ''] : [])]),
      },
      { type: 'heading', level: 1, text: '二、述职与问答' },
      ...m.branches.flatMap((b, i): DocBlock[] => [
        { type: 'heading', level: 2, text: `（${chineseOrdinal(i + 1)}）${b.name}（述职人：${b.secretary}）` },
        ...(b.qa.length
          ? b.qa.flatMap((q): DocBlock[] => [
              { type: 'paragraph', text: `问（${q.askedBy}）：${q.question}` },
              { type: 'paragraph', text: `答：${q.answer}` },
            ])
          : [{ type: 'paragraph' as const, text: '（无问答记录）' }]),
      ]),
      { type: 'heading', level: 1, text: '三、总结讲话' },
      ...(m.remarks ? m.remarks.text.split(/\n+/).filter((p) => p.trim()).map((p): DocBlock => ({ type: 'paragraph', text: p.trim() })) : [{ type: 'paragraph' as const, text: '（未记录）' }]),
      { type: 'signature', issuer: settings.signature, date },
    ],
  };
}

export async function minutesDocxExport(db: Tx, cycle: CycleRow, config: CycleRules, m: MeetingMinutes): Promise<ExportFile> {
  const settings = docSettings(config);
  const day = DateTime.fromISO(m.at, { zone: config.timezone }).toISODate()!;
  return docxFile(`${m.year}-会议纪要.docx`, `${m.title}会议纪要`, settings.issuer, async () => [minutesDoc(m, settings, documentDate(day))]);
}
