// Group-chat notices (群通知): a cycle may name group robots (`channels`: 企业微信 / 钉钉); the
// office-level notices go to each of them through the same outbox as mail — queued in the change's
// transaction, deduplicated by a key naming their reason, sent by the dispatcher (src/mail/webhook.ts),
// retried with backoff, dead-lettered and listed for the office. The notices: the cycle launched, a
// daily digest of the overdue branches (one message, from the scheduler's first tick at or after
// 09:00 local time each day, keyed by the day), results published.
import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { CYCLE_STATES, cycleStatesTagged, deadlineLabel, type DeadlineKind } from '../../workflows/index';
import { daysLeft, formatLocal } from '../domain/deadlines';
import { documentDate } from '../domain/officialDocument';
import type { CycleRules } from '../domain/schemas';
import { GROUP_NOTICES, type GroupNoticeName } from '../mail/groupNotices';
import { robotLabel, type GroupMessage, type WebhookTarget } from '../mail/webhook';
import { gradeCounts } from '../store/branchReviews';
import { cyclesInStates, outboxHasKeys, overdueBranches } from '../store/channels';
import type { CycleRow } from '../store/cycles';
import type { Tx } from '../store/db';
import { queueMails, type MailRow } from '../store/outbox';
import type { MailSettings } from './effects';
import { parseConfig, type EngineDeps } from './transitions';

/** The digest goes out with the first tick at or after this local hour. */
export const DIGEST_HOUR = 9;
const DIGEST_LINES = 30;

export const channelsOf = (config: Pick<CycleRules, 'channels'>): WebhookTarget[] => (config.channels ?? []) as WebhookTarget[];

const keyOf = (cycleId: number, reason: string, channel: number) => `cy:${cycleId}:${reason}:hook${channel}`;

/** One outbox row per robot of the cycle for one notice. */
export function webhookRows(cycle: CycleRow, config: CycleRules, reason: string, name: GroupNoticeName, message: GroupMessage, now: string): MailRow[] {
  return channelsOf(config).map((target, i) => ({
    message_id: `<hook-${randomUUID()}@shuping>`,
    dedupe_key: keyOf(cycle.id, reason, i),
    cycle_id: cycle.id,
    branch_review_id: null,
    template: `group:${name}`,
    to_email: robotLabel(target),
    subject: message.title,
    body_text: message.markdown,
    body_html: '',
    attachments: JSON.stringify({ webhook: target }),
    status: 'queued',
    attempts: 0,
    next_attempt_at: now,
    claimed_until: null,
    last_error: null,
    created_at: now,
    sent_at: null,
    channel: 'webhook',
  }));
}

const link = (mail: MailSettings, path: string) => `${mail.baseUrl}${path}`;

/** The launch notice, queued in the launch's transaction. */
export async function queueLaunchNotice(trx: Tx, deps: EngineDeps, cycle: CycleRow, now: string): Promise<number> {
  const config = parseConfig(cycle);
  if (!channelsOf(config).length) return 0;
  const tz = config.timezone;
  // The first deadline of the cycle's kind (述职材料 for the annual review, 季度自评 for a quarter).
  const [firstKind, firstAt] = Object.entries(config.deadlines as Record<string, string>).sort((a, b) => Date.parse(a[1]) - Date.parse(b[1]))[0];
  const message = GROUP_NOTICES.launched({
    title: config.title,
    branches: config.branchCount,
    deadlineLabel: deadlineLabel(firstKind as DeadlineKind, 'zh-CN'),
    deadline: formatLocal(firstAt, tz, 'zh-CN'),
    meeting: config.meeting ? { at: formatLocal(config.meeting.at, tz, 'zh-CN'), place: config.meeting.place } : undefined,
    link: link(deps.mail, `/cycles/${cycle.id}`),
  });
  return queueMails(trx, webhookRows(cycle, config, 'launched', 'launched', message, now));
}

/** The results notice, queued once every published branch has its grade, in the publication's transaction. */
export async function queueResultsNotice(trx: Tx, deps: EngineDeps, cycle: CycleRow, now: string): Promise<number> {
  const config = parseConfig(cycle);
  if (!channelsOf(config).length) return 0;
  const grades = await gradeCounts(trx, cycle.id);
  const message = GROUP_NOTICES.resultsPublished({
    title: config.title,
    published: grades.reduce((a, [, n]) => a + n, 0),
    grades,
    link: link(deps.mail, `/cycles/${cycle.id}?sort=rank`),
  });
  return queueMails(trx, webhookRows(cycle, config, 'resultsPublished', 'resultsPublished', message, now));
}

/** Cycles under way: open states but the first (the draft, the machine's initial state). */
const runningStates = () => cycleStatesTagged('open').filter((s) => s !== CYCLE_STATES[0]);

/**
 * The daily digest of overdue branches, for every running cycle with robots: one message a day each,
 * from the first tick at or after 09:00 in the cycle's time zone; a second tick that day finds its key
 * and sends nothing. A cycle with no overdue branch gets no digest.
 */
export async function queueOverdueDigests(deps: EngineDeps, at: string): Promise<number> {
  const now = new Date(at).toISOString(); // stored instants are UTC ISO strings: compare like with like
  let queued = 0;
  for (const cycle of await cyclesInStates(deps.db, runningStates())) {
    const config = parseConfig(cycle);
    const robots = channelsOf(config);
    if (!robots.length) continue;
    const local = DateTime.fromISO(now, { zone: config.timezone });
    if (local.hour < DIGEST_HOUR) continue;
    const day = local.toISODate()!;
    const reason = `digest:${day}`;
    if (await outboxHasKeys(deps.db, robots.map((_, i) => keyOf(cycle.id, reason, i)))) continue;
    const { rows, total } = await overdueBranches(deps.db, cycle.id, now, DIGEST_LINES);
    if (!total) continue;
    const message = GROUP_NOTICES.overdueDigest({
      title: config.title,
      day: documentDate(day),
      total,
      branches: rows.map((r) => ({
        code: r.code,
        name: r.name,
        what: deadlineLabel(r.deadline_kind as DeadlineKind, 'zh-CN'),
        daysOverdue: Math.max(0, -daysLeft(r.deadline_at, config.timezone, now)),
      })),
      link: link(deps.mail, `/cycles/${cycle.id}?overdue=1&sort=overdue`),
    });
    queued += await deps.db.transaction((trx) => queueMails(trx, webhookRows(cycle, config, reason, 'overdueDigest', message, now)));
  }
  return queued;
}
