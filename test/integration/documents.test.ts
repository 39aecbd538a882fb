// Word documents in the 公文 layout: the bulletin (通报, grouped by segment) and the letters (结果告知书)
// as .docx, one document or a zip of one per branch, read back (word/document.xml) and opened by
// LibreOffice (converted to PDF); the HTML versions from the same content; the CLI's --format.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorByEmail } from '../../src/engine/actors';
import { collect, exportDocument } from '../../src/engine/exports';
import { cli } from '../support/cli';
import { driver, exampleConfig, OFFICE } from '../support/cycle';
import { cliEnv, dialects, makeTestEnv, type TestEnv } from '../support/db';
import { documentXml, docxToPdf, paragraphsOf, soffice, unzip } from '../support/docx';
import { runToPublished } from '../support/publish';

const NO_CAP = { bands: [ { grade: '好', min: 90 }, { grade: '较好', min: 80 }, { grade: '一般', min: 70 }, { grade: '差', min: 0 } ] };
const TOTALS: Record<string, number> = { B01: 92, B02: 86.5, B03: 78, B04: 88, B06: 71.5 }; // B05 exempted
const NUMBER = '中机中联党〔2020〕12号';
const LETTERS_NUMBER = '中机中联党〔2020〕13号';
const grade = (x: number) => NO_CAP.bands.find((b) => x >= b.min)!.grade;
const branches = () => exampleConfig().branches as { code: string; name: string; segment: string }[];
const needSoffice = Boolean(process.env.REQUIRE_SOFFICE);

/** The segment lines of the bulletin, computed here from the totals and the configuration alone. */
function expectedSegmentLines(): string[] {
  const groups = new Map<string, { name: string; score: number; code: string }[]>();
  for (const b of branches()) if (b.code in TOTALS) groups.set(b.segment, [...(groups.get(b.segment) ?? []), { name: b.name, code: b.code, score: TOTALS[b.code] }]);
  return [...groups].map(([segment, list], i) => {
    const scores = list.map((b) => b.score);
    const mean = Math.round((scores.reduce((a, b) => a + b, 0) / scores.length) * 100) / 100;
    const low = [...list].sort((a, b) => a.score - b.score || a.code.localeCompare(b.code))[0];
    const ordinal = '一二三四五'[i];
    return `（${ordinal}）${segment}（${list.length} 个支部，平均分 ${mean} 分，最高 ${Math.max(...scores)} 分，最低 ${low.score} 分，分差 ${Math.max(...scores) - Math.min(...scores)} 分；最低分支部：${low.name}）`;
  });
}

describe.each(dialects)('Word documents on %s', (dialect) => {
  let env: TestEnv;
  let dir: string;
  const office = () => actorByEmail(env.services.db, OFFICE);
  const exportBuffer = async (kind: string, format?: string) => collect(await exportDocument(env.services.db, 2020, kind, await office(), format));

  beforeAll(async () => {
    env = await makeTestEnv(dialect);
    dir = path.join(env.dataDir, 'docs');
    fs.mkdirSync(dir);
    const s = env.services;
    const d = driver(s);
    await d.create('2020-11-19T02:00:00Z', { grades: NO_CAP });
    await runToPublished(s, 2020, TOTALS, 2020, { qa: true });
    // B01 files its plan: its problems reach its letter.
    await d.secretary('B01', 'SUBMIT_PLAN', { items: [{ problem: '党建与业务融合不够紧密', measure: '设立党员先锋岗', owner: '王明', dueDate: '2021-06-30' }] }, '2020-12-22T02:00:00Z');
  }, 180_000);
  afterAll(async () => env?.cleanup());

  it('writes the bulletin as .docx in the 公文 layout: red header, number, fonts, A4 margins, grouped by segment', async () => {
    const docx = await exportBuffer('bulletin', 'docx');
    fs.writeFileSync(path.join(dir, 'bulletin.docx'), docx);
    const xml = documentXml(docx);
    const text = paragraphsOf(xml);
    // The head: the issuer's red mark, the number, the red rule under it.
    expect(text[0]).toBe('中共中机中联公司委员会文件');
    expect(text[1]).toBe(NUMBER);
    const has = (re: RegExp) => re.test(xml);
    expect(has(/<w:color w:val="C8161D"\/>/), 'red header').toBe(true);
    expect(has(/<w:pBdr><w:bottom w:val="single" w:color="C8161D"/), 'red rule').toBe(true);
    // Fonts with East Asian faces, and A4 with GB/T 9704 margins (top 37, bottom 35, left 28, right 26 mm).
    expect(has(/w:eastAsia="方正小标宋简体"/) && has(/w:eastAsia="仿宋_GB2312"/), 'fonts').toBe(true);
    expect(/<w:pgSz [^>]*>/.exec(xml)![0]).toMatch(/w:w="11906" w:h="16838"/);
    expect(/<w:pgMar [^>]*>/.exec(xml)![0]).toMatch(/w:top="2098" w:right="1474" w:bottom="1984" w:left="1587"/);
    expect(text).toContain('关于2020年度基层党支部书记抓党建工作述职评议结果的通报');
    // Grouped by segment, with figures that match those computed here.
    const segmentLines = text.filter((t) => /^（[一二三四五]）/.test(t));
    expect(segmentLines).toEqual(expectedSegmentLines());
    // The grade list: each published branch's name, score and grade in one table row.
    for (const b of branches()) {
      if (!(b.code in TOTALS)) {
        expect(xml.includes(b.name), b.name).toBe(false);
        continue;
      }
      expect(text).toContain(b.name);
      expect(text).toContain(String(TOTALS[b.code]));
    }
    expect(text.join('\n')).toContain('共 5 个支部参加评议，其中“好”1 个，“较好”2 个，“一般”2 个');
    expect(text).toContain('二、存在的主要问题');
    expect(text.find((t) => t.startsWith('1. '))).toContain('党建与业务融合不够紧密');
    expect(text.at(-2)).toBe('中共中机中联公司委员会');
    expect(text.at(-1)).toBe('2020年12月20日');
  });

  it('writes one letter per branch in one .docx, each from a new page, with its score sheet, comments unsigned, problems and deadlines', async () => {
    const docx = await exportBuffer('letters', 'docx');
    fs.writeFileSync(path.join(dir, 'letters.docx'), docx);
    const xml = documentXml(docx);
    const text = paragraphsOf(xml);
    // One section per letter (a section break starts each on a new page), each with its own head.
    expect(xml.match(/<w:sectPr/g)).toHaveLength(Object.keys(TOTALS).length);
    expect(text.filter((t) => t === LETTERS_NUMBER)).toHaveLength(Object.keys(TOTALS).length);
    for (const b of branches().filter((x) => x.code in TOTALS)) {
      const at = text.indexOf(`${b.name}：`);
      expect(at, b.name).toBeGreaterThan(0);
      const letter = text.slice(at, text.indexOf('2020年12月20日', at) + 1).join('\n');
      expect(letter).toContain(`最终得分 ${TOTALS[b.code]} 分，评定等次为“${grade(TOTALS[b.code])}”`);
      expect(letter).toContain(`评语1：${b.code}党建工作扎实`);
      expect(letter).toContain('2021年1月15日 18:00 前报送整改方案');
      expect(letter).toContain('2021年6月30日 18:00 前完成');
    }
    // Comments without names: no evaluator is named anywhere.
    for (const name of ['考评组成员一', '考评组成员二', 'panel1@example.org']) expect(xml.includes(name), name).toBe(false);
    expect(text.join('\n')).toContain('1. 党建与业务融合不够紧密');
  });

  it('writes the letters as a zip of one .docx per branch', async () => {
    const zip = await exportBuffer('letters', 'zip');
    const entries = unzip(zip);
    const names = Object.keys(entries).sort();
    expect(names).toEqual(branches().filter((b) => b.code in TOTALS).map((b) => `${b.code}-${b.name}-结果告知书.docx`).sort());
    for (const name of names) {
      const text = paragraphsOf(documentXml(Buffer.from(entries[name])));
      const branch = branches().find((b) => name.startsWith(b.code))!;
      expect(text).toContain(`${branch.name}：`);
      expect(text).toContain(LETTERS_NUMBER);
      expect(text.join('\n')).toContain(`最终得分 ${TOTALS[branch.code]} 分`);
    }
  });

  it('keeps the HTML versions, from the same content', async () => {
    const bulletin = (await exportBuffer('bulletin')).toString();
    expect(bulletin).toContain('<div class="doc-header">中共中机中联公司委员会文件</div>');
    expect(bulletin).toContain(NUMBER);
    for (const line of expectedSegmentLines()) expect(bulletin).toContain(line);
    const letters = (await exportBuffer('letters', 'html')).toString();
    expect(letters.match(/class="letter"/g)).toHaveLength(Object.keys(TOTALS).length);
    expect(letters).toContain('评语2：B04党建工作扎实');
    await expect(exportBuffer('results', 'docx')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('writes the meeting minutes (会议纪要, from issue 10’s meetingMinutes) as .docx', async () => {
    const docx = await exportBuffer('minutes', 'docx');
    fs.writeFileSync(path.join(dir, 'minutes.docx'), docx);
    const text = paragraphsOf(documentXml(docx));
    expect(text[0]).toBe('中共中机中联公司委员会会议纪要');
    expect(text[1]).toBe(NUMBER);
    expect(text).toContain('2020年度基层党支部书记抓党建工作述职评议会议纪要');
    expect(text.join('\n')).toContain('2020年12月12日 09:00，2020年度基层党支部书记抓党建工作述职评议现场述职评议会在公司30楼报告厅召开');
    for (const b of branches()) expect(text.join('\n'), b.name).toContain(b.name);
    for (const code of Object.keys(TOTALS)) expect(text).toContain(`问（考评组成员一）：${code}如何推动党建与生产经营融合？`);
    expect(text.join('\n')).toContain('贸易公司党支部（免于述评）');
  });

  it('exports from the CLI with --format', async () => {
    const out = path.join(dir, 'cli-letters.zip');
    const r = await cli(cliEnv(env), 'export', '--cycle', '2020', '--kind', 'letters', '--format', 'zip', '--out', out);
    expect(r.code, r.raw).toBe(0);
    expect(r.out.file.contentType).toBe('application/zip');
    expect(Object.keys(unzip(fs.readFileSync(out)))).toHaveLength(Object.keys(TOTALS).length);
    const bad = await cli(cliEnv(env), 'export', '--cycle', '2020', '--kind', 'bulletin', '--format', 'zip', '--out', path.join(dir, 'x'));
    expect(bad.code).not.toBe(0);
    expect(bad.out.error.code).toBe('INVALID_INPUT');
  });

  it.skipIf(!soffice && !needSoffice)('opens in LibreOffice: each .docx converts to PDF', async () => {
    for (const name of ['bulletin.docx', 'letters.docx', 'minutes.docx']) {
      const pdf = docxToPdf(path.join(dir, name), dir);
      const head = fs.readFileSync(pdf).subarray(0, 5).toString();
      expect(head).toBe('%PDF-');
      expect(fs.statSync(pdf).size).toBeGreaterThan(5000);
    }
  }, 300_000);
});
