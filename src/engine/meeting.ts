// The meeting day (述、问、答、评): one meeting record per cycle — the agenda's order, the current
// branch and segment, the timer's instants (started, paused: time is derived, never ticked by the
// server), the chair's closing remarks (总结讲话). Every command is a use case: authorised by the
// policy, written optimistically with version + 1 and audited in its transaction. A branch's own
// steps (START_PRESENTATION, RECORD_QA, END_PRESENTATION) stay branch events of its statechart.
import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { z } from 'zod';
import { isFinalPhase, type BranchReviewContext, type Label, type Locale } from '../../workflows/index';
import { branchCodeSchema, safeText } from '../domain/schemas';
import { AppError, fromZod, invalidInput } from '../errors';
import { cycleFingerprint, listBranchReviews } from '../store/branchReviews';
import { cyclePeople, rosterOf, type CycleRow } from '../store/cycles';
import type { Tx } from '../store/db';
import { countDisplays, ensureMeeting, findDisplay, findMeeting, insertDisplay, meetingVersion, revokeDisplays, saveMeeting } from '../store/meeting';
import type { Actor } from './actors';
import { recordAudit } from './audit';
import { sendBranchEvent } from './branchEvents';
import { contextOf, requireCycle } from './lookup';
import { authorize } from './policy';
import { parseConfig, type EngineDeps } from './transitions';

export const SEGMENTS = ['report', 'questions', 'answers'] as const;
export type Segment = (typeof SEGMENTS)[number];
/** 述、问、答: the segments of a branch's turn at the meeting. */
export const SEGMENT_LABELS: Record<Segment, Label> = {
  report: { 'zh-CN': '述（述职汇报）', en: 'Report' },
  questions: { 'zh-CN': '问（考评组提问）', en: 'Questions' },
  answers: { 'zh-CN': '答（书记回答）', en: 'Answers' },
};
/** When the cycle names no `meeting.segmentMinutes` (the 2020 meeting: 8, 4 and 4 minutes). */
export const DEFAULT_SEGMENT_MINUTES: Record<Segment, number> = { report: 8, questions: 4, answers: 4 };

export interface MeetingState {
  /** agenda order by branch code; null: the roster's order */
  order: string[] | null;
  /** agenda grouped by segment (板块), in the order each segment first appears */
  grouped: boolean;
  current: string | null;
  segment: Segment;
  /** when the timer was started (null: paused or not started) */
  runningSince: string | null;
  /** time run in this segment before runningSince */
  elapsedMs: number;
  done: string[];
  remarks: { text: string; by: string; at: string } | null;
}

const EMPTY: MeetingState = { order: null, grouped: false, current: null, segment: 'report', runningSince: null, elapsedMs: 0, done: [], remarks: null };

export const meetingCommandSchema = z.discriminatedUnion('command', [
  z.object({ command: z.literal('order'), codes: z.array(branchCodeSchema).min(1).max(10_000) }).strict(),
  z.object({ command: z.literal('group'), bySegment: z.boolean() }).strict(),
  z.object({ command: z.literal('select'), code: branchCodeSchema }).strict(),
  z.object({ command: z.literal('start') }).strict(),
  z.object({ command: z.literal('pause') }).strict(),
  z.object({ command: z.literal('next') }).strict(),
  z.object({ command: z.literal('remarks'), text: safeText(20_000) }).strict(),
]);
export type MeetingCommand = z.infer<typeof meetingCommandSchema>;

// ── change notices: displays and runners in this process follow at once; others poll the version ──
const changes = new EventEmitter();
changes.setMaxListeners(0);
export function onMeetingChange(listener: (cycleId: number) => void): () => void {
  changes.on('change', listener);
  return () => changes.off('change', listener);
}
/** Called after a commit that changes what a runner or display shows (a meeting command, a branch event from the runner). */
export const meetingChanged = (cycleId: number) => changes.emit('change', cycleId);

const parseState = (data: string | undefined): MeetingState => ({ ...EMPTY, ...(data ? (JSON.parse(data) as Partial<MeetingState>) : {}) });

export function segmentMinutes(cycle: CycleRow): Record<Segment, number> {
  const configured = parseConfig(cycle).meeting.segmentMinutes ?? {};
  return Object.fromEntries(SEGMENTS.map((s) => [s, configured[s] ?? DEFAULT_SEGMENT_MINUTES[s]])) as Record<Segment, number>;
}

/** Time run in the current segment at `now`, from the stored instants. */
export const elapsedAt = (s: MeetingState, now: string): number => s.elapsedMs + (s.runningSince ? Math.max(0, Date.parse(now) - Date.parse(s.runningSince)) : 0);

interface AgendaEntry { code: string; name: string; secretary: string; segment: string | null; position: number }

/** The agenda: the roster in the meeting's order (codes it does not name keep roster order at the end), grouped by segment if asked. */
export function arrangeAgenda(roster: AgendaEntry[], s: Pick<MeetingState, 'order' | 'grouped'>): AgendaEntry[] {
  const rank = new Map((s.order ?? []).map((c, i) => [c, i]));
  const ordered = [...roster].sort((a, b) => (rank.get(a.code) ?? 1e9 + a.position) - (rank.get(b.code) ?? 1e9 + b.position));
  if (!s.grouped) return ordered;
  const groups: string[] = [];
  for (const e of ordered) if (!groups.includes(e.segment ?? '')) groups.push(e.segment ?? '');
  // Branches without a segment come last.
  const key = (seg: string | null) => (seg ? groups.indexOf(seg) : groups.length);
  return ordered.map((e, i) => ({ e, i })).sort((a, b) => key(a.e.segment) - key(b.e.segment) || a.i - b.i).map((x) => x.e);
}

async function agendaOf(db: Tx, cycle: CycleRow, s: MeetingState): Promise<AgendaEntry[]> {
  const roster = await rosterOf(db, cycle.id);
  return arrangeAgenda(roster.map((r) => ({ code: r.code, name: r.name, secretary: r.secretary_name, segment: r.segment, position: r.position })), s);
}

/** The next branch of the agenda after `from` that has not had its turn and is not finished. */
function nextUp(agenda: AgendaEntry[], s: MeetingState, phases: Map<string, string>, from: string | null): string | null {
  const start = from === null ? 0 : agenda.findIndex((a) => a.code === from) + 1;
  const candidates = [...agenda.slice(start), ...agenda.slice(0, start)];
  return candidates.find((a) => a.code !== from && !s.done.includes(a.code) && !isFinalPhase(phases.get(a.code) ?? ''))?.code ?? null;
}

/** One command of the runner: authorised, applied to the stored state, written with version + 1 and audited. */
export async function meetingCommand(
  deps: EngineDeps,
  req: { cycle: string | number; input: unknown; actor: Actor; expectedVersion?: number },
  now: string,
): Promise<{ version: number; state: MeetingState }> {
  authorize(req.actor, 'RUN_MEETING');
  const parsed = meetingCommandSchema.safeParse(req.input);
  if (!parsed.success) throw fromZod(parsed.error);
  const cmd = parsed.data;
  const cycle = await requireCycle(deps.db, req.cycle);
  if (cycle.state !== 'launched') throw new AppError('EVENT_NOT_ALLOWED', '周期未在进行中，不能主持会议 (the cycle is not running)', { state: cycle.state, allowedEvents: [] });
  // 开始述职: starting a branch's report starts its live review (a branch event of its own, audited there).
  if (cmd.command === 'start') {
    const current = parseState((await findMeeting(deps.db, cycle.id))?.data);
    const code = current.current ?? nextUp(await agendaOf(deps.db, cycle, current), current, await phasesOf(deps.db, cycle), null);
    const branch = code ? (await listBranchReviews(deps.db, cycle.id)).find((b) => b.code === code) : undefined;
    if (branch?.phase === 'awaitingReview' && current.segment === 'report') {
      await sendBranchEvent(deps, { cycle: cycle.id, branch: branch.code, type: 'START_PRESENTATION', actor: req.actor }, now);
    }
  }
  const result = await deps.db.transaction(async (trx) => {
    await ensureMeeting(trx, cycle.id, JSON.stringify(EMPTY), now);
    const row = (await findMeeting(trx, cycle.id, true))!;
    if (req.expectedVersion !== undefined && req.expectedVersion !== row.version) {
      throw new AppError('VERSION_CONFLICT', `会议状态已变化：期望 ${req.expectedVersion}，当前 ${row.version} (stale meeting)`, { currentVersion: row.version });
    }
    const s = parseState(row.data);
    const agenda = await agendaOf(trx, cycle, s);
    const codes = new Set(agenda.map((a) => a.code));
    const phases = await phasesOf(trx, cycle);
    const next: MeetingState = { ...s, done: [...s.done] };
    switch (cmd.command) {
      case 'order': {
        const unknown = cmd.codes.filter((c) => !codes.has(c));
        if (unknown.length) throw invalidInput([{ field: 'codes', message: `本周期没有支部 ${unknown.join('、')}` }]);
        if (new Set(cmd.codes).size !== cmd.codes.length) throw invalidInput([{ field: 'codes', message: '议程中有重复的支部' }]);
        next.order = cmd.codes;
        break;
      }
      case 'group':
        next.grouped = cmd.bySegment;
        break;
      case 'select':
        if (!codes.has(cmd.code)) throw invalidInput([{ field: 'code', message: `本周期没有支部 ${cmd.code}` }]);
        Object.assign(next, { current: cmd.code, segment: 'report', runningSince: null, elapsedMs: 0 });
        break;
      case 'start':
        if (!next.current) next.current = nextUp(agenda, s, phases, null);
        if (!next.current) throw new AppError('EVENT_NOT_ALLOWED', '议程中已没有待述职的支部 (nothing left on the agenda)', { allowedEvents: [] });
        if (!next.runningSince) next.runningSince = now;
        break;
      case 'pause':
        next.elapsedMs = elapsedAt(s, now);
        next.runningSince = null;
        break;
      case 'next': {
        if (!s.current) {
          Object.assign(next, { current: nextUp(agenda, s, phases, null), segment: 'report', runningSince: null, elapsedMs: 0 });
          break;
        }
        const i = SEGMENTS.indexOf(s.segment);
        if (i < SEGMENTS.length - 1) {
          // The next segment runs on if the timer was running.
          Object.assign(next, { segment: SEGMENTS[i + 1], elapsedMs: 0, runningSince: s.runningSince ? now : null });
        } else {
          if (!next.done.includes(s.current)) next.done.push(s.current);
          Object.assign(next, { current: nextUp(agenda, next, phases, s.current), segment: 'report', runningSince: null, elapsedMs: 0 });
        }
        break;
      }
      case 'remarks':
        next.remarks = { text: cmd.text, by: req.actor.name, at: now };
        break;
    }
    if (!(await saveMeeting(trx, cycle.id, row.version, JSON.stringify(next), now))) {
      throw new AppError('VERSION_CONFLICT', '会议状态已被他人修改，请重试 (concurrent update of the meeting)');
    }
    const { command, ...data } = cmd;
    await recordAudit(trx, {
      actor: req.actor, as: 'office', action: `MEETING_${command.toUpperCase()}`, cycleId: cycle.id, subject: `meeting:${cycle.id}`,
      data: { ...data, current: next.current, segment: next.segment }, version: row.version + 1, at: now,
    });
    return { version: row.version + 1, state: next };
  });
  meetingChanged(cycle.id);
  return result;
}

async function phasesOf(db: Tx, cycle: CycleRow): Promise<Map<string, string>> {
  return new Map((await listBranchReviews(db, cycle.id)).map((b) => [b.code, b.phase]));
}

/**
 * The runner's view (office only): the agenda with each branch's phase and quorum (who has scored,
 * by name and count — never what), the current branch with its Q&A, the panel to name who asked,
 * the timer's instants and the chair's remarks.
 */
export async function meetingView(db: Tx, ref: string | number, actor: Actor, now: string) {
  authorize(actor, 'RUN_MEETING');
  const cycle = await requireCycle(db, ref);
  const row = await findMeeting(db, cycle.id);
  const s = parseState(row?.data);
  const config = parseConfig(cycle);
  const agenda = await agendaOf(db, cycle, s);
  const reviews = new Map((await listBranchReviews(db, cycle.id)).map((b) => [b.code, b]));
  const panel = await cyclePeople(db, cycle.id, 'evaluator');
  const names = new Map(panel.map((p) => [String(p.user_id), p.name]));
  const items = agenda.map((a) => {
    const b = reviews.get(a.code);
    const ctx: BranchReviewContext | null = b ? contextOf(b) : null;
    const scored = ctx ? ctx.expectedEvaluators.filter((id) => id in ctx.scores) : [];
    return {
      ...a,
      phase: b?.phase ?? null,
      state: b?.state ?? null,
      version: b?.version ?? null,
      done: s.done.includes(a.code),
      current: s.current === a.code,
      // 评分保密: who has scored and how many, never the scores.
      quorum: ctx ? { scored: scored.length, expected: ctx.expectedEvaluators.length, names: scored.map((id) => names.get(id) ?? id) } : null,
      qa: ctx ? ctx.qa.map((q) => ({ question: q.question, answer: q.answer, askedBy: q.askedBy })) : [],
    };
  });
  const hostUser = config.meeting.host ? (await cyclePeople(db, cycle.id)).find((p) => p.email === config.meeting.host!.toLowerCase()) : undefined;
  return {
    cycle: { id: cycle.id, year: cycle.year, title: cycle.title, state: cycle.state },
    meeting: { at: config.meeting.at, place: config.meeting.place, host: hostUser?.name ?? config.meeting.host ?? null },
    segmentMinutes: segmentMinutes(cycle),
    segments: SEGMENTS,
    version: row?.version ?? 0,
    state: s,
    serverNow: now,
    agenda: items,
    current: items.find((i) => i.current) ?? null,
    next: nextItem(items, s, reviews),
    panel: panel.map((p) => ({ id: String(p.user_id), name: p.name })),
    displays: await countDisplays(db, cycle.id),
  };
}

function nextItem<T extends { code: string; name: string; secretary: string }>(items: T[], s: MeetingState, reviews: Map<string, { phase: string }>): T | null {
  const phases = new Map([...reviews].map(([c, b]) => [c, b.phase]));
  const code = nextUp(items.map((i, position) => ({ code: i.code, name: i.name, secretary: i.secretary, segment: null, position })), s, phases, s.current);
  return items.find((i) => i.code === code) ?? null;
}

/** Changes whenever the runner's view may have changed: the meeting or any branch of the cycle. */
export async function meetingFingerprint(db: Tx, ref: string | number, actor: Actor): Promise<string> {
  authorize(actor, 'RUN_MEETING');
  const cycle = await requireCycle(db, ref);
  return `${await meetingVersion(db, cycle.id)}:${await cycleFingerprint(db, cycle.id)}`;
}

// ── the hall display (大屏) ──────────────────────────────────────────────────────

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** A display link for the projector: a random token, stored hashed, shown once; audited. */
export async function issueDisplay(deps: EngineDeps, ref: string | number, actor: Actor, baseUrl: string, now: string): Promise<{ url: string; token: string }> {
  authorize(actor, 'RUN_MEETING');
  const token = randomBytes(24).toString('base64url');
  await deps.db.transaction(async (trx) => {
    const cycle = await requireCycle(trx, ref);
    await insertDisplay(trx, { cycle_id: cycle.id, token_hash: sha256(token), created_by: actor.id, created_at: now });
    await recordAudit(trx, { actor, as: 'office', action: 'ISSUE_DISPLAY_LINK', cycleId: cycle.id, subject: `meeting:${cycle.id}`, at: now });
  });
  return { url: `${baseUrl.replace(/\/$/, '')}/hall/${token}`, token };
}

/** Revokes every display link of the cycle; audited. */
export async function revokeDisplayLinks(deps: EngineDeps, ref: string | number, actor: Actor, now: string): Promise<{ revoked: number }> {
  authorize(actor, 'RUN_MEETING');
  const revoked = await deps.db.transaction(async (trx) => {
    const cycle = await requireCycle(trx, ref);
    const n = await revokeDisplays(trx, cycle.id, now);
    await recordAudit(trx, { actor, as: 'office', action: 'REVOKE_DISPLAY_LINKS', cycleId: cycle.id, subject: `meeting:${cycle.id}`, data: { revoked: n }, at: now });
    return n;
  });
  return { revoked };
}

async function displayCycle(db: Tx, token: string): Promise<CycleRow> {
  const display = await findDisplay(db, sha256(token));
  if (!display) throw new AppError('NOT_FOUND', '大屏链接不存在或已撤销 (display link unknown or revoked)');
  return requireCycle(db, display.cycle_id);
}

/**
 * What the hall's screen shows, by its display link: the current branch and speaker, the segment,
 * the timer's instants, who is next. Nothing confidential: no scores, no quorum, no Q&A.
 */
export async function hallView(db: Tx, token: string, now: string, locale: Locale = 'zh-CN') {
  const cycle = await displayCycle(db, token);
  const row = await findMeeting(db, cycle.id);
  const s = parseState(row?.data);
  const agenda = await agendaOf(db, cycle, s);
  const phases = await phasesOf(db, cycle);
  const minutes = segmentMinutes(cycle);
  const current = agenda.find((a) => a.code === s.current) ?? null;
  const nextCode = nextUp(agenda, s, phases, s.current);
  const next = agenda.find((a) => a.code === nextCode) ?? null;
  return {
    title: cycle.title,
    place: parseConfig(cycle).meeting.place,
    version: row?.version ?? 0,
    serverNow: now,
    current: current
      ? {
          name: current.name,
          speaker: current.secretary,
          segment: s.segment,
          segmentLabel: SEGMENT_LABELS[s.segment][locale],
          limitMs: minutes[s.segment] * 60_000,
          elapsedMs: s.elapsedMs,
          runningSince: s.runningSince,
          position: agenda.indexOf(current) + 1,
          of: agenda.length,
        }
      : null,
    next: next ? { name: next.name, speaker: next.secretary } : null,
  };
}

export async function hallFingerprint(db: Tx, token: string): Promise<string> {
  const cycle = await displayCycle(db, token);
  return `${cycle.id}:${await meetingVersion(db, cycle.id)}`;
}

/** The meeting's stored state and its agenda in order, for the minutes. */
export async function meetingRecord(db: Tx, cycle: CycleRow): Promise<{ state: MeetingState; agenda: AgendaEntry[] }> {
  const state = parseState((await findMeeting(db, cycle.id))?.data);
  return { state, agenda: await agendaOf(db, cycle, state) };
}
