// The meeting day (issue 10): the runner's commands (agenda, timer instants, segments, remarks),
// audited and versioned; the hall display by its link, read-only and revocable, following the
// meeting through server-sent events; questions recorded against a named panel member.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorByEmail } from '../../src/engine/actors';
import { bootstrapOffice, OFFICE } from '../support/cycle';
import { dialects, makeTestEnv, type TestEnv } from '../support/db';
import { call, setPasswords, signIn, startServer, type HttpServer } from '../support/http';
import { yearDriver } from '../support/yearCycle';

const T0 = '2020-12-12T01:00:00.000Z';
const at = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000).toISOString();

describe.each(dialects)('the meeting on %s', (dialect) => {
  let env: TestEnv;
  let http: HttpServer;
  const e = () => env.services.engine;
  const office = () => actorByEmail(env.services.db, OFFICE);

  beforeAll(async () => {
    env = await makeTestEnv(dialect);
    await bootstrapOffice(env.services);
    const d = yearDriver(env.services, 2020);
    await d.create('2020-11-19T02:00:00Z');
    await d.launch('2020-11-20T02:00:00Z');
    for (const code of ['B01', 'B02', 'B03']) await d.toMeeting(code, '2020-12-01T02:00:00Z');
    await setPasswords(env.services);
    http = await startServer(env.services);
  }, 60_000);
  afterAll(async () => {
    await http?.close();
    await env?.cleanup();
  });

  it('keeps the agenda in roster order, reorders it and groups it by segment', async () => {
    let v = await e().meetingView(2020, await office(), T0);
    expect(v.agenda.map((a) => a.code)).toEqual(['B01', 'B02', 'B03', 'B04', 'B05', 'B06']);
    await e().meetingCommand(2020, { command: 'order', codes: ['B02', 'B01', 'B03'] }, await office(), { now: T0 });
    v = await e().meetingView(2020, await office(), T0);
    expect(v.agenda.map((a) => a.code)).toEqual(['B02', 'B01', 'B03', 'B04', 'B05', 'B06']);
    await expect(e().meetingCommand(2020, { command: 'order', codes: ['B99'] }, await office(), { now: T0 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await e().meetingCommand(2020, { command: 'order', codes: ['B01', 'B02', 'B03', 'B04', 'B05', 'B06'] }, await office(), { now: T0 });
    await expect(e().meetingCommand(2020, { command: 'start' }, await actorByEmail(env.services.db, 'panel1@example.org'), { now: T0 })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('derives the timer from stored instants: start, pause, next segment, overtime, next branch', async () => {
    const o = await office();
    await e().meetingCommand(2020, { command: 'start' }, o, { now: at(0) });
    let v = await e().meetingView(2020, o, at(30));
    expect(v.current).toMatchObject({ code: 'B01', phase: 'liveReview' }); // starting the report started its live review
    expect(v.state).toMatchObject({ segment: 'report', runningSince: at(0), elapsedMs: 0 });
    expect(v.segmentMinutes).toEqual({ report: 8, questions: 4, answers: 4 });
    await e().meetingCommand(2020, { command: 'pause' }, o, { now: at(100) });
    v = await e().meetingView(2020, o, at(500));
    expect(v.state).toMatchObject({ runningSince: null, elapsedMs: 100_000 });
    await e().meetingCommand(2020, { command: 'start' }, o, { now: at(600) });
    await e().meetingCommand(2020, { command: 'next' }, o, { now: at(1000) });
    v = await e().meetingView(2020, o, at(1000));
    expect(v.state).toMatchObject({ segment: 'questions', runningSince: at(1000), elapsedMs: 0 });
    // The hall sees the same instants and how long the segment is: 4 minutes, overrun at 5.
    const { url } = await e().issueDisplay(2020, o, at(1000));
    const token = url.split('/hall/')[1];
    const hall = await e().hallView(token, 'zh-CN', at(1300));
    expect(hall.current).toMatchObject({ name: '机关第一党支部', speaker: '王明', segment: 'questions', limitMs: 240_000, runningSince: at(1000), position: 1, of: 6 });
    expect(hall.next).toEqual({ name: '机关第二党支部', speaker: '李华' });
    expect(JSON.stringify(hall)).not.toMatch(/score|quorum|qa/i);
    await e().meetingCommand(2020, { command: 'next' }, o, { now: at(1300) });
    await e().meetingCommand(2020, { command: 'next' }, o, { now: at(1500) });
    v = await e().meetingView(2020, o, at(1500));
    expect(v.state).toMatchObject({ current: 'B02', segment: 'report', runningSince: null, done: ['B01'] });
    const audit = (await env.services.db('audit').where('event_type', 'like', 'MEETING_%').select('event_type', 'actor_role')) as { event_type: string; actor_role: string }[];
    expect(audit.map((a) => a.event_type)).toEqual(expect.arrayContaining(['MEETING_ORDER', 'MEETING_START', 'MEETING_PAUSE', 'MEETING_NEXT']));
    expect(new Set(audit.map((a) => a.actor_role))).toEqual(new Set(['office']));
  });

  it('refuses a stale version, and records the chair\'s remarks', async () => {
    const o = await office();
    const v = await e().meetingView(2020, o, at(1600));
    await expect(e().meetingCommand(2020, { command: 'pause' }, o, { expectedVersion: v.version - 1, now: at(1600) })).rejects.toMatchObject({ code: 'VERSION_CONFLICT' });
    await e().meetingCommand(2020, { command: 'remarks', text: '总体来看，党建与业务“两张皮”问题仍然存在。' }, o, { expectedVersion: v.version, now: at(1600) });
    expect((await e().meetingView(2020, o, at(1600))).state.remarks).toMatchObject({ text: '总体来看，党建与业务“两张皮”问题仍然存在。', by: '党委办公室' });
  });

  it('records a question against a panel member chosen by id, named in the record', async () => {
    const d = yearDriver(env.services, 2020);
    const panel = (await e().meetingView(2020, await office(), at(1700))).panel;
    const member = panel.find((p) => p.name === '考评组成员三')!;
    await d.office('B01', 'RECORD_QA', { askedById: member.id, question: '如何推进融合？', answer: '设立党员先锋岗。' }, at(1700));
    await expect(d.office('B01', 'RECORD_QA', { askedById: '999999', question: 'x', answer: 'y' }, at(1700))).rejects.toMatchObject({ details: { issues: [{ field: 'data.askedById' }] } });
    await expect(d.office('B01', 'RECORD_QA', { question: 'x', answer: 'y' }, at(1700))).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    const v = await e().meetingView(2020, await office(), at(1700));
    expect(v.agenda.find((a) => a.code === 'B01')!.qa).toEqual([{ question: '如何推进融合？', answer: '设立党员先锋岗。', askedBy: '考评组成员三' }]);
  });

  it('shows the office who has scored (names and count), never the scores', async () => {
    const d = yearDriver(env.services, 2020);
    await d.office('B01', 'END_PRESENTATION', undefined, at(1800));
    await d.send('panel2@example.org', 'B01', 'SUBMIT_SCORE', { scores: { effectiveness: 25, integration: 28, highlights: 14, problems: 13, presentation: 9 } }, at(1800));
    const v = await e().meetingView(2020, await office(), at(1800));
    const b01 = v.agenda.find((a) => a.code === 'B01')!;
    expect(b01.quorum).toEqual({ scored: 1, expected: 5, names: ['考评组成员二'] });
    expect(JSON.stringify(v)).not.toContain('"effectiveness"');
  });

  it('serves the hall display by its link, follows the meeting by server-sent events within a second, and stops when revoked', async () => {
    const office = await signIn(http.base, OFFICE);
    const runner = await call(http.base, 'GET', '/cycles/2020/meeting', { session: office });
    expect(runner.status).toBe(200);
    expect(runner.text).toContain('data-testid="agenda"');
    expect(runner.text).toContain('考评组成员一'); // the panel to name who asked
    expect((await call(http.base, 'GET', '/cycles/2020/meeting', { session: await signIn(http.base, 'b01@example.org') })).status).toBe(403);
    const issued = await call(http.base, 'POST', '/api/cycles/2020/meeting/displays', { session: office });
    expect(issued.status).toBe(201);
    const token = new URL(issued.json.url).pathname.split('/').pop()!;
    const page = await call(http.base, 'GET', `/hall/${token}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('机关第二党支部');
    expect(page.text).not.toMatch(/<script>/);

    const controller = new AbortController();
    const res = await fetch(`${http.base}/api/hall/${token}/stream`, { signal: controller.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    let buffer = '';
    const nextEvent = async (): Promise<{ event: string; data: any }> => {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event) return { event, data: data ? JSON.parse(data) : null };
          continue;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buffer += new TextDecoder().decode(value);
      }
    };
    const first = await nextEvent();
    expect(first).toMatchObject({ event: 'meeting', data: { current: { name: '机关第二党支部' } } });
    const sent = Date.now();
    const moved = await call(http.base, 'POST', '/api/cycles/2020/meeting', { session: office, body: { command: 'select', code: 'B03' } });
    expect(moved.status).toBe(200);
    const second = await nextEvent();
    expect(Date.now() - sent).toBeLessThan(1000);
    expect(second.data.current.name).toBe('工程一部党支部');

    // Runner routes are the office's; the display link reads and writes nothing else.
    expect((await call(http.base, 'POST', '/api/cycles/2020/meeting', { body: { command: 'start' } })).status).toBe(401);
    const panel = await signIn(http.base, 'panel1@example.org');
    expect((await call(http.base, 'GET', '/api/cycles/2020/meeting', { session: panel })).status).toBe(403);

    expect((await call(http.base, 'DELETE', '/api/cycles/2020/meeting/displays', { session: office })).status).toBe(200);
    const gone = await nextEvent();
    expect(gone.event).toBe('gone');
    controller.abort();
    expect((await call(http.base, 'GET', `/api/hall/${token}`)).status).toBe(404);
    expect((await call(http.base, 'GET', `/hall/${token}`)).status).toBe(404);
  });
});
