// To whoever must act: a deadline has been moved.
import { deadline, defineTemplate, named, reason, type MailVars } from './shared';

export const facts = (v: MailVars) => ({ ...named(v), deadline: deadline(v), reason: reason(v) });
export type Facts = ReturnType<typeof facts>;

export const deadlineExtended = defineTemplate({
  keys: ['deadlineExtended.subject', 'deadlineExtended.lead', 'deadlineExtended.until', 'common.reason'],
  facts,
  body: (f, t) => ({
    subject: t['deadlineExtended.subject'](f),
    lead: t['deadlineExtended.lead'](f),
    blocks: [f.deadline && t['deadlineExtended.until'](f.deadline), f.reason && t['common.reason'](f.reason)],
  }),
});
