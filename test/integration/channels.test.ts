// Group-chat notices (群通知): a cycle's 企业微信 and 钉钉 robots get the launch, one digest of the
// overdue branches a day, and the results, through the outbox; a local server stands in for both
// robots and checks the message formats and the 钉钉 signature; a refused delivery is retried with
// backoff, then dead-lettered, listed for the office and put back by it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMails } from '../../src/store/outbox';
import { cli } from '../support/cli';
import { driver } from '../support/cycle';
import { cliEnv, dialects, makeTestEnv, type TestEnv } from '../support/db';
import { runToPublished } from '../support/publish';
import { DINGTALK_SECRET, TestRobots } from '../support/robots';

const plus = (iso: string, seconds: number) => new Date(Date.parse(iso) + seconds * 1000).toISOString();
const text = TestRobots.text;

describe.each(dialects)('group-chat notices on %s', (dialect) => {
  let env: TestEnv;
  const robots = new TestRobots();

  beforeAll(async () => {
    await robots.start();
    env = await makeTestEnv(dialect, { maxAttempts: 3, backoffSeconds: 60 });
    await driver(env.services).create('2020-11-19T02:00:00Z', {
      channels: [
        { kind: 'wecom', url: `${robots.base}/wecom?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa` },
        { kind: 'dingtalk', url: `${robots.base}/dingtalk?access_token=0123abcd`, secret: DINGTALK_SECRET },
      ],
    });
  });
  afterAll(async () => {
    await env?.cleanup();
    await robots.stop();
  });

  it('announces the launch to each robot once, in its documented markdown format, the 钉钉 one signed', async () => {
    const s = env.services;
    const t0 = '2020-11-20T02:00:00.000Z';
    await driver(s).launch(t0);
    await s.tick(t0);
    await s.tick(plus(t0, 60)); // nothing twice
    expect(robots.problems).toEqual([]);
    const [wecom] = robots.of('wecom');
    const [ding] = robots.of('dingtalk');
    expect(robots.received).toHaveLength(2);
    expect(wecom.body).toEqual({ msgtype: 'markdown', markdown: { content: expect.stringContaining('### 2020年度基层党支部书记抓党建工作述职评议已启动') } });
    expect(text(wecom)).toContain('参评支部：**6** 个');
    expect(text(wecom)).toContain('述职材料截止：2020年12月4日 18:00');
    expect(text(wecom)).toContain('(http://shuping.test/cycles/1)');
    expect(ding.body).toEqual({ msgtype: 'markdown', markdown: { title: '2020年度基层党支部书记抓党建工作述职评议已启动', text: text(wecom) } });
    // The signature's timestamp is the dispatcher's clock, in milliseconds.
    expect(ding.query.get('timestamp')).toBe(String(Date.parse(t0)));
    expect(ding.query.get('access_token')).toBe('0123abcd');
    // Visible to the office in the outbox, the robot's token left out.
    const rows = (await listMails(s.db)).filter((m) => m.template.startsWith('group:'));
    expect(rows.map((m) => [m.template, m.to_email, m.status])).toEqual([
      ['group:launched', `wecom:${new URL(robots.base).host}/wecom`, 'sent'],
      ['group:launched', `dingtalk:${new URL(robots.base).host}/dingtalk`, 'sent'],
    ]);
  });

  it('sends one digest of the overdue branches a day, from the first tick at or after 09:00', async () => {
    const s = env.services;
    // B01 submits in time; the others are overdue after 4 Dec 18:00.
    const d = driver(s);
    await d.secretary('B01', 'ACKNOWLEDGE', undefined, '2020-11-25T02:00:00Z');
    await d.secretary('B01', 'SUBMIT_MATERIALS', { summary: '述职报告' }, '2020-11-25T02:00:00Z');
    robots.received = [];
    const local = (s: string) => new Date(`${s}+08:00`).toISOString();
    await s.tick(local('2020-12-04T17:00:00')); // nobody is overdue yet: no digest
    expect(robots.received).toEqual([]);
    await s.tick(local('2020-12-04T20:00:00')); // overdue since 18:00: the day's digest
    await s.tick(local('2020-12-04T22:00:00'));
    expect(robots.of('wecom').map((m) => text(m).split('\n')[0])).toEqual(['### 逾期督办日报（2020年12月4日）']);
    expect(text(robots.of('wecom')[0])).toContain('- B02 机关第二党支部：述职材料，今日逾期');
    await s.tick(local('2020-12-05T08:59:00')); // the next day's digest waits for 09:00
    expect(robots.of('wecom')).toHaveLength(1);
    await s.tick(local('2020-12-05T09:00:00'));
    await s.tick(local('2020-12-05T09:30:00'));
    await s.tick(local('2020-12-05T18:00:00'));
    expect(robots.problems).toEqual([]);
    // One digest a day, to each robot.
    expect(robots.of('wecom')).toHaveLength(2);
    expect(robots.of('dingtalk')).toHaveLength(2);
    const digest = text(robots.of('wecom')[1]);
    expect(digest).toContain('### 逾期督办日报（2020年12月5日）');
    expect(digest).toContain('逾期支部 **5** 个');
    for (const code of ['B02', 'B03', 'B04', 'B05', 'B06']) expect(digest).toContain(`- ${code} `);
    expect(digest).not.toContain('B01');
    expect(digest).toContain('- B02 机关第二党支部：述职材料，已逾期 1 天');
    expect(robots.of('dingtalk')[1].body.markdown.title).toBe('逾期督办日报（2020年12月5日）');
    // The next day, the next digest.
    await s.tick(local('2020-12-06T09:05:00'));
    expect(robots.of('wecom')).toHaveLength(3);
    expect(text(robots.of('wecom')[2])).toContain('已逾期 2 天');
  });

  it('retries a refused delivery with backoff, then dead-letters it for the office to put back', async () => {
    const s = env.services;
    robots.received = [];
    robots.refuse = { robot: 'wecom', errcode: 45009, errmsg: 'api freq out of limit' };
    const t = '2020-12-07T01:30:00.000Z'; // 09:30 local
    expect(await s.tick(t)).toMatchObject({ mailsSent: 1, mailsFailed: 1 }); // 钉钉 delivered, 企业微信 refused
    let row = (await listMails(s.db)).find((m) => m.template === 'group:overdueDigest' && m.to_email.startsWith('wecom') && m.status !== 'sent')!;
    expect(row).toMatchObject({ status: 'queued', attempts: 1, next_attempt_at: plus(t, 60) });
    expect(row.last_error).toContain('errcode 45009');
    expect(await s.tick(plus(t, 30))).toMatchObject({ mailsFailed: 0 }); // backing off
    expect(await s.tick(plus(t, 60))).toMatchObject({ mailsFailed: 1 }); // attempt 2, next in 120 s
    expect(await s.tick(plus(t, 180))).toMatchObject({ mailsFailed: 1 }); // attempt 3: dead
    expect(await s.tick(plus(t, 3600))).toMatchObject({ mailsSent: 0, mailsFailed: 0 });
    row = (await listMails(s.db, { status: 'dead' })).find((m) => m.id === row.id)!;
    expect(row).toMatchObject({ status: 'dead', attempts: 3 });
    expect(robots.of('wecom')).toHaveLength(0);
    // The office sees it among the dead letters and puts it back once the robot answers again.
    const listed = await cli(cliEnv(env), 'mail', 'list', '--status', 'dead');
    expect(listed.out.mails.map((m: { id: number; template: string }) => [m.id, m.template])).toContainEqual([row.id, 'group:overdueDigest']);
    robots.refuse = null;
    expect((await cli(cliEnv(env), 'mail', 'retry', '--id', String(row.id), '--now', plus(t, 3700))).code).toBe(0);
    expect(await s.tick(plus(t, 3701))).toMatchObject({ mailsSent: 1 });
    expect(robots.of('wecom')).toHaveLength(1);
    expect(text(robots.of('wecom')[0])).toContain('（2020年12月7日）');
    expect(robots.of('dingtalk')).toHaveLength(1); // sent once: the retry went to the refusing robot only
  });

  it('announces the published results', async () => {
    const s = env.services;
    robots.received = [];
    // B02 and B03 are scored; the others (B01 among them, submitted already) exempted.
    await runToPublished(s, 2020, { B02: 91, B03: 85 }, 2020, { launched: true });
    await s.tick('2020-12-20T02:00:00Z');
    expect(robots.problems).toEqual([]);
    const results = robots.received.filter((m) => text(m).includes('结果已公布'));
    expect(results.map((m) => m.robot).sort()).toEqual(['dingtalk', 'wecom']);
    expect(text(results[0])).toContain('参评支部：**2** 个');
    expect(text(results[0])).toContain('等次：“较好”2 个'); // the 30 % cap on 好 demotes B02 (of 2 branches)
  });
});
