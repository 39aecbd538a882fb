// 会议纪要 (issue 10): the minutes are generated from the data and hold the date and place, the host,
// the panel, the agenda in the meeting's order, every Q&A line with who asked, and the chair's remarks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorByEmail } from '../../src/engine/actors';
import { collect } from '../../src/engine/exports';
import { meetingMinutes } from '../../src/engine/minutes';
import { bootstrapOffice, OFFICE } from '../support/cycle';
import { dialects, makeTestEnv, type TestEnv } from '../support/db';
import { yearDriver } from '../support/yearCycle';

const NOW = '2020-12-12T02:00:00Z';
const QA = [
  { code: 'B02', by: '考评组成员一', question: '党建与业务如何避免“两张皮”？', answer: '把党员先锋岗设在项目一线。' },
  { code: 'B02', by: '考评组成员二', question: '三会一课<b>是否</b>按时召开？', answer: '每月召开，有记录可查。' },
  { code: 'B01', by: '考评组成员三', question: '发展党员有何计划？', answer: '明年发展两名。' },
];
const REMARKS = '这次述职评议总体效果良好。\n主要问题：党建与业务“两张皮”现象依然存在。';

describe.each(dialects)('the minutes on %s', (dialect) => {
  let env: TestEnv;

  beforeAll(async () => {
    env = await makeTestEnv(dialect);
    await bootstrapOffice(env.services);
    const d = yearDriver(env.services, 2020);
    await d.create('2020-11-19T02:00:00Z');
    await d.launch('2020-11-20T02:00:00Z');
    const office = await actorByEmail(env.services.db, OFFICE);
    const e = env.services.engine;
    await e.meetingCommand(2020, { command: 'order', codes: ['B02', 'B01', 'B03'] }, office, { now: NOW });
    const panel = (await e.meetingView(2020, office, NOW)).panel;
    for (const code of ['B02', 'B01', 'B03']) {
      await d.toMeeting(code, NOW);
      await d.office(code, 'START_PRESENTATION', undefined, NOW);
    }
    for (const q of QA) await d.office(q.code, 'RECORD_QA', { askedById: panel.find((p) => p.name === q.by)!.id, question: q.question, answer: q.answer }, NOW);
    await d.exempt(['B05'], NOW);
    await e.meetingCommand(2020, { command: 'remarks', text: REMARKS }, office, { now: NOW });
  }, 60_000);
  afterAll(async () => env?.cleanup());

  it('holds the date and place, host, panel, agenda in order, every Q&A line and the remarks', async () => {
    const m = await meetingMinutes(env.services.db, 2020, await actorByEmail(env.services.db, OFFICE));
    expect(m).toMatchObject({ year: 2020, place: '公司30楼报告厅', host: '党委办公室', date: expect.stringContaining('2020') });
    expect([...m.panel].sort()).toEqual(['杨帆', '考评组成员一', '考评组成员二', '考评组成员三', '考评组成员四'].sort());
    expect(m.agenda.map((a) => a.code)).toEqual(['B02', 'B01', 'B03', 'B04', 'B05', 'B06']);
    expect(m.agenda.find((a) => a.code === 'B05')!.exempted).toBe(true);
    expect(m.branches.map((b) => b.code)).toEqual(['B02', 'B01', 'B03', 'B04', 'B06']);
    expect(m.branches.flatMap((b) => b.qa.map((q) => ({ code: b.code, by: q.askedBy, question: q.question, answer: q.answer })))).toEqual(QA);
    expect(m.remarks).toMatchObject({ text: REMARKS, by: '党委办公室' });
  });

  it('downloads with the other documents as HTML, before results are published, escaped', async () => {
    const file = await env.services.engine.exportDocument(2020, 'minutes', await actorByEmail(env.services.db, OFFICE));
    expect(file.filename).toBe('2020-会议纪要.html');
    const html = (await collect(file)).toString('utf8');
    for (const q of QA) {
      expect(html).toContain(q.by);
      expect(html).toContain(q.answer);
    }
    expect(html).toContain('三会一课&lt;b&gt;是否&lt;/b&gt;按时召开？');
    expect(html).toContain('主要问题：党建与业务“两张皮”现象依然存在。');
    expect(html).toContain('公司30楼报告厅');
    await expect(env.services.engine.exportDocument(2020, 'minutes', await actorByEmail(env.services.db, 'b01@example.org'))).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
