// To whoever must act: the deadline has passed, act now.
import { deadline, defineTemplate, named, type MailVars } from './shared';

export const facts = (v: MailVars) => ({ ...named(v), deadline: deadline(v) });
export type Facts = ReturnType<typeof facts>;

export const overdue = defineTemplate({
  keys: ['overdue.subject', 'overdue.lead', 'overdue.informed'],
  facts,
  body: (f, t) => ({ subject: t['overdue.subject'](f), lead: t['overdue.lead'](f), blocks: [t['overdue.informed']] }),
});
