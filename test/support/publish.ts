// Drives branches of a cycle of the example configuration to published results, each scored by
// every expected evaluator with the same total (so the final score is that total). Branches not
// named in `totals` are exempted.
import { actorByEmail } from '../../src/engine/actors';
import type { Services } from '../../src/services';
import { OFFICE, sheet } from './cycle';

export const PANEL = ['panel1@example.org', 'panel2@example.org', 'panel3@example.org', 'panel4@example.org', 'b06@example.org'];

/** The example configuration moved to another year (deadlines and meeting shifted by whole years). */
export function configOfYear(base: Record<string, unknown>, year: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const shift = (iso: string) => iso.replace(/^(\d{4})/, (y) => String(Number(y) + year - 2020));
  const deadlines = Object.fromEntries(Object.entries(base.deadlines as Record<string, string>).map(([k, v]) => [k, shift(v)]));
  const meeting = { ...(base.meeting as Record<string, unknown>), at: shift((base.meeting as { at: string }).at) };
  return { ...base, year, title: `${year}年度基层党支部书记抓党建工作述职评议`, deadlines, meeting, ...overrides };
}

export async function runToPublished(s: Services, cycle: string | number, totals: Record<string, number>, year: number, opts: { launched?: boolean; beforePublish?: () => Promise<void>; qa?: boolean } = {}): Promise<void> {
  const at = (md: string) => `${year}-${md}`;
  const office = await actorByEmail(s.db, OFFICE);
  if (!opts.launched) await s.engine.launchCycle(cycle, office, { now: at('11-20T02:00:00Z') });
  const status = await s.engine.cycleStatus(cycle, office, at('11-20T02:00:00Z'));
  const send = async (as: string, branch: string, type: string, data: unknown, now: string) =>
    s.engine.sendBranchEvent({ cycle, branch, type, data, actor: await actorByEmail(s.db, as), now });
  for (const b of status.branches) {
    if (!(b.code in totals)) {
      await send(OFFICE, b.code, 'EXEMPT', { reason: '撤并' }, at('11-21T02:00:00Z'));
      continue;
    }
    const secretary = `${b.code.toLowerCase()}@example.org`;
    await send(secretary, b.code, 'ACKNOWLEDGE', undefined, at('11-22T02:00:00Z'));
    await send(secretary, b.code, 'SUBMIT_MATERIALS', { summary: `${b.code} 述职报告` }, at('11-22T02:00:00Z'));
    await send(OFFICE, b.code, 'ACCEPT_MATERIALS', undefined, at('11-23T02:00:00Z'));
    await send(OFFICE, b.code, 'START_PRESENTATION', undefined, at('12-12T02:00:00Z'));
    if (opts.qa) await send(PANEL[0], b.code, 'RECORD_QA', { question: `${b.code}如何推动党建与生产经营融合？`, answer: `${b.code}以党建项目推动重点工程`, askedBy: '考评组成员一' }, at('12-12T02:10:00Z'));
    await send(OFFICE, b.code, 'END_PRESENTATION', undefined, at('12-12T02:00:00Z'));
    for (const [i, e] of PANEL.entries()) {
      if (e === secretary) continue; // 回避
      await send(e, b.code, 'SUBMIT_SCORE', { scores: sheet(totals[b.code]), comment: `评语${i + 1}：${b.code}党建工作扎实` }, at('12-12T03:00:00Z'));
    }
  }
  await opts.beforePublish?.();
  await s.engine.publishResults(cycle, office, at('12-20T02:00:00Z'));
}
