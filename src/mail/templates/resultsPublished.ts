// To the leaders: the results of the cycle are published.
import { defineTemplate, named, type MailVars } from './shared';

export const facts = (v: MailVars) => named(v);
export type Facts = ReturnType<typeof facts>;

export const resultsPublished = defineTemplate({
  keys: ['resultsPublished.subject', 'resultsPublished.lead', 'resultsPublished.dashboard'],
  facts,
  body: (f, t) => ({
    subject: t['resultsPublished.subject'](f),
    lead: t['resultsPublished.lead'](f),
    blocks: [t['resultsPublished.dashboard']],
  }),
});
