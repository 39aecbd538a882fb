// Turns what a transition declares (notify actions, deadlines) into outbox mails and timer rows.
// Runs inside the engine's transaction; reads people, writes nothing itself.
import { randomUUID } from 'node:crypto';
import * as ics from 'ics';
import { DateTime } from 'luxon';
import type { Audience, BranchReviewContext, DeadlineKind, DeadlineStep, NotifyParams } from '../../workflows/branchReview';
import { responsibleFor } from '../../workflows/phases';
import { daysLeft, formatLocal, reminderSchedule } from '../domain/deadlines';
import type { CycleRules } from '../domain/schemas';
import { renderMail, type Locale, type MailVars, type TemplateName } from '../mail/templates';
import type { BranchReviewRow } from '../store/branchReviews';
import type { CycleRow } from '../store/cycles';
import { cyclePeople } from '../store/cycles';
import type { Tx } from '../store/db';
import type { MailRow } from '../store/outbox';
import type { TimerRow } from '../store/timers';
import { usersByIds, type UserRow } from '../store/users';

export interface MailSettings { baseUrl: string; mailFrom: string }

export interface Recipient { id: number; email: string; name: string; locale: string; role: MailVars['recipientRole'] }

export interface NotifyContext {
  cycle: CycleRow;
  config: CycleRules;
  branch?: BranchReviewRow;
  context?: BranchReviewContext;
  /** Data of the event that caused the mail (reason, step, item…). */
  event?: { type: string; data?: Record<string, unknown> };
  /** The snapshot version the transition produced: with the template and recipient it names the reason a mail exists. */
  version: number;
  now: string;
  /** Names the reason when it is not a transition (e.g. a notice re-sent by the office). */
  reasonKey?: string;
  /** Shared across one transaction so a launch does not re-read the same people per branch. */
  people?: Map<string, Recipient[]>;
  /** Users the caller already holds (a launch has just linked every secretary). */
  users?: Map<number, UserRow>;
}

const toRecipient = (u: Pick<UserRow, 'id' | 'email' | 'name' | 'locale'>, role: Recipient['role']): Recipient => ({
  id: u.id,
  email: u.email,
  name: u.name,
  locale: u.locale,
  role,
});

async function cycleRole(db: Tx, nc: NotifyContext, role: 'office' | 'leader' | 'evaluator'): Promise<Recipient[]> {
  const key = `${nc.cycle.id}:${role}`;
  const cached = nc.people?.get(key);
  if (cached) return cached;
  const rows = await cyclePeople(db, nc.cycle.id, role);
  const list = rows.map((p) => toRecipient({ id: p.user_id, email: p.email, name: p.name, locale: p.locale }, role));
  nc.people?.set(key, list);
  return list;
}

async function resolve(db: Tx, nc: NotifyContext, audience: Audience): Promise<Recipient[]> {
  switch (audience) {
    case 'secretary': {
      const ids = [nc.branch!.secretary_id, nc.branch!.deputy_id].filter((x): x is number => x !== null);
      const known = ids.map((id) => nc.users?.get(id));
      const users = known.every(Boolean) ? (known as UserRow[]) : await usersByIds(db, ids);
      return users.map((u) => toRecipient(u, 'secretary'));
    }
    case 'office':
      return cycleRole(db, nc, 'office');
    case 'leaders':
      return cycleRole(db, nc, 'leader');
    case 'evaluators':
    case 'pendingEvaluators': {
      const ctx = nc.context!;
      const wanted = ctx.expectedEvaluators.filter((id) => audience === 'evaluators' || !(id in ctx.scores));
      const panel = await cycleRole(db, nc, 'evaluator');
      return panel.filter((p) => wanted.includes(String(p.id)));
    }
  }
}

function linkFor(nc: NotifyContext, baseUrl: string, r: Recipient): string {
  const cyclePath = `${baseUrl}/cycles/${nc.cycle.id}`;
  if (!nc.branch) return r.role === 'leader' ? `${baseUrl}/dashboard` : cyclePath;
  if (r.role === 'leader') return `${baseUrl}/dashboard`;
  const branchPath = `${cyclePath}/branches/${encodeURIComponent(nc.branch.code)}`;
  return r.role === 'evaluator' ? `${branchPath}/score` : branchPath;
}

function varsFor(nc: NotifyContext, params: NotifyParams, r: Recipient, settings: MailSettings, responsible: string): MailVars {
  const tz = nc.config.timezone;
  const locale = r.locale === 'en' ? 'en' : 'zh-CN';
  const data = nc.event?.data ?? {};
  const deadlineAt = params.deadline ? (nc.context?.deadlines[params.deadline] ?? nc.config.deadlines[params.deadline]) : undefined;
  const result = nc.context?.result;
  const itemId = typeof data.itemId === 'string' ? data.itemId : undefined;
  const item = itemId ? nc.context?.planItems.find((i) => i.id === itemId) : undefined;
  return {
    recipientName: r.name,
    recipientRole: r.role,
    cycleTitle: nc.config.title,
    branchCode: nc.branch?.code,
    branchName: nc.branch?.name,
    deadline:
      params.deadline && deadlineAt
        ? { kind: params.deadline, at: formatLocal(deadlineAt, tz, locale), daysLeft: daysLeft(deadlineAt, tz, nc.now) }
        : undefined,
    step: typeof data.step === 'string' ? (data.step as DeadlineStep) : undefined,
    reason: typeof data.reason === 'string' ? data.reason : undefined,
    link: linkFor(nc, settings.baseUrl, r),
    // A quarterly assessment has no meeting.
    meeting: nc.config.meeting ? { at: formatLocal(nc.config.meeting.at, tz, locale), place: nc.config.meeting.place } : undefined,
    topics: nc.config.topics,
    result: result ? { final: result.final, grade: result.grade, rank: result.rank, of: result.of } : undefined,
    item: item ? { id: item.id, problem: item.problem } : undefined,
    responsible: responsible || undefined,
  };
}

const invites = new Map<string, { filename: string; content: string; contentType: string }>();

/** The meeting invitation (.ics) attached to the notice; the same for every branch of a cycle, so made once. */
export function meetingInvite(cycle: CycleRow, config: CycleRules): { filename: string; content: string; contentType: string } {
  const key = JSON.stringify([cycle.id, config.title, config.meeting, config.topics, config.branchCount]);
  const cached = invites.get(key);
  if (cached) return cached;
  const start = DateTime.fromISO(config.meeting.at).toUTC();
  const minutes = Object.values(config.meeting.segmentMinutes ?? {}).reduce((a, b) => a + b, 0) * Math.max(config.branchCount, 1);
  const { error, value } = ics.createEvent({
    uid: `cycle-${cycle.id}-meeting@shuping`,
    title: config.title,
    description: config.topics.join('\n'),
    location: config.meeting.place,
    start: [start.year, start.month, start.day, start.hour, start.minute],
    startInputType: 'utc',
    startOutputType: 'utc',
    duration: { minutes: Math.max(minutes, 60) },
    method: 'REQUEST',
  });
  if (error || !value) throw error ?? new Error('ics: no value');
  const invite = { filename: 'meeting.ics', content: value, contentType: 'text/calendar; charset=utf-8; method=REQUEST' };
  if (invites.size > 100) invites.clear();
  invites.set(key, invite);
  return invite;
}

function messageId(mailFrom: string): string {
  const domain = /@([^>\s]+)/.exec(mailFrom)?.[1] ?? 'shuping.local';
  return `<${randomUUID()}@${domain}>`;
}

/** Outbox rows for the notify actions of one transition, one mail per recipient in their language. */
export async function mailsFor(db: Tx, nc: NotifyContext, actions: NotifyParams[], settings: MailSettings): Promise<MailRow[]> {
  const rows: MailRow[] = [];
  const scope = nc.branch ? `br:${nc.branch.id}` : `cy:${nc.cycle.id}`;
  for (const params of actions) {
    const responsibleNames =
      params.template === 'escalation' && params.deadline && nc.branch
        ? (await resolve(db, nc, responsibleFor(params.deadline))).map((r) => r.name).join('、')
        : '';
    const recipients = (await Promise.all(params.to.map((a) => resolve(db, nc, a)))).flat();
    const seen = new Set<number>();
    for (const r of recipients) {
      if (seen.has(r.id)) continue;
      seen.add(r.id);
      const locale: Locale = r.locale === 'en' ? 'en' : 'zh-CN';
      const mail = renderMail(params.template as TemplateName, locale, varsFor(nc, params, r, settings, responsibleNames));
      const attachments = params.template === 'notice' ? [meetingInvite(nc.cycle, nc.config)] : null;
      rows.push(mailRow(nc, scope, params.template, r.email, mail, attachments, settings));
    }
    // 抄送: escalations also go to the addresses the cycle configures.
    if (params.template === 'escalation') {
      for (const email of nc.config.copyTo) {
        const mail = renderMail('escalation', 'zh-CN', varsFor(nc, params, { id: 0, email, name: email, locale: 'zh-CN', role: 'office' }, settings, responsibleNames));
        rows.push(mailRow(nc, scope, params.template, email, mail, null, settings));
      }
    }
  }
  return rows;
}

function mailRow(
  nc: NotifyContext,
  scope: string,
  template: string,
  to: string,
  mail: { subject: string; text: string; html: string },
  attachments: unknown[] | null,
  settings: MailSettings,
): MailRow {
  return outboxRow(settings, {
    dedupeKey: `${scope}:${nc.reasonKey ?? `v${nc.version}`}:${template}:${to}`,
    cycleId: nc.cycle.id,
    branchReviewId: nc.branch?.id ?? null,
    template,
    to,
    mail,
    attachments,
    now: nc.now,
  });
}

/** A queued outbox row with its own fixed Message-ID. */
export function outboxRow(
  settings: MailSettings,
  m: {
    dedupeKey: string;
    cycleId: number | null;
    branchReviewId: number | null;
    template: string;
    to: string;
    mail: { subject: string; text: string; html: string };
    attachments: unknown[] | null;
    now: string;
  },
): MailRow {
  return {
    message_id: messageId(settings.mailFrom),
    dedupe_key: m.dedupeKey,
    cycle_id: m.cycleId,
    branch_review_id: m.branchReviewId,
    template: m.template,
    to_email: m.to,
    subject: m.mail.subject,
    body_text: m.mail.text,
    body_html: m.mail.html,
    attachments: m.attachments ? JSON.stringify(m.attachments) : null,
    status: 'queued',
    attempts: 0,
    next_attempt_at: m.now,
    claimed_until: null,
    last_error: null,
    created_at: m.now,
    sent_at: null,
  };
}

/** The reminder timers of one deadline of one branch. */
/** A launch gives every branch the same deadlines: their reminder times are worked out once. */
const schedules = new Map<string, ReturnType<typeof reminderSchedule>>();
function scheduleOf(deadline: string, timezone: string, now: string) {
  const key = `${deadline}|${timezone}|${now}`;
  let found = schedules.get(key);
  if (!found) {
    if (schedules.size > 1000) schedules.clear();
    schedules.set(key, (found = reminderSchedule(deadline, timezone, now)));
  }
  return found;
}

export function timersFor(cycleId: number, branchReviewId: number, kind: DeadlineKind, deadline: string, timezone: string, now: string): TimerRow[] {
  return scheduleOf(deadline, timezone, now).map((r) => ({
    cycle_id: cycleId,
    branch_review_id: branchReviewId,
    kind,
    step: r.step,
    deadline_at: deadline,
    due_at: r.at,
    status: 'pending' as const,
    fired_at: null,
  }));
}
