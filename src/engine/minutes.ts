// 会议纪要: the meeting's minutes, generated from the data — date and place, host, panel, agenda,
// each branch's questions and answers (who asked, by name), and the chair's closing remarks.
// `meetingMinutes` is the content (for any writer: HTML here, .docx elsewhere); `minutesExport`
// streams it as a printable HTML document.
import { once } from 'node:events';
import { formatLocal } from '../domain/deadlines';
import { escapeHtml } from '../mail/templates';
import { listBranchReviews } from '../store/branchReviews';
import { cyclePeople, type CycleRow } from '../store/cycles';
import type { Tx } from '../store/db';
import type { Actor } from './actors';
import type { ExportFile } from './exports';
import { contextOf } from './lookup';
import { meetingRecord } from './meeting';
import { authorize } from './policy';
import { parseConfig } from './transitions';
import { requireCycleFor } from './views';

export interface MeetingMinutes {
  title: string;
  year: number;
  /** the meeting's instant (ISO) and as the cycle's time zone writes it */
  at: string;
  date: string;
  place: string;
  host: string | null;
  panel: string[];
  agenda: { no: number; code: string; name: string; secretary: string; segment: string | null; exempted: boolean }[];
  branches: { code: string; name: string; secretary: string; qa: { askedBy: string; question: string; answer: string }[] }[];
  remarks: { text: string; by: string; at: string } | null;
}

/** The minutes' content: for the office and the leaders, as every document. Nothing of 评分保密 is in it. */
export async function meetingMinutes(db: Tx, ref: string | number, actor: Actor): Promise<MeetingMinutes> {
  const cycle = await requireCycleFor(db, ref, actor);
  authorize(actor, 'EXPORT');
  return minutesOf(db, cycle);
}

async function minutesOf(db: Tx, cycle: CycleRow): Promise<MeetingMinutes> {
  const config = parseConfig(cycle);
  const { state, agenda } = await meetingRecord(db, cycle);
  const reviews = new Map((await listBranchReviews(db, cycle.id)).map((b) => [b.code, b]));
  const people = await cyclePeople(db, cycle.id);
  const host = config.meeting.host ? (people.find((p) => p.email === config.meeting.host!.toLowerCase())?.name ?? config.meeting.host) : null;
  const entries = agenda.map((a, i) => ({ ...a, no: i + 1, exempted: reviews.get(a.code)?.phase === 'exempted' }));
  return {
    title: config.title,
    year: cycle.year,
    at: config.meeting.at,
    date: formatLocal(config.meeting.at, config.timezone, 'zh-CN'),
    place: config.meeting.place,
    host,
    panel: people.filter((p) => p.role === 'evaluator').map((p) => p.name),
    agenda: entries.map(({ no, code, name, secretary, segment, exempted }) => ({ no, code, name, secretary, segment, exempted })),
    branches: entries
      .filter((a) => !a.exempted)
      .map((a) => {
        const b = reviews.get(a.code);
        const qa = b ? contextOf(b).qa.map((q) => ({ askedBy: q.askedBy, question: q.question, answer: q.answer })) : [];
        return { code: a.code, name: a.name, secretary: a.secretary, qa };
      }),
    remarks: state.remarks,
  };
}

const HTML_HEAD = (title: string) => `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:"FangSong","STFangsong","Noto Serif CJK SC","Songti SC",serif;max-width:800px;margin:40px auto;line-height:1.9;color:#111}
h1{color:#C8161D;text-align:center;font-size:26px}h2{font-size:18px;margin-top:28px}table{border-collapse:collapse;width:100%}td,th{border:1px solid #333;padding:4px 8px;text-align:left}
.qa dt{font-weight:bold}.qa dd{margin:0 0 8px 2em}.remarks{white-space:pre-wrap}.sign{text-align:right;margin-top:40px}@media print{body{margin:0}}</style></head><body>`;

/** The minutes as a printable HTML document, written in chunks. */
export function minutesHtml(m: MeetingMinutes): ExportFile {
  return {
    filename: `${m.year}-会议纪要.html`,
    contentType: 'text/html; charset=utf-8',
    async write(out) {
      const write = async (chunk: string) => {
        if (!out.write(chunk)) await once(out, 'drain');
      };
      const e = escapeHtml;
      await write(HTML_HEAD(`${m.title}会议纪要`));
      await write(`<h1>${e(m.title)}会议纪要</h1>
<p><b>时间：</b>${e(m.date)}<br><b>地点：</b>${e(m.place)}${m.host ? `<br><b>主持人：</b>${e(m.host)}` : ''}<br><b>考评组：</b>${m.panel.map(e).join('、')}</p>
<h2>一、会议议程</h2>
<table><thead><tr><th>序号</th><th>支部</th><th>述职人</th>${m.agenda.some((a) => a.segment) ? '<th>板块</th>' : ''}</tr></thead><tbody>
`);
      const segments = m.agenda.some((a) => a.segment);
      for (const a of m.agenda) {
        await write(`<tr><td>${a.no}</td><td>${e(a.name)}${a.exempted ? '（免于述评）' : ''}</td><td>${e(a.secretary)}</td>${segments ? `<td>${e(a.segment ?? '')}</td>` : ''}</tr>\n`);
      }
      await write(`</tbody></table>\n<h2>二、述职与问答</h2>\n`);
      for (const [i, b] of m.branches.entries()) {
        await write(`<h3>${i + 1}. ${e(b.name)}（述职人：${e(b.secretary)}）</h3>\n`);
        if (!b.qa.length) {
          await write('<p>（无问答记录）</p>\n');
          continue;
        }
        await write('<dl class="qa">');
        for (const q of b.qa) await write(`<dt>问（${e(q.askedBy)}）：${e(q.question)}</dt><dd>答：${e(q.answer)}</dd>\n`);
        await write('</dl>\n');
      }
      await write(`<h2>三、总结讲话</h2>\n${m.remarks ? `<p class="remarks">${e(m.remarks.text)}</p>` : '<p>（未记录）</p>'}\n<p class="sign">党委办公室</p></body></html>`);
      out.end();
    },
  };
}

/** kind `minutes` of exportDocument. */
export async function minutesExport(db: Tx, cycle: CycleRow): Promise<ExportFile> {
  return minutesHtml(await minutesOf(db, cycle));
}
