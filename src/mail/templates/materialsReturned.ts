// To the secretary: the materials are returned with a reason; revise and resubmit.
import { deadline, defineTemplate, named, reason, type MailVars } from './shared';

export const facts = (v: MailVars) => ({ ...named(v), deadline: deadline(v), reason: reason(v) });
export type Facts = ReturnType<typeof facts>;

export const materialsReturned = defineTemplate({
  keys: ['materialsReturned.subject', 'materialsReturned.lead', 'materialsReturned.returned', 'common.reason', 'materialsReturned.revise'],
  facts,
  body: (f, t) => ({
    subject: t['materialsReturned.subject'](f),
    lead: t['materialsReturned.lead'](f),
    blocks: [t['materialsReturned.returned'], f.reason && t['common.reason'](f.reason), t['materialsReturned.revise']],
  }),
});
