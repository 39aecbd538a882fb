// To the office and the leaders: the cycle is archived.
import { defineTemplate, named, type MailVars } from './shared';

export const facts = (v: MailVars) => named(v);
export type Facts = ReturnType<typeof facts>;

export const cycleArchived = defineTemplate({
  keys: ['cycleArchived.subject', 'cycleArchived.lead', 'cycleArchived.archive'],
  facts,
  body: (f, t) => ({
    subject: t['cycleArchived.subject'](f),
    lead: t['cycleArchived.lead'](f),
    blocks: [t['cycleArchived.archive']],
  }),
});
