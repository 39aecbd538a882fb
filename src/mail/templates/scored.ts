// To the office: every expected score for the branch is in.
import { defineTemplate, named, type MailVars } from './shared';

export const facts = (v: MailVars) => named(v);
export type Facts = ReturnType<typeof facts>;

export const scored = defineTemplate({
  keys: ['scored.subject', 'scored.lead', 'scored.next'],
  facts,
  body: (f, t) => ({ subject: t['scored.subject'](f), lead: t['scored.lead'](f), blocks: [t['scored.next']] }),
});
