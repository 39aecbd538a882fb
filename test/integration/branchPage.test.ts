// The branch page as decisions: one primary action and a menu, confirmations for weighty events,
// the notice, a returned report's banner and task line, files removed and replaced before acceptance.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arrangeActions, foldReminders } from '../../src/web/pages';
import { driver } from '../support/cycle';
import { makeTestEnv, type TestEnv } from '../support/db';
import { call, fileForm, setPasswords, signIn, startServer, TINY_PDF, type HttpServer, type Session } from '../support/http';

describe('arranging a branch page', () => {
  it('puts the next step of the work first and the rest in the menu', () => {
    expect(arrangeActions(['ACCEPT_MATERIALS', 'ADJUST_SCORE', 'EXEMPT', 'EXTEND_DEADLINE', 'RETURN_MATERIALS', 'VETO'], false)).toEqual({
      primary: 'ACCEPT_MATERIALS',
      more: ['ADJUST_SCORE', 'EXEMPT', 'EXTEND_DEADLINE', 'RETURN_MATERIALS', 'VETO'],
    });
    expect(arrangeActions(['SUBMIT_SCORE', 'RECORD_QA'], true)).toEqual({ primary: null, more: ['RECORD_QA'] });
    expect(arrangeActions(['EXEMPT', 'REPORT_PROGRESS', 'VERIFY_ITEM'], false)).toEqual({ primary: 'REPORT_PROGRESS', more: ['EXEMPT'] });
  });

  it('folds repeated reminders of one deadline into one line', () => {
    const due = (at: string, deadline = 'materials') => ({ event: 'DEADLINE_DUE', at, data: { deadline, step: 'd-1' } });
    const h = [
      { event: 'LAUNCH', at: '2020-11-20T02:00:00Z', data: null },
      due('2020-12-01T10:00:00Z'),
      due('2020-12-03T10:00:00Z'),
      due('2020-12-04T01:00:00Z'),
      due('2020-12-20T10:00:00Z', 'scoring'),
      due('2021-01-20T10:00:00Z', 'scoring'),
    ];
    const folded = foldReminders(h);
    expect(folded.map((x) => [x.event, x.times])).toEqual([['LAUNCH', 1], ['DEADLINE_DUE', 3], ['DEADLINE_DUE', 1], ['DEADLINE_DUE', 1]]);
    expect(folded[1].until).toBe('2020-12-04T01:00:00Z');
  });
});

describe('the branch page over HTTP', () => {
  let env: TestEnv;
  let http: HttpServer;
  let office: Session;
  let secretary: Session;

  beforeAll(async () => {
    env = await makeTestEnv('sqlite');
    const d = driver(env.services);
    await d.create('2020-11-19T02:00:00Z');
    await d.launch('2020-11-20T02:00:00Z');
    await setPasswords(env.services);
    http = await startServer(env.services);
    office = await signIn(http.base, 'office@example.org');
    secretary = await signIn(http.base, 'b01@example.org');
  });
  afterAll(async () => {
    await http?.close();
    await env?.cleanup();
  });

  const page = async (s: Session, path: string) => (await call(http.base, 'GET', path, { session: s })).text;
  const send = (s: Session, type: string, data?: unknown) => call(http.base, 'POST', '/api/cycles/2020/branches/B01/events', { session: s, body: { type, data } });
  const upload = async () => (await call(http.base, 'POST', '/api/cycles/2020/branches/B01/files', { session: secretary, body: fileForm('file', '报告.pdf', TINY_PDF, 'application/pdf') })).json.file.id as string;

  it('shows the notice: topics and the meeting', async () => {
    const html = await page(secretary, '/cycles/2020/branches/B01');
    expect(html).toContain('id="notice"');
    expect(html).toContain('党建与生产经营融合情况');
    expect(html).toContain('公司30楼报告厅');
    // one primary action for the secretary: acknowledging
    expect(html).toMatch(/id="actions"[\s\S]*data-event="ACKNOWLEDGE"/);
  });

  it('puts the office\'s weighty exemption in the menu behind a confirmation asking the reason', async () => {
    const html = await page(office, '/cycles/2020/branches/B01');
    const exempt = /<form[^>]*data-event="EXEMPT"[^>]*>/.exec(html)![0];
    expect(exempt).toContain('data-confirm-reason="data.reason"');
    expect(exempt).toContain('机关第一党支部');
    expect(html.indexOf('data-testid="more-actions"')).toBeLessThan(html.indexOf('data-event="EXEMPT"'));
  });

  it('lets the secretary remove and replace a file before acceptance, audited; not once submitted', async () => {
    expect((await send(secretary, 'ACKNOWLEDGE')).status).toBe(200);
    const first = await upload();
    const removed = await call(http.base, 'DELETE', `/api/files/${first}`, { session: secretary });
    expect(removed.status, removed.text).toBe(200);
    expect(await env.services.db('files').where({ id: first }).first()).toBeUndefined();
    expect(await env.services.db('audit').where({ event_type: 'REMOVE_FILE', subject: `file:${first}` }).first()).toMatchObject({ actor_role: 'secretary' });
    const second = await upload();
    expect((await send(secretary, 'SUBMIT_MATERIALS', { summary: '【一】\n第一段\n\n第二段', fileIds: [second] })).status).toBe(200);
    const refused = await call(http.base, 'DELETE', `/api/files/${second}`, { session: secretary });
    expect(refused.status).toBe(409);
    const other = await signIn(http.base, 'b02@example.org');
    expect((await call(http.base, 'DELETE', `/api/files/${second}`, { session: other })).status).toBe(403);
  });

  it('keeps the report\'s paragraphs, and shows a returned report as a banner and on the task list until resubmitted', async () => {
    expect((await send(office, 'RETURN_MATERIALS', { reason: '请补充问题查找部分' })).status).toBe(200);
    const html = await page(secretary, '/cycles/2020/branches/B01');
    expect(html).toContain('data-testid="returned-banner"');
    expect(html).toContain('请补充问题查找部分');
    expect(html).toContain('第一段\n\n第二段');
    expect(await page(secretary, '/tasks')).toMatch(/data-testid="returned-B01">已退回，请修改后重新提交/);
    expect((await send(secretary, 'SUBMIT_MATERIALS', { summary: '修改稿' })).status).toBe(200);
    expect(await page(secretary, '/cycles/2020/branches/B01')).not.toContain('data-testid="returned-banner"');
    expect(await page(secretary, '/tasks')).not.toContain('data-testid="returned-B01"');
  });
});

describe('the board, the mail page', () => {
  let env: TestEnv;
  let http: HttpServer;
  let office: Session;

  beforeAll(async () => {
    env = await makeTestEnv('sqlite');
    const d = driver(env.services);
    await d.create('2020-11-19T02:00:00Z');
    await d.launch('2020-11-20T02:00:00Z');
    for (const [as, type, data] of [['b01', 'ACKNOWLEDGE', undefined], ['b01', 'SUBMIT_MATERIALS', { summary: '报告' }]] as const) await d.secretary('B01', type, data, '2020-11-21T02:00:00Z');
    for (const type of ['ACCEPT_MATERIALS', 'START_PRESENTATION', 'END_PRESENTATION']) await d.office('B01', type, undefined, '2020-11-22T02:00:00Z');
    const { sheet } = await import('../support/cycle');
    await d.send('panel1@example.org', 'B01', 'SUBMIT_SCORE', { scores: sheet(90) }, '2020-11-23T02:00:00Z');
    await setPasswords(env.services);
    http = await startServer(env.services);
    office = await signIn(http.base, 'office@example.org');
    await env.services.db('outbox').where({ to_email: 'b02@example.org' }).update({ status: 'dead', last_error: '550 mailbox unavailable' });
  });
  afterAll(async () => {
    await http?.close();
    await env?.cleanup();
  });

  it('shows scoring progress (已评 1/n) on the board', async () => {
    const html = (await call(http.base, 'GET', '/cycles/2020', { session: office })).text;
    expect(html).toMatch(/data-testid="scored-B01">已评 1\/\d+</);
  });

  it('lists dead, queued and sent mail with a search, and opens one', async () => {
    const dead = (await call(http.base, 'GET', '/mail', { session: office })).text;
    expect(dead).toContain('b02@example.org');
    expect(dead).not.toContain('b03@example.org');
    const queued = (await call(http.base, 'GET', '/mail?status=queued&q=b03', { session: office })).text;
    expect(queued).toContain('b03@example.org');
    expect(queued).not.toContain('b04@example.org');
    const id = /href="\/mail\/(\d+)"/.exec(queued)![1];
    const one = await call(http.base, 'GET', `/mail/${id}`, { session: office });
    expect(one.status).toBe(200);
    expect(one.text).toContain('data-testid="mail-body"');
    expect((await call(http.base, 'GET', '/mail/999999', { session: office })).status).toBe(404);
  });
});
