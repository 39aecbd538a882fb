// To the office: review (approve or return) the improvement plan a branch has submitted.
import { defineTemplate, named, type MailVars } from './shared';

export const facts = (v: MailVars) => named(v);
export type Facts = ReturnType<typeof facts>;

export const planSubmitted = defineTemplate({
  keys: ['planSubmitted.subject', 'planSubmitted.lead', 'planSubmitted.submitted'],
  facts,
  body: (f, t) => ({
    subject: t['planSubmitted.subject'](f),
    lead: t['planSubmitted.lead'](f),
    blocks: [t['planSubmitted.submitted'](f)],
  }),
});
