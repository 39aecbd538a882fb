// 季度党建考核: a Q4 quarterly assessment of the 2020 example's branches from launch to the published
// bulletin, through the same engine, CLI and exports as the annual review — a returned
// self-assessment, an overdue branch escalated — on SQLite and PostgreSQL. The year keeps naming the
// annual review; the quarterly cycle is named by its id.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorByEmail } from '../../src/engine/actors';
import { collect, exportDocument } from '../../src/engine/exports';
import { listMails } from '../../src/store/outbox';
import { cli } from '../support/cli';
import { driver, examplesDir, OFFICE } from '../support/cycle';
import { cliEnv, dialects, makeTestEnv, type TestEnv } from '../support/db';
import { documentXml, docxToPdf, paragraphsOf, soffice } from '../support/docx';
import { call, setPasswords, signIn, startServer, type HttpServer } from '../support/http';

const Q4_CONFIG = path.join(examplesDir, 'quarterly-2020-q4.json');
const NUMBER = '中机中联党〔2021〕3号';
/** The office's scores per indicator (organization 25, education 25, integration 30, discipline 20). */
const SCORES: Record<string, Record<string, number>> = {
  B01: { organization: 24, education: 23, integration: 28, discipline: 19 }, // 94
  B02: { organization: 22, education: 21.5, integration: 26, discipline: 18 }, // 87.5
  B03: { organization: 20, education: 20, integration: 25, discipline: 17 }, // 82
  B04: { organization: 18, education: 19, integration: 22, discipline: 16 }, // 75
  B05: { organization: 23, education: 22, integration: 27, discipline: 19 }, // 91
  B06: { organization: 15, education: 16, integration: 20, discipline: 14 }, // 65
};
const total = (s: Record<string, number>) => Object.values(s).reduce((a, b) => a + b, 0);
const grade = (x: number) => (x >= 90 ? '好' : x >= 80 ? '较好' : x >= 70 ? '一般' : '差');
const rank = (code: string) => Object.values(SCORES).filter((s) => total(s) > total(SCORES[code])).length + 1;
const selfItems = (code: string) => Object.entries(SCORES[code]).map(([key, score]) => ({ key, score: Math.min(score + 1, key === 'integration' ? 30 : key === 'discipline' ? 20 : 25), note: `${code} ${key} 自评说明` }));
const at = (local: string) => new Date(`${local}+08:00`).toISOString();

describe.each(dialects)('the quarterly assessment on %s', (dialect) => {
  let env: TestEnv;
  let server: HttpServer;
  let q4: number;
  const office = () => actorByEmail(env.services.db, OFFICE);
  const send = async (as: string, branch: string, type: string, data: unknown, now: string) =>
    env.services.engine.sendBranchEvent({ cycle: q4, branch, type, data, actor: await actorByEmail(env.services.db, as), now });
  const secretary = (code: string) => `${code.toLowerCase()}@example.org`;
  const mails = async (template: string) => (await listMails(env.services.db)).filter((m) => m.template === template && m.cycle_id === q4);

  beforeAll(async () => {
    env = await makeTestEnv(dialect);
    // The year's annual review exists too: `--cycle 2020` keeps naming it.
    await driver(env.services).create('2020-11-19T02:00:00Z');
    server = await startServer(env.services);
  });
  afterAll(async () => {
    await server?.close();
    await env?.cleanup();
  });

  it('creates and launches the Q4 assessment from the CLI: every branch notified, each on the quarterly workflow', async () => {
    const e = cliEnv(env);
    const created = await cli(e, 'cycle', 'create', '--config', Q4_CONFIG, '--now', at('2020-12-20T10:00:00'));
    expect(created.code, created.raw).toBe(0);
    q4 = created.out.cycle.id;
    expect(created.out.cycle).toMatchObject({ year: 2020, state: 'draft' });
    // A second Q4 of 2020 is refused; the annual review of 2020 is another period.
    const again = await cli(e, 'cycle', 'create', '--config', Q4_CONFIG);
    expect(again.out.error.code).toBe('INVALID_INPUT');
    expect(again.out.error.details.issues[0].message).toContain('2020 年第 4 季度的党建考核已存在');

    const launched = await cli(e, 'cycle', 'launch', '--cycle', String(q4), '--now', at('2020-12-25T10:00:00'));
    expect(launched.code, launched.raw).toBe(0);
    expect(launched.out).toMatchObject({ cycle: { id: q4, state: 'launched' }, created: 6 });
    const rows = await env.services.db('branch_reviews').where({ cycle_id: q4 }).orderBy('code');
    expect(rows.map((r: { phase: string; workflow: string }) => [r.phase, r.workflow])).toEqual(Array(6).fill(['selfAssessing', 'quarterlyAssessment']));
    expect((await mails('quarterNotice')).map((m) => m.to_email).sort()).toEqual(['b01', 'b02', 'b03', 'b04', 'b05', 'b06'].map((c) => `${c}@example.org`));
    expect((await mails('quarterNotice'))[0].subject).toContain('2020年第四季度党建工作考核通知：请逐项自评并提交佐证材料');
    // The year names the annual review, which is still a draft; the quarter is named by its id.
    const annual = await cli(e, 'status', '--cycle', '2020');
    expect(annual.out.cycle).toMatchObject({ year: 2020, state: 'draft' });
    const status = await cli(e, 'status', '--cycle', String(q4), '--now', at('2020-12-25T10:00:00'));
    expect(status.out.cycle).toMatchObject({ id: q4, state: 'launched' });
    expect(status.out.branches.map((b: { code: string; phase: string; segment: string }) => [b.code, b.phase, b.segment])[0]).toEqual(['B01', 'selfAssessing', '机关']);
  });

  it('takes the self-assessments, per indicator with evidence notes, refusing what the indicators do not allow', async () => {
    const e = cliEnv(env);
    // From the CLI, as the secretary.
    const viaCli = await cli(e, 'event', 'send', '--cycle', String(q4), '--branch', 'B01', '--type', 'SUBMIT_SELF_ASSESSMENT', '--data', JSON.stringify({ items: selfItems('B01'), summary: '本季度党建工作总结' }), '--as', secretary('B01'), '--now', at('2021-01-04T10:00:00'));
    expect(viaCli.code, viaCli.raw).toBe(0);
    expect(viaCli.out.phase).toBe('officeReview');
    // An indicator missing, or a score above its maximum, is refused naming the field.
    await expect(send(secretary('B02'), 'B02', 'SUBMIT_SELF_ASSESSMENT', { items: selfItems('B02').slice(1) }, at('2021-01-04T10:00:00'))).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(
      send(secretary('B02'), 'B02', 'SUBMIT_SELF_ASSESSMENT', { items: selfItems('B02').map((i) => (i.key === 'discipline' ? { ...i, score: 21 } : i)) }, at('2021-01-04T10:00:00')),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { issues: [{ field: 'data.items.discipline' }] } });
    // An annual-review event is not this machine's: refused with the events it takes.
    await expect(send(secretary('B02'), 'B02', 'ACKNOWLEDGE', undefined, at('2021-01-04T10:00:00'))).rejects.toMatchObject({ code: 'EVENT_NOT_ALLOWED' });
    // The office may not submit for the branch.
    await expect(send(OFFICE, 'B02', 'SUBMIT_SELF_ASSESSMENT', { items: selfItems('B02') }, at('2021-01-04T10:00:00'))).rejects.toMatchObject({ code: 'FORBIDDEN' });
    // From the API, as the secretary: the same route and schema as the annual review's events.
    await setPasswords(env.services);
    const b03 = await signIn(server.base, secretary('B03'));
    const api = await call(server.base, 'POST', `/api/cycles/${q4}/branches/B03/events`, { session: b03, body: { type: 'SUBMIT_SELF_ASSESSMENT', data: { items: selfItems('B03') } } });
    expect(api.status, api.text).toBe(200);
    expect(api.json).toMatchObject({ phase: 'officeReview', allowedEvents: ['EXEMPT', 'EXTEND_DEADLINE', 'RETURN_SELF_ASSESSMENT', 'SCORE_INDICATORS'] });
    // The branch page offers the quarter's forms: the self-assessment to the secretary, the scores to the office.
    const b04 = await call(server.base, 'GET', `/cycles/${q4}/branches/B04`, { session: await signIn(server.base, secretary('B04')) });
    expect(b04.status).toBe(200);
    for (const s of ['data-testid="ev-SUBMIT_SELF_ASSESSMENT"', 'name="data.items.2.score"', '党建与业务融合（', 'data-testid="quarterly"']) expect(b04.text).toContain(s);
    const officePage = await call(server.base, 'GET', `/cycles/${q4}/branches/B03`, { session: await signIn(server.base, OFFICE) });
    for (const s of ['data-testid="ev-SCORE_INDICATORS"', 'name="data.scores.integration"', 'data-testid="ev-RETURN_SELF_ASSESSMENT"']) expect(officePage.text).toContain(s);
    for (const code of ['B02', 'B04', 'B05']) {
      expect((await send(secretary(code), code, 'SUBMIT_SELF_ASSESSMENT', { items: selfItems(code) }, at('2021-01-05T10:00:00'))).phase).toBe('officeReview');
    }
    expect(await mails('selfAssessmentSubmitted')).toHaveLength(5);
  });

  it('returns a self-assessment with a reason; the branch revises and resubmits', async () => {
    const returned = await send(OFFICE, 'B02', 'RETURN_SELF_ASSESSMENT', { reason: '“党建与业务融合”缺少佐证材料' }, at('2021-01-06T10:00:00'));
    expect(returned.phase).toBe('selfAssessing');
    const [mail] = await mails('selfAssessmentReturned');
    expect(mail.to_email).toBe('b02@example.org');
    expect(mail.body_text).toContain('原因：“党建与业务融合”缺少佐证材料');
    const view = await env.services.engine.branchView(q4, 'B02', await actorByEmail(env.services.db, secretary('B02')), at('2021-01-06T10:00:00'));
    expect(view.kind).toBe('quarterlyAssessment');
    expect(view.branch.quarterly).toMatchObject({ selfAssessmentReturns: [{ reason: '“党建与业务融合”缺少佐证材料' }], indicatorScores: null });
    expect(view.branch.deadlines.map((d) => d.kind)).toEqual(['selfAssessment', 'review']);
    expect((await send(secretary('B02'), 'B02', 'SUBMIT_SELF_ASSESSMENT', { items: selfItems('B02'), summary: '已补充佐证材料' }, at('2021-01-07T10:00:00'))).phase).toBe('officeReview');
  });

  it('reminds and escalates an overdue branch as the annual review does', async () => {
    const s = env.services;
    // 3 days and 1 day before, on the morning of the day: reminders to B06's secretary only.
    await s.tick(at('2021-01-05T18:00:00'));
    await s.tick(at('2021-01-07T18:00:00'));
    await s.tick(at('2021-01-08T09:00:00'));
    const reminders = await mails('reminder');
    expect(reminders.map((m) => m.to_email)).toEqual(['b06@example.org', 'b06@example.org', 'b06@example.org']);
    expect(reminders[0].subject).toContain('季度自评提交');
    // At the deadline: the secretary is told, the office and the leader get an escalation (督办).
    const r = await s.tick(at('2021-01-08T18:00:00'));
    expect(r.timersFired).toBe(1);
    expect((await mails('overdue')).map((m) => m.to_email)).toEqual(['b06@example.org']);
    const escalations = await mails('escalation');
    expect(escalations.map((m) => m.to_email).sort()).toEqual(['office@example.org', 'secretary.party@example.org']);
    expect(escalations[0].subject).toContain('设计院党支部季度自评提交已逾期');
    const status = await s.engine.cycleStatus(q4, await office(), at('2021-01-09T10:00:00'));
    expect(status.branches.filter((b) => b.overdue.length).map((b) => [b.code, b.overdue])).toEqual([['B06', ['selfAssessment']]]);
    // Late, B06 submits; the office now has a week to score.
    expect((await send(secretary('B06'), 'B06', 'SUBMIT_SELF_ASSESSMENT', { items: selfItems('B06') }, at('2021-01-10T10:00:00'))).phase).toBe('officeReview');
  });

  it('scores each indicator, publishes the results and archives the quarter', async () => {
    await expect(send(OFFICE, 'B01', 'SCORE_INDICATORS', { scores: { ...SCORES.B01, integration: 31 } }, at('2021-01-12T10:00:00'))).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    for (const code of Object.keys(SCORES)) {
      expect((await send(OFFICE, code, 'SCORE_INDICATORS', { scores: SCORES[code], comment: code === 'B06' ? '自评材料逾期提交，“三会一课”记录不全' : '' }, at('2021-01-12T10:00:00'))).phase).toBe('assessed');
    }
    // Before publication the branch does not see the office's scores.
    const before = await env.services.engine.branchView(q4, 'B03', await actorByEmail(env.services.db, secretary('B03')), at('2021-01-12T10:00:00'));
    expect(before.branch.quarterly?.indicatorScores).toBeNull();
    const published = await cli(cliEnv(env), 'event', 'send', '--cycle', String(q4), '--type', 'PUBLISH_RESULTS', '--now', at('2021-01-13T10:00:00'));
    expect(published.code, published.raw).toBe(0);
    const status = await env.services.engine.cycleStatus(q4, await office(), at('2021-01-13T10:00:00'));
    // Every branch published (final): the quarter archives itself.
    expect(status.cycle.state).toBe('archived');
    for (const b of status.branches) {
      expect(b, b.code).toMatchObject({ phase: 'published', score: total(SCORES[b.code]), grade: grade(total(SCORES[b.code])), rank: rank(b.code) });
    }
    const [result] = (await mails('quarterResults')).filter((m) => m.to_email === 'b05@example.org');
    expect(result.body_text).toContain(`本支部得分91分，评定等次为“好”，在6个支部中排名第2名`);
    const after = await env.services.engine.branchView(q4, 'B03', await actorByEmail(env.services.db, secretary('B03')), at('2021-01-13T10:00:00'));
    expect(after.branch.quarterly?.indicatorScores?.scores).toEqual(SCORES.B03);
  });

  it('writes the quarterly bulletin as .docx and HTML, grouped by segment, with each indicator', async () => {
    const docx = await collect(await exportDocument(env.services.db, q4, 'bulletin', await office(), 'docx'));
    const xml = documentXml(docx);
    const text = paragraphsOf(xml);
    expect(text[0]).toBe('中共中机中联公司委员会文件');
    expect(text[1]).toBe(NUMBER);
    expect(text).toContain('关于2020年第四季度党建工作考核情况的通报');
    expect(text.join('\n')).toContain('共 6 个支部参加考核，其中“好”2 个，“较好”2 个，“一般”1 个，“差”1 个');
    for (const name of ['组织建设（25分）', '党员教育管理（25分）', '党建与业务融合（30分）', '党风廉政建设（20分）']) expect(text).toContain(name);
    for (const [code, s] of Object.entries(SCORES)) {
      expect(text, code).toContain(String(total(s)));
      expect(text, code).toContain(String(s.education));
    }
    expect(text).toContain('机关第一党支部');
    expect(text.find((t) => t.startsWith('（一）机关'))).toBe('（一）机关（2 个支部，平均分 90.75 分，最高 94 分，最低 87.5 分，分差 6.5 分；最低分支部：机关第二党支部）');
    expect(text.join('\n')).toContain('设计院党支部：自评材料逾期提交，“三会一课”记录不全');
    const html = (await collect(await exportDocument(env.services.db, q4, 'bulletin', await office()))).toString();
    expect(html).toContain(NUMBER);
    expect(html).toContain('<td>工程二部党支部</td>');
    // A quarter has no letters; the results workbook comes as for the annual review.
    await expect(exportDocument(env.services.db, q4, 'letters', await office(), 'docx')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(exportDocument(env.services.db, q4, 'minutes', await office())).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect((await collect(await exportDocument(env.services.db, q4, 'results', await office()))).length).toBeGreaterThan(1000);
    if (soffice || process.env.REQUIRE_SOFFICE) {
      const file = path.join(env.dataDir, 'q4-bulletin.docx');
      fs.writeFileSync(file, docx);
      expect(fs.readFileSync(docxToPdf(file, env.dataDir)).subarray(0, 5).toString()).toBe('%PDF-');
    }
  }, 300_000);

  it('shows the year’s quarters beside the annual review on the dashboard, and keeps the audit whole', async () => {
    const d = await env.services.engine.dashboard(2020, await office(), at('2021-01-13T10:00:00'));
    expect(d.cycle).toMatchObject({ year: 2020, kind: 'annualReview' });
    expect(d.year.annual).toMatchObject({ kind: 'annualReview', state: 'draft' });
    expect(d.year.quarters).toEqual([
      expect.objectContaining({ id: q4, quarter: 4, kind: 'quarterlyAssessment', state: 'archived', total: 6, scored: 6, mean: 82.42, grades: { 好: 2, 较好: 2, 一般: 1, 差: 1 } }),
    ]);
    const q = await env.services.engine.dashboard(q4, await office(), at('2021-01-13T10:00:00'));
    expect(q.phases).toEqual(['selfAssessing', 'officeReview', 'assessed', 'published', 'excused']);
    expect(q.counts.published).toBe(6);
    const audit = await cli(cliEnv(env), 'audit', 'verify', '--cycle', String(q4));
    expect(audit.code, audit.raw).toBe(0);
    // The pages read both kinds: the board, the branch page, the dashboard, in the quarter's words.
    await setPasswords(env.services);
    const officeSession = await signIn(server.base, OFFICE);
    const board = await call(server.base, 'GET', `/cycles/${q4}`, { session: officeSession });
    expect(board.status, board.text.slice(0, 500)).toBe(200);
    expect(board.text).toContain('已公布');
    const page = await call(server.base, 'GET', `/cycles/${q4}/branches/B06`, { session: await signIn(server.base, secretary('B06')) });
    expect(page.status, page.text.slice(0, 500)).toBe(200);
    expect(page.text).toContain('设计院党支部');
    const dash = await call(server.base, 'GET', `/api/cycles/2020`, { session: officeSession });
    expect(dash.json.year.quarters.map((c: { quarter: number; mean: number }) => [c.quarter, c.mean])).toEqual([[4, 82.42]]);
  });
});
