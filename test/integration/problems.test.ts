// Problems followed to closure (issue 10): the problem list, plan items tied to problems, evidence
// required to verify, duplicate evidence flagged, items carried over into the next cycle, repeats.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorByEmail } from '../../src/engine/actors';
import { OFFICE } from '../support/cycle';
import { dialects, makeTestEnv, type TestEnv } from '../support/db';
import { call, setPasswords, signIn, startServer, TINY_PDF } from '../support/http';
import { yearDriver } from '../support/yearCycle';

const T20 = '2020-12-12T02:00:00Z';
const T21 = '2021-12-12T02:00:00Z';
const OTHER_PDF = Buffer.from(TINY_PDF.toString('latin1').replace('%%EOF', '% other\n%%EOF'), 'latin1');

describe.each(dialects)('problems, evidence, carry-over and repeats on %s', (dialect) => {
  let env: TestEnv;
  const e = () => env.services.engine;
  const actor = (email: string) => actorByEmail(env.services.db, email);
  const upload = async (code: string, year: number, name: string, bytes: Buffer) =>
    (await e().uploadFile({ cycle: year, branch: code, actor: await actor(`${code.toLowerCase()}@example.org`), file: { originalname: Buffer.from(name, 'utf8').toString('latin1'), buffer: bytes, size: bytes.length } }, T20)).file.id;

  beforeAll(async () => {
    env = await makeTestEnv(dialect);
    const d = yearDriver(env.services, 2020);
    const { bootstrapOffice } = await import('../support/cycle');
    await bootstrapOffice(env.services);
    await d.create('2020-11-19T02:00:00Z');
    await d.launch('2020-11-20T02:00:00Z');
    for (const code of ['B01', 'B02']) {
      await d.toMeeting(code, T20);
      await d.present(code, T20, [{ question: `${code} 三会一课为何不按时召开？`, answer: '人员分散，今后按月召开。', askedBy: '考评组成员一' }]);
    }
    await d.exempt(['B03', 'B04', 'B05', 'B06'], T20);
    await d.publish(T20);
  }, 120_000);
  afterAll(async () => env?.cleanup());

  it('lets the office raise problems from a Q&A line, a panel comment or by hand, with a category of the cycle', async () => {
    const office = await actor(OFFICE);
    const fromQa = await e().addProblem(2020, 'B01', { category: '三会一课', fromQa: 0 }, office, T20);
    expect(fromQa.problem).toMatchObject({ category: '三会一课', text: 'B01 三会一课为何不按时召开？', source: 'qa', repeatOf: [] });
    const comments = (await e().branchProblems(2020, 'B01', office)).comments;
    expect(comments.length).toBeGreaterThan(0);
    const fromComment = await e().addProblem(2020, 'B01', { category: '党建与业务融合（两张皮）', fromComment: 0 }, office, T20);
    expect(fromComment.problem).toMatchObject({ source: 'comment', text: comments[0].text });
    await e().addProblem(2020, 'B02', { category: '发展党员', text: '发展党员工作滞后' }, office, T20);
    await expect(e().addProblem(2020, 'B01', { category: '不存在的类别', text: 'x' }, office, T20)).rejects.toMatchObject({
      code: 'INVALID_INPUT', details: { issues: [{ field: 'category' }] },
    });
    await expect(e().addProblem(2020, 'B01', { category: '其他', text: 'x' }, await actor('b01@example.org'), T20)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const audit = await env.services.db('audit').where({ event_type: 'ADD_PROBLEM' }).count({ n: '*' }).first();
    expect(Number(audit!.n)).toBe(3);
  });

  it('ties every plan item to a problem and refuses a plan that leaves a problem without an item', async () => {
    const d = yearDriver(env.services, 2020);
    const { problems } = await e().branchProblems(2020, 'B01', await actor('b01@example.org'));
    expect(problems).toHaveLength(2);
    const item = (problemId: number | undefined, extra: Record<string, unknown> = {}) => ({ ...(problemId ? { problemId } : {}), measure: '按月召开', owner: '王明', dueDate: '2021-03-31', ...extra });
    await expect(d.secretary('B01', 'SUBMIT_PLAN', { items: [item(problems[0].id)] }, T20)).rejects.toMatchObject({
      code: 'INVALID_INPUT', details: { issues: [expect.objectContaining({ field: 'data.items', message: expect.stringContaining(problems[1].text) })] },
    });
    await expect(d.secretary('B01', 'SUBMIT_PLAN', { items: [item(999_999)] }, T20)).rejects.toMatchObject({ details: { issues: [{ field: 'data.items.0.problemId' }] } });
    await d.secretary('B01', 'SUBMIT_PLAN', { items: [item(problems[0].id), item(problems[1].id), item(undefined, { problem: '自查：台账不全' }), item(problems[0].id, { measure: '建立提醒' })] }, T20);
    const view = await e().branchView(2020, 'B01', await actor(OFFICE), T20);
    expect(view.branch.planItems.map((i) => [i.id, i.problemId !== undefined])).toEqual([['I1', true], ['I2', true], ['I3', true], ['I4', true]]);
    expect(view.branch.planItems[0].problem).toBe(problems[0].text);
    const after = await e().branchProblems(2020, 'B01', await actor(OFFICE));
    expect(after.problems.map((p) => [p.source, p.itemIds])).toEqual([['qa', ['I1', 'I4']], ['comment', ['I2']], ['plan', ['I3']]]);
    // No problem changes once the plan is in.
    await expect(e().addProblem(2020, 'B01', { category: '其他', text: '迟到的问题' }, await actor(OFFICE), T20)).rejects.toMatchObject({ code: 'EVENT_NOT_ALLOWED' });
    await d.office('B01', 'APPROVE_PLAN', undefined, T20);
    const { problems: p2 } = await e().branchProblems(2020, 'B02', await actor(OFFICE));
    await d.secretary('B02', 'SUBMIT_PLAN', { items: [item(p2[0].id)] }, T20);
    await d.office('B02', 'APPROVE_PLAN', undefined, T20);
  });

  it('cannot verify an item without evidence: a file, or a note the office accepts', async () => {
    const d = yearDriver(env.services, 2020);
    await d.secretary('B01', 'REPORT_PROGRESS', { itemId: 'I1', note: '已按月召开支委会' }, T20);
    const before = (await e().branchView(2020, 'B01', await actor(OFFICE), T20)).branch.version;
    await expect(d.office('B01', 'VERIFY_ITEM', { itemId: 'I1' }, T20)).rejects.toMatchObject({
      code: 'INVALID_INPUT', details: { issues: [expect.objectContaining({ field: 'data.itemId', message: expect.stringContaining('佐证') })] },
    });
    expect((await e().branchView(2020, 'B01', await actor(OFFICE), T20)).branch.version).toBe(before);
    await d.office('B01', 'VERIFY_ITEM', { itemId: 'I1', acceptNote: true }, T20);
    const file = await upload('B01', 2020, '会议记录.pdf', TINY_PDF);
    await d.secretary('B01', 'REPORT_PROGRESS', { itemId: 'I2', note: '专题研讨', fileIds: [file] }, T20);
    await d.office('B01', 'VERIFY_ITEM', { itemId: 'I2' }, T20);
    const items = (await e().branchView(2020, 'B01', await actor(OFFICE), T20)).branch.planItems;
    expect(items.slice(0, 2).map((i) => [i.status, i.verifiedWith])).toEqual([['verified', 'note'], ['verified', 'file']]);
    // Someone else's file is no evidence of this branch's.
    const foreign = await upload('B02', 2020, '别人的.pdf', OTHER_PDF);
    await expect(d.secretary('B01', 'REPORT_PROGRESS', { itemId: 'I3', note: '借用', fileIds: [foreign] }, T20)).rejects.toMatchObject({ details: { issues: [{ field: 'data.fileIds' }] } });
  });

  it('flags the same evidence file (by SHA-256) used for two branches or two items, to the office only', async () => {
    const d = yearDriver(env.services, 2020);
    const again = await upload('B02', 2020, '同一份记录.pdf', TINY_PDF);
    await d.secretary('B02', 'REPORT_PROGRESS', { itemId: 'I1', note: '同样的材料', fileIds: [again] }, T20);
    const { duplicates } = await e().duplicateEvidence(2020, await actor(OFFICE));
    expect(duplicates).toHaveLength(1);
    expect(duplicates[0].uses.map((u) => `${u.code}/${u.itemId}`).sort()).toEqual(['B01/I2', 'B02/I1']);
    const b02 = await e().branchProblems(2020, 'B02', await actor(OFFICE));
    expect(b02.duplicates).toEqual([expect.objectContaining({ itemId: 'I1', others: [expect.objectContaining({ code: 'B01', itemId: 'I2', year: 2020 })] })]);
    expect((await e().branchProblems(2020, 'B02', await actor('b02@example.org'))).duplicates).toEqual([]);
    await expect(e().duplicateEvidence(2020, await actor('b02@example.org'))).rejects.toMatchObject({ code: 'FORBIDDEN' });
    // Two items of one branch with one file is flagged too.
    const file = await upload('B01', 2020, '台账.pdf', OTHER_PDF);
    await d.secretary('B01', 'REPORT_PROGRESS', { itemId: 'I3', note: '台账', fileIds: [file] }, T20);
    await d.secretary('B01', 'REPORT_PROGRESS', { itemId: 'I4', note: '台账', fileIds: [file] }, T20);
    const b01 = await e().branchProblems(2020, 'B01', await actor(OFFICE));
    expect(b01.duplicates.map((x) => x.itemId).sort()).toEqual(['I2', 'I3', 'I4']);
  });

  it('carries unverified items into the next cycle, open there until verified; a repeated category is flagged', async () => {
    const d = yearDriver(env.services, 2021);
    await expect(yearDriver(env.services, 2022).create('2021-11-19T02:00:00Z', { carryOverFrom: 2019 })).rejects.toMatchObject({
      code: 'INVALID_INPUT', details: { issues: [{ field: 'carryOverFrom' }] },
    });
    await d.create('2021-11-19T02:00:00Z', { carryOverFrom: 2020 });
    await d.launch('2021-11-20T02:00:00Z');
    const office = await actor(OFFICE);
    let v = await e().branchView(2021, 'B01', office, T21);
    expect(v.branch.planItems.map((i) => [i.id, i.carriedOverFrom, i.status])).toEqual([['2020-I3', 2020, 'open'], ['2020-I4', 2020, 'open']]);
    expect((await e().branchView(2021, 'B02', office, T21)).branch.planItems.map((i) => i.id)).toEqual(['2020-I1']);
    expect((await e().branchView(2021, 'B03', office, T21)).branch.planItems).toEqual([]);

    await d.toMeeting('B01', T21);
    await d.present('B01', T21, [{ question: '支委会还是不按时召开？', answer: '已整改。', askedBy: '考评组成员二' }]);
    await d.exempt(['B02', 'B03', 'B04', 'B05', 'B06'], T21);
    const raised = await e().addProblem(2021, 'B01', { category: '三会一课', fromQa: 0 }, office, T21);
    expect(raised.problem.repeatOf).toEqual([2020]);
    const other = await e().addProblem(2021, 'B01', { category: '作风建设', text: '作风不实' }, office, T21);
    expect(other.problem.repeatOf).toEqual([]);
    const list = await e().branchProblems(2021, 'B01', await actor('b01@example.org'));
    expect(list.repeat).toBe(true);
    expect(list.carriedOver.map((c) => c.id)).toEqual(['2020-I3', '2020-I4']);
    expect(await e().repeatFlags(2021, office)).toEqual({ B01: [{ category: '三会一课', years: [2020] }] });

    await d.publish(T21);
    const item = (problemId: number) => ({ problemId, measure: '落实', owner: '王明', dueDate: '2022-03-31' });
    await d.secretary('B01', 'SUBMIT_PLAN', { items: [item(raised.problem.id), item(other.problem.id)] }, T21);
    v = await e().branchView(2021, 'B01', office, T21);
    expect(v.branch.planItems.map((i) => i.id)).toEqual(['2020-I3', '2020-I4', 'I1', 'I2']);
    await d.office('B01', 'APPROVE_PLAN', undefined, T21);
    const file = async (n: number) => {
      const bytes = Buffer.from(TINY_PDF.toString('latin1').replace('%%EOF', `% ${n}\n%%EOF`), 'latin1');
      return (await e().uploadFile({ cycle: 2021, branch: 'B01', actor: await actor('b01@example.org'), file: { originalname: `${n}.pdf`, buffer: bytes, size: bytes.length } }, T21)).file.id;
    };
    for (const [n, id] of ['2020-I3', '2020-I4', 'I1', 'I2'].entries()) {
      await d.secretary('B01', 'REPORT_PROGRESS', { itemId: id, note: '完成', fileIds: [await file(n + 10)] }, T21);
      const answer = await d.office('B01', 'VERIFY_ITEM', { itemId: id }, T21);
      expect(answer.phase).toBe(n === 3 ? 'closed' : 'followUp');
    }
    v = await e().branchView(2021, 'B01', office, T21);
    expect(v.branch.planItems.every((i) => i.status === 'verified')).toBe(true);
  });

  it('shows the problem list with its repeat flag on the branch page, repeats on the board, and evidence used twice to the office', async () => {
    await setPasswords(env.services);
    const http = await startServer(env.services);
    try {
      const office = await signIn(http.base, OFFICE);
      const page = await call(http.base, 'GET', '/cycles/2021/branches/B01', { session: office });
      expect(page.status).toBe(200);
      expect(page.text).toContain('data-testid="repeat-flag"');
      expect(page.text).toContain('支委会还是不按时召开？');
      expect(page.text).toContain('登记问题 · 党委办公室'); // the history names the change in words, not by its code
      const board = await call(http.base, 'GET', '/cycles/2021', { session: office });
      expect(board.text).toContain('data-testid="repeat-B01"');
      expect(board.text).not.toContain('data-testid="repeat-B02"');
      const board20 = await call(http.base, 'GET', '/cycles/2020', { session: office });
      expect(board20.text).toContain('data-testid="duplicate-evidence"');
      const secretary = await call(http.base, 'GET', '/cycles/2020/branches/B02', { session: await signIn(http.base, 'b02@example.org') });
      expect(secretary.status).toBe(200);
      expect(secretary.text).toContain('发展党员工作滞后');
      expect(secretary.text).not.toContain('data-testid="duplicate-evidence"');
    } finally {
      await http.close();
    }
  });
});
