// A whole cycle of examples/cycle-2020.json through the engine, with every mail through a real SMTP server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { collect, exportDocument } from '../../src/engine/exports';
import { listMails } from '../../src/store/outbox';
import { driver, sheet } from '../support/cycle';
import { dialects, makeTestEnv, type TestEnv } from '../support/db';
import { TestSmtp } from '../support/smtp';

const PANEL = ['panel1@example.org', 'panel2@example.org', 'panel3@example.org', 'panel4@example.org', 'b06@example.org'];
// Evaluator totals per branch, in PANEL order. b06 (杨帆) is B06's secretary: never scores B06.
const TOTALS: Record<string, number[]> = {
  B01: [95, 92, 90, 88, 80], // drop 95 and 80 → (92+90+88)/3 = 90
  B02: [96, 94, 93, 91, 99], // drop 99 and 91 → (96+94+93)/3 = 94.333… → 94.33
  B03: [85, 85, 85, 85, 85], // 85, then +2 bonus → 87
  B04: [75, 80, 70, 72, 78], // drop 80 and 70 → 75, vetoed → 差
  B06: [88, 86, 87, 84.5], //   4 totals, none dropped: 345.5/4 = 86.375 → 86.38
};
const SCORED = Object.keys(TOTALS);

describe.each(dialects)('a whole cycle on %s', (dialect) => {
  let env: TestEnv;
  const smtp = new TestSmtp();

  beforeAll(async () => {
    await smtp.start();
    env = await makeTestEnv(dialect, { smtpUrl: smtp.url });
  });
  afterAll(async () => {
    await env?.cleanup();
    await smtp.stop();
  });

  it('runs every branch from notified to closed, one exempted, with the expected results and mails', async () => {
    const s = env.services;
    const d = driver(s);
    await d.create();
    const launched = await d.launch('2020-11-20T02:00:00Z');
    expect(launched.created).toBe(6);
    expect(launched.cycle.state).toBe('launched');

    // 免于述评: B05 was merged into B04.
    await d.office('B05', 'EXEMPT', { reason: '已并入工程二部党支部' }, '2020-11-21T02:00:00Z');

    const at = '2020-11-25T02:00:00Z';
    for (const b of SCORED) {
      await d.secretary(b, 'ACKNOWLEDGE', undefined, at);
      await d.secretary(b, 'SUBMIT_MATERIALS', { summary: `${b} 述职报告` }, at);
    }
    // One return and resubmission.
    const returned = await d.office('B01', 'RETURN_MATERIALS', { reason: '缺少“存在的主要问题和改进措施”部分' }, at);
    expect(returned.phase).toBe('preparing');
    await d.secretary('B01', 'SUBMIT_MATERIALS', { summary: 'B01 述职报告（修改稿）' }, at);
    for (const b of SCORED) expect((await d.office(b, 'ACCEPT_MATERIALS', undefined, at)).phase).toBe('awaitingReview');
    await s.tick(at);

    // 2020-12-12: the live review. Timers already due (materials, scoring d-3) no longer bind and are skipped.
    const before = await s.tick('2020-12-12T00:30:00Z');
    expect(before.timersFired).toBe(0);
    const meeting = '2020-12-12T02:00:00Z';
    for (const b of SCORED) {
      await d.office(b, 'START_PRESENTATION', undefined, meeting);
      const qa = await d.send(PANEL[0], b, 'RECORD_QA', { question: '党建与生产经营如何融合？', answer: '以党建项目推动重点工程', askedBy: '考评组成员一' }, meeting);
      expect(qa.state).toBe('liveReview.questioning');
      const ended = await d.office(b, 'END_PRESENTATION', undefined, meeting);
      expect(ended.phase).toBe('scoring');
    }
    // The conflicted evaluator may not score their own branch.
    await expect(d.send('b06@example.org', 'B06', 'SUBMIT_SCORE', { scores: sheet(100) }, meeting)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    for (const b of SCORED) {
      let last;
      for (const [i, total] of TOTALS[b].entries()) last = await d.send(PANEL[i], b, 'SUBMIT_SCORE', { scores: sheet(total), comment: '' }, meeting);
      expect(last!.phase).toBe('scored');
    }
    await d.office('B03', 'ADJUST_SCORE', { points: 2, reason: '获评上级党委先进基层党组织' }, meeting);
    await d.office('B04', 'VETO', { reason: '发生安全生产责任事故' }, meeting);

    const published = await s.engine.publishResults(2020, await actor(s, 'office@example.org'), '2020-12-20T02:00:00Z');
    expect(published.cycle.state).toBe('resultsPublished');
    const st = await s.engine.cycleStatus(2020, await actor(s, 'office@example.org'), '2020-12-20T02:00:00Z');
    const results = Object.fromEntries(st.branches.filter((b) => 'grade' in b).map((b) => [b.code, [b.score, b.grade, b.rank]]));
    expect(results).toEqual({
      B02: [94.33, '好', 1],
      B01: [90, '较好', 2], // 好 by band, demoted by the cap: 30% of 5 scored branches = 1
      B03: [87, '较好', 3],
      B06: [86.38, '较好', 4],
      B04: [75, '差', 5], // vetoed, still ranked on its final
    });
    const sheetB01 = (await s.engine.branchStatus(2020, 'B01', await actor(s, 'office@example.org'), '2020-12-20T02:00:00Z')).branch.scoreSheet as Record<string, unknown>;
    expect(sheetB01).toMatchObject({ panel: 90, dropped: { highest: 95, lowest: 80 }, capped: true, grade: '较好' });

    // 整改: plans, one returned, approved, progress, verified item by item.
    const planAt = '2020-12-21T02:00:00Z';
    const items = [
      { problem: '理论学习不够深入', measure: '每月开展集中学习', owner: '支部书记', dueDate: '2021-03-31' },
      { problem: '党建与业务融合不紧', measure: '设立党员先锋岗', owner: '组织委员', dueDate: '2021-05-31' },
    ];
    for (const b of SCORED) await d.secretary(b, 'SUBMIT_PLAN', { items }, planAt);
    await d.office('B02', 'RETURN_PLAN', { reason: '整改时限不明确' }, planAt);
    await d.secretary('B02', 'SUBMIT_PLAN', { items }, planAt);
    for (const b of SCORED) expect((await d.office(b, 'APPROVE_PLAN', undefined, planAt)).phase).toBe('followUp');
    const followAt = '2021-02-01T02:00:00Z';
    for (const b of SCORED) {
      for (const itemId of ['I1', 'I2']) await d.secretary(b, 'REPORT_PROGRESS', { itemId, note: '已完成' }, followAt);
      await d.office(b, 'VERIFY_ITEM', { itemId: 'I1', acceptNote: true }, followAt);
      expect((await d.office(b, 'VERIFY_ITEM', { itemId: 'I2', acceptNote: true }, followAt)).phase).toBe('closed');
    }
    const end = await s.engine.cycleStatus(2020, await actor(s, 'office@example.org'), followAt);
    expect(end.cycle.state).toBe('archived');
    expect(end.counts).toEqual({ closed: 5, exempted: 1 });

    // Later deadlines no longer bind anyone: nothing fires, everything queued is delivered.
    const last = await s.tick('2021-07-01T00:00:00Z');
    expect(last.timersFired).toBe(0);
    expect(await listMails(s.db, { status: 'queued' })).toHaveLength(0);

    const byTemplate: Record<string, number> = {};
    for (const m of smtp.received) {
      const t = String(m.parsed.headers.get('x-shuping-template'));
      byTemplate[t] = (byTemplate[t] ?? 0) + 1;
    }
    expect(byTemplate).toEqual({
      invitation: 11, // new people (leader, 6 secretaries, 4 panel members) get a link to set their password
      notice: 6, // every secretary, at launch
      exempted: 2, // B05's secretary and the office
      materialsSubmitted: 6, // 5 branches + B01's resubmission, to the office
      materialsReturned: 1,
      materialsAccepted: 5,
      scoreRequest: 24, // 5 evaluators × 4 branches + 4 for B06 (b06 excluded)
      scored: 5,
      resultsPublished: 1, // the leader
      results: 5,
      planSubmitted: 6,
      planReturned: 1,
      planApproved: 5,
      progressReported: 10,
      itemVerified: 5,
      closed: 10, // secretary and office, per branch
      cycleArchived: 2, // office and leader
    });
    // The conflicted evaluator was asked to score the four other branches, never their own.
    const scoreRequests = smtp.received.filter((m) => String(m.parsed.headers.get('x-shuping-template')) === 'scoreRequest');
    const toB06 = scoreRequests.filter((m) => m.to.includes('b06@example.org'));
    expect(toB06).toHaveLength(4);
    expect(toB06.some((m) => m.subject.includes('设计院党支部'))).toBe(false);
    // Each mail exactly once.
    expect(new Set(smtp.received.map((m) => m.messageId)).size).toBe(smtp.received.length);
    // The documents: results and ledger as workbooks, the bulletin as printable HTML.
    const office = await actor(s, 'office@example.org');
    const readSheet = async (kind: string) => {
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load((await collect(await exportDocument(s.db, 2020, kind, office))) as unknown as ArrayBuffer);
      const rows: unknown[][] = [];
      wb.worksheets[0].eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
      return rows;
    };
    const resultRows = await readSheet('results');
    expect(resultRows.slice(1).map((r) => [r[0], r[1], r[8], r[9]])).toEqual([
      [1, 'B02', 94.33, '好'],
      [2, 'B01', 90, '较好'],
      [3, 'B03', 87, '较好'],
      [4, 'B06', 86.38, '较好'],
      [5, 'B04', 75, '差'],
    ]);
    const ledger = await readSheet('ledger');
    expect(ledger.slice(1).map((r) => r[7])).toEqual(Array(10).fill('已销号'));
    const bulletin = (await collect(await exportDocument(s.db, 2020, 'bulletin', office))).toString();
    expect(bulletin).toContain('“好”1 个，“较好”3 个，“差”1 个');

    // The notice carries the meeting invitation.
    const notice = smtp.received.find((m) => String(m.parsed.headers.get('x-shuping-template')) === 'notice')!;
    expect(notice.parsed.attachments.map((a) => a.filename)).toEqual(['meeting.ics']);
    expect(notice.parsed.attachments[0].content.toString()).toContain('LOCATION:公司30楼报告厅');
  });
});

async function actor(s: TestEnv['services'], email: string) {
  const { actorByEmail } = await import('../../src/engine/actors');
  return actorByEmail(s.db, email);
}
