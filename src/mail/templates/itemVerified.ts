// To the secretary: an improvement item is verified (销号).
import { defineTemplate, item, named, type MailVars } from './shared';

export const facts = (v: MailVars) => ({ ...named(v), item: item(v) });
export type Facts = ReturnType<typeof facts>;

export const itemVerified = defineTemplate({
  keys: ['itemVerified.subject', 'itemVerified.lead', 'itemVerified.problem', 'itemVerified.keepGoing'],
  facts,
  body: (f, t) => ({
    subject: t['itemVerified.subject'](f),
    lead: t['itemVerified.lead'](f),
    blocks: [f.item && t['itemVerified.problem'](f.item), t['itemVerified.keepGoing']],
  }),
});
