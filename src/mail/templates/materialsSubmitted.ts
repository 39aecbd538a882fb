// To the office: review (accept or return) the materials a branch has submitted.
import { defineTemplate, named, type MailVars } from './shared';

export const facts = (v: MailVars) => named(v);
export type Facts = ReturnType<typeof facts>;

export const materialsSubmitted = defineTemplate({
  keys: ['materialsSubmitted.subject', 'materialsSubmitted.lead', 'materialsSubmitted.submitted'],
  facts,
  body: (f, t) => ({
    subject: t['materialsSubmitted.subject'](f),
    lead: t['materialsSubmitted.lead'](f),
    blocks: [t['materialsSubmitted.submitted'](f)],
  }),
});
