// To the secretary and the office: every item is verified, the branch review is closed.
import { defineTemplate, named, type MailVars } from './shared';

export const facts = (v: MailVars) => named(v);
export type Facts = ReturnType<typeof facts>;

export const closed = defineTemplate({
  keys: ['closed.subject', 'closed.lead', 'closed.thanks'],
  facts,
  body: (f, t) => ({ subject: t['closed.subject'](f), lead: t['closed.lead'](f), blocks: [t['closed.thanks']] }),
});
