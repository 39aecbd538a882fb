// Driving a cycle of the reference configuration in any year through the engine: create, launch,
// bring branches to the meeting, to scoring, to publication and to follow-up (issue 10's tests).
import { actorByEmail } from '../../src/engine/actors';
import type { EventAnswer } from '../../src/engine/engine';
import type { Services } from '../../src/services';
import { exampleConfig, OFFICE, sheet } from './cycle';

export const PANEL = ['panel1@example.org', 'panel2@example.org', 'panel3@example.org', 'panel4@example.org', 'b06@example.org'];

/** The 2020 example moved to `year` (deadlines, meeting), with overrides. */
export function configOf(year: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const cfg = exampleConfig() as Record<string, any>;
  const shift = (iso: string) => `${Number(iso.slice(0, 4)) + year - 2020}${iso.slice(4)}`;
  return {
    ...cfg,
    year,
    title: `${year}年度基层党支部书记抓党建工作述职评议`,
    deadlines: Object.fromEntries(Object.entries(cfg.deadlines as Record<string, string>).map(([k, v]) => [k, shift(v)])),
    meeting: { ...cfg.meeting, at: shift(cfg.meeting.at) },
    ...overrides,
  };
}

export function yearDriver(s: Services, year: number) {
  const send = async (as: string, branch: string, type: string, data: unknown, now: string): Promise<EventAnswer> =>
    s.engine.sendBranchEvent({ cycle: year, branch, type, data, actor: await actorByEmail(s.db, as), now });
  const office = (branch: string, type: string, data: unknown, now: string) => send(OFFICE, branch, type, data, now);
  const secretary = (branch: string, type: string, data: unknown, now: string) => send(`${branch.toLowerCase()}@example.org`, branch, type, data, now);
  return {
    send,
    office,
    secretary,
    async create(now: string, overrides: Record<string, unknown> = {}) {
      return s.engine.createCycle(configOf(year, overrides), await actorByEmail(s.db, OFFICE), now);
    },
    async launch(now: string) {
      return s.engine.launchCycle(year, await actorByEmail(s.db, OFFICE), { now });
    },
    /** notified → awaitingReview */
    async toMeeting(code: string, now: string) {
      await secretary(code, 'ACKNOWLEDGE', undefined, now);
      await secretary(code, 'SUBMIT_MATERIALS', { summary: `${code} 述职报告` }, now);
      await office(code, 'ACCEPT_MATERIALS', undefined, now);
    },
    /** awaitingReview → scored, every expected evaluator scoring */
    async present(code: string, now: string, qa: { question: string; answer: string; askedBy: string }[] = []) {
      await office(code, 'START_PRESENTATION', undefined, now);
      for (const q of qa) await office(code, 'RECORD_QA', q, now);
      await office(code, 'END_PRESENTATION', undefined, now);
      for (const p of PANEL) if (p !== `${code.toLowerCase()}@example.org` && !(code === 'B06' && p === 'b06@example.org')) await send(p, code, 'SUBMIT_SCORE', { scores: sheet(90), comment: `${code} 的意见 ${p}` }, now);
    },
    async exempt(codes: string[], now: string) {
      for (const c of codes) await office(c, 'EXEMPT', { reason: '调整' }, now);
    },
    async publish(now: string) {
      return s.engine.publishResults(year, await actorByEmail(s.db, OFFICE), now);
    },
  };
}
