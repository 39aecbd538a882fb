// What the templates share: the input, the facts several mails state, and the shape of a template.
// Facts are language-free and worked out once; the catalogues (../locales) word them.
import type { Catalogue, MessageKey } from '../locales/zh-CN';

export type Locale = 'zh-CN' | 'en';
export type DeadlineKindName = 'materials' | 'scoring' | 'plan' | 'followUp' | 'selfAssessment' | 'review';
export type ReminderStep = 'd-3' | 'd-1' | 'd0' | 'overdue';

export interface MailVars {
  recipientName: string;
  recipientRole: 'secretary' | 'office' | 'leader' | 'evaluator';
  cycleTitle: string;
  branchCode?: string;
  branchName?: string;
  /** `at` is already formatted local time, e.g. 2020年12月4日 18:00 / 4 Dec 2020 18:00. */
  deadline?: { kind: DeadlineKindName; at: string; daysLeft: number };
  step?: ReminderStep;
  reason?: string;
  /** Absolute URL of the page where to act. */
  link: string;
  meeting?: { at: string; place: string };
  topics?: string[];
  result?: { final: number; grade: string; rank: number; of: number };
  item?: { id: string; problem: string };
  /** For escalation: who must act (name or names). */
  responsible?: string;
}

/** A detail of the mail body: a paragraph, or a titled numbered list. Falsy entries are dropped. */
export type Block = string | { title: string; items: string[] } | undefined | null | false;

export interface Body {
  subject: string;
  /** The first line: what to do and by when, or the news itself. */
  lead: string;
  blocks: Block[];
}

export interface Template<F, K extends MessageKey> {
  /** The catalogue keys the mail is worded with; `body` can reach no others. */
  keys: readonly K[];
  /** The facts the mail states, from the input, the same for every language. */
  facts(v: MailVars): F;
  body(f: F, t: Pick<Catalogue, K>): Body;
}

/** Infers the facts and the declared keys, so `body` is checked against both. */
export const defineTemplate = <F, const K extends MessageKey>(t: Template<F, K>): Template<F, K> => t;

// ---------------------------------------------------------------- facts
// Optional facts that are missing stay undefined, so no mail prints them empty.

/** A non-empty trimmed string, or undefined. */
export const opt = (s: string | undefined | null): string | undefined => {
  const t = typeof s === 'string' ? s.trim() : '';
  return t.length > 0 ? t : undefined;
};

export type Deadline = NonNullable<MailVars['deadline']>;
export interface Meeting { at?: string; place?: string }
export interface Item { id?: string; problem: string }
export interface Result { final: string; grade: string; rank: number; of: number }

/** Branch name and cycle title; the catalogues supply the words for when they are missing. */
export interface Named { branch?: string; title?: string }
export const named = (v: MailVars): Named => ({ branch: opt(v.branchName), title: opt(v.cycleTitle) });

export const deadline = (v: MailVars): Deadline | undefined =>
  v.deadline && opt(v.deadline.at) && Number.isFinite(v.deadline.daysLeft) ? v.deadline : undefined;

export const reason = (v: MailVars): string | undefined => opt(v.reason);

export const meeting = (v: MailVars): Meeting | undefined => {
  const at = v.meeting && opt(v.meeting.at);
  const place = v.meeting && opt(v.meeting.place);
  return at || place ? { at, place } : undefined;
};

export const topics = (v: MailVars): string[] => (v.topics ?? []).map(opt).filter((x): x is string => !!x);

/** The item only if it names its problem; an id made of blanks is left out. */
export const item = (v: MailVars): Item | undefined =>
  v.item && opt(v.item.problem) ? { id: opt(v.item.id) ? v.item.id : undefined, problem: v.item.problem } : undefined;

/** The result only if complete; the score rounded to two decimals. */
export const result = (v: MailVars): Result | undefined => {
  const r = v.result;
  if (!r || ![r.final, r.rank, r.of].every((n) => Number.isFinite(n)) || !opt(r.grade)) return undefined;
  return { final: String(Math.round(r.final * 100) / 100), grade: r.grade, rank: r.rank, of: r.of };
};
