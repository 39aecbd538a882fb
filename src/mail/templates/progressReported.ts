// To the office: verify the progress reported on an improvement item.
import { defineTemplate, item, named, type MailVars } from './shared';

export const facts = (v: MailVars) => ({ ...named(v), item: item(v) });
export type Facts = ReturnType<typeof facts>;

export const progressReported = defineTemplate({
  keys: ['progressReported.subject', 'progressReported.lead', 'progressReported.item'],
  facts,
  body: (f, t) => ({
    subject: t['progressReported.subject'](f),
    lead: t['progressReported.lead'](f),
    blocks: [f.item && t['progressReported.item'](f.item)],
  }),
});
