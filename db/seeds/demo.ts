// Demo data: last year's cycle run to the end and this year's in mid-flight, 28 branches each,
// through the engine like real use. Used by `npm run screenshots` and handy for a first look.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Actor } from '../../src/engine/index';
import type { Services } from '../../src/services';

export const DEMO_PASSWORD = 'demo-password';

const NAMES = [
  '机关第一党支部', '机关第二党支部', '工程一部党支部', '工程二部党支部', '贸易公司党支部', '设计院党支部', '物资公司党支部',
  '检测中心党支部', '财务共享中心党支部', '信息中心党支部', '第一项目部党支部', '第二项目部党支部', '第三项目部党支部',
  '第四项目部党支部', '海外事业部党支部', '投资公司党支部', '物业公司党支部', '培训中心党支部', '研究院党支部', '装备公司党支部',
  '运营公司党支部', '建材公司党支部', '路桥分公司党支部', '市政分公司党支部', '安装分公司党支部', '离退休党支部', '后勤服务党支部', '审计中心党支部',
];

/** 板块: the demo's business segments, read off the branch names. */
const segmentOf = (name: string) =>
  /机关|中心|离退休|后勤/.test(name) ? '机关职能板块' : /项目部|工程|分公司|海外/.test(name) ? '工程建设板块' : /研究院|设计院/.test(name) ? '科研设计板块' : '经营服务板块';

const DAY = 86_400_000;
const iso = (t: number) => new Date(t).toISOString();

/** A cycle whose dates sit around `anchor` (its plan deadline), so the demo looks live whenever it runs. */
function config(year: number, anchor: number) {
  const base = JSON.parse(fs.readFileSync(fileURLToPath(new URL('../../examples/cycle-2020.json', import.meta.url)), 'utf8'));
  return {
    ...base,
    year,
    title: `${year}年度基层党支部书记抓党建工作述职评议`,
    deadlines: { materials: iso(anchor - 42 * DAY), scoring: iso(anchor - 32 * DAY), plan: iso(anchor), followUp: iso(anchor + 166 * DAY) },
    meeting: { ...base.meeting, at: iso(anchor - 34 * DAY) },
    documents: { ...base.documents, number: `中机中联党〔${year}〕12号`, lettersNumber: `中机中联党〔${year}〕13号` },
    branches: NAMES.map((name, i) => {
      const code = `B${String(i + 1).padStart(2, '0')}`;
      return { code, name, secretaryName: `书记${i + 1}`, secretaryEmail: `${code.toLowerCase()}@example.org`, segment: segmentOf(name) };
    }),
  };
}

const sheet = (total: number) => ({ effectiveness: 30 - (100 - total), integration: 30, highlights: 15, problems: 15, presentation: 10 });

async function runToScored(s: Services, year: number, anchor: number, office: Actor, totalsFor: (i: number, e: number) => number) {
  const when: Record<string, string> = {
    '11-19T02:00:00Z': iso(anchor - 60 * DAY),
    '11-20T02:00:00Z': iso(anchor - 59 * DAY),
    '11-25T02:00:00Z': iso(anchor - 50 * DAY),
    '12-12T02:00:00Z': iso(anchor - 34 * DAY),
    '12-12T03:00:00Z': iso(anchor - 34 * DAY + 3_600_000),
    '12-20T02:00:00Z': iso(anchor - 28 * DAY),
  };
  const at = (md: string) => when[md];
  await s.engine.createCycle(config(year, anchor), office, at('11-19T02:00:00Z'));
  await s.engine.launchCycle(year, office, { now: at('11-20T02:00:00Z') });
  const panel = ['panel1', 'panel2', 'panel3', 'panel4', 'b06'].map((p) => `${p}@example.org`);
  const actors = new Map<string, Actor>();
  const as = async (email: string) => actors.get(email) ?? actors.set(email, await s.engine.actorByEmail(email)).get(email)!;
  for (const [i, name] of NAMES.entries()) {
    void name;
    const code = `B${String(i + 1).padStart(2, '0')}`;
    const sec = await as(`${code.toLowerCase()}@example.org`);
    const send = (actor: Actor, type: string, data?: unknown, when = at('11-25T02:00:00Z')) =>
      s.engine.sendBranchEvent({ cycle: year, branch: code, type, data, actor, now: when });
    await send(sec, 'ACKNOWLEDGE');
    await send(sec, 'SUBMIT_MATERIALS', { summary: `${code} 述职报告：围绕年度重点任务，推动党建与生产经营深度融合。` });
    await send(office, 'ACCEPT_MATERIALS');
    await send(office, 'START_PRESENTATION', undefined, at('12-12T02:00:00Z'));
    await send(office, 'END_PRESENTATION', undefined, at('12-12T02:00:00Z'));
    for (const [e, email] of panel.entries()) {
      if (code === 'B06' && email.startsWith('b06')) continue;
      await send(await as(email), 'SUBMIT_SCORE', { scores: sheet(totalsFor(i, e)) }, at('12-12T03:00:00Z'));
    }
  }
  await s.engine.publishResults(year, office, at('12-20T02:00:00Z'));
}

/** Returns the year of the current demo cycle. */
export async function seedDemo(s: Services): Promise<number> {
  const now = new Date().toISOString();
  await s.engine.addUser({ email: 'office@example.org', name: '党委办公室', roles: ['office'] }, await s.engine.consoleActor(undefined, true), now);
  const office = await s.engine.actorByEmail('office@example.org');
  // This year's plan deadline passed six days ago; last year's a year before.
  const anchor = Math.floor(Date.now() / DAY) * DAY + 10 * 3_600_000 - 6 * DAY; // 18:00 Beijing time
  const year = new Date(anchor - 42 * DAY).getUTCFullYear();
  await runToScored(s, year - 1, anchor - 365 * DAY, office, (i, e) => 72 + ((i * 7 + e * 3) % 24));
  for (const [i] of NAMES.entries()) {
    const code = `B${String(i + 1).padStart(2, '0')}`;
    const sec = await s.engine.actorByEmail(`${code.toLowerCase()}@example.org`);
    const send = (actor: Actor, type: string, data?: unknown) => s.engine.sendBranchEvent({ cycle: year - 1, branch: code, type, data, actor, now: iso(anchor - 360 * DAY) });
    // 问题清单: last year's problem, answered by the plan below (the item names it in the same words).
    await s.engine.addProblem(year - 1, code, { category: '理论学习', text: '理论学习不够深入' }, office, iso(anchor - 361 * DAY));
    await send(sec, 'SUBMIT_PLAN', { items: [{ problem: '理论学习不够深入', measure: '每月集中学习', owner: '支部书记', dueDate: iso(anchor - 200 * DAY).slice(0, 10) }] });
    await send(office, 'APPROVE_PLAN');
    await send(sec, 'REPORT_PROGRESS', { itemId: 'I1', note: '已坚持每月集中学习' });
    await send(office, 'VERIFY_ITEM', { itemId: 'I1', acceptNote: true });
  }
  // This year: results published, plans in every stage, some late.
  await runToScored(s, year, anchor, office, (i, e) => 70 + ((i * 5 + e * 4 + 3) % 29) + (e % 2) * 0.5);
  for (const [i] of NAMES.entries()) {
    const code = `B${String(i + 1).padStart(2, '0')}`;
    const sec = await s.engine.actorByEmail(`${code.toLowerCase()}@example.org`);
    const send = (actor: Actor, type: string, data?: unknown) => s.engine.sendBranchEvent({ cycle: year, branch: code, type, data, actor, now: iso(anchor - 10 * DAY) });
    if (i % 4 === 0) {
      // Still planning (overdue once the plan deadline passes), with the problems found at the meeting:
      // 理论学习 again, as last year (屡查屡犯).
      await s.engine.addProblem(year, code, { category: '理论学习', text: '理论学习仍不够系统，学用脱节' }, office, iso(anchor - 11 * DAY));
      await s.engine.addProblem(year, code, { category: '党建与业务融合（两张皮）', text: '党建与生产经营“两张皮”，融合载体不多' }, office, iso(anchor - 11 * DAY));
      continue;
    }
    await send(sec, 'SUBMIT_PLAN', {
      items: [
        { problem: '党建与业务融合不够紧密', measure: '设立党员先锋岗和责任区', owner: '支部书记', dueDate: iso(anchor + 100 * DAY).slice(0, 10) },
        { problem: '组织生活质量不高', measure: '规范“三会一课”，开展主题党日', owner: '组织委员', dueDate: iso(anchor + 130 * DAY).slice(0, 10) },
      ],
    });
    if (i % 4 === 1) continue; // plan under review
    await send(office, 'APPROVE_PLAN');
    if (i % 4 === 2) continue; // in follow-up
    await send(sec, 'REPORT_PROGRESS', { itemId: 'I1', note: '已设立党员先锋岗 6 个' });
    await send(office, 'VERIFY_ITEM', { itemId: 'I1', acceptNote: true });
  }
  // Everyone can sign in with the demo password.
  for (const email of ['office@example.org', 'secretary.party@example.org', 'b01@example.org', 'panel1@example.org']) {
    await s.engine.setPassword(email, DEMO_PASSWORD, office);
  }
  return year;
}
