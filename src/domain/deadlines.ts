// When reminders fall due (提醒): 3 days before, 1 day before, on the morning of the day, and at the deadline (逾期督办).
import { DateTime } from 'luxon';
import type { DeadlineKind, DeadlineStep } from '../../workflows/branchReview';

/** The on-the-day reminder goes out at this local hour, or not at all if the deadline is earlier. */
export const ON_THE_DAY_HOUR = 9;

export interface ReminderTime { step: DeadlineStep; at: string }

/**
 * The reminder instants (UTC ISO) of a deadline, seen from `now`: reminders already past are
 * dropped (the notice or the extension mail already states the deadline), the overdue step never is.
 */
export function reminderSchedule(deadline: string, timezone: string, now: string): ReminderTime[] {
  const due = DateTime.fromISO(deadline, { zone: timezone });
  if (!due.isValid) throw new Error(`invalid deadline ${deadline}`);
  const onTheDay = due.startOf('day').set({ hour: ON_THE_DAY_HOUR });
  const candidates: { step: DeadlineStep; at: DateTime }[] = [
    { step: 'd-3', at: due.minus({ days: 3 }) },
    { step: 'd-1', at: due.minus({ days: 1 }) },
    ...(onTheDay < due ? [{ step: 'd0' as const, at: onTheDay }] : []),
  ];
  const nowAt = DateTime.fromISO(now);
  return [
    ...candidates.filter((c) => c.at > nowAt).map((c) => ({ step: c.step, at: toUtcIso(c.at) })),
    { step: 'overdue', at: toUtcIso(due) },
  ];
}

export function toUtcIso(at: DateTime | string | Date): string {
  const dt = typeof at === 'string' ? DateTime.fromISO(at, { setZone: true }) : at instanceof Date ? DateTime.fromJSDate(at) : at;
  if (!dt.isValid) throw new Error(`invalid time ${String(at)}`);
  return dt.toUTC().toISO({ suppressMilliseconds: false })!;
}

/** Whole local days from `now` to the deadline (negative once overdue), counted by calendar day. */
export function daysLeft(deadline: string, timezone: string, now: string): number {
  return memo(dayCounts, `${deadline}|${timezone}|${now}`, () => countDays(deadline, timezone, now));
}

function countDays(deadline: string, timezone: string, now: string): number {
  const due = DateTime.fromISO(deadline, { zone: timezone }).startOf('day');
  const today = DateTime.fromISO(now, { zone: timezone }).startOf('day');
  return Math.round(due.diff(today, 'days').days);
}

export function isOverdue(deadline: string, now: string): boolean {
  return DateTime.fromISO(deadline) <= DateTime.fromISO(now);
}

export function formatLocal(at: string, timezone: string, locale: string): string {
  return memo(formatted, `${at}|${timezone}|${locale}`, () => format(at, timezone, locale));
}

function format(at: string, timezone: string, locale: string): string {
  const dt = DateTime.fromISO(at, { zone: timezone });
  return locale === 'en' ? dt.setLocale('en-GB').toFormat('d LLL yyyy HH:mm') : dt.toFormat("yyyy'年'M'月'd'日' HH:mm");
}

export type { DeadlineKind };

// A launch renders the same few deadlines for every branch (and locale): luxon's parsing and
// formatting were a fifth of a launch's time, so both answers are kept, a bounded number of them.
const formatted = new Map<string, string>();
const dayCounts = new Map<string, number>();
function memo<T>(cache: Map<string, T>, key: string, compute: () => T): T {
  let value = cache.get(key);
  if (value === undefined) {
    if (cache.size >= 1000) cache.clear();
    cache.set(key, (value = compute()));
  }
  return value;
}
