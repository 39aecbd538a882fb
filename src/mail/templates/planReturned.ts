// To the secretary: the improvement plan is returned with a reason; revise and resubmit.
import { deadline, defineTemplate, named, reason, type MailVars } from './shared';

export const facts = (v: MailVars) => ({ ...named(v), deadline: deadline(v), reason: reason(v) });
export type Facts = ReturnType<typeof facts>;

export const planReturned = defineTemplate({
  keys: ['planReturned.subject', 'planReturned.lead', 'planReturned.returned', 'common.reason', 'planReturned.revise'],
  facts,
  body: (f, t) => ({
    subject: t['planReturned.subject'](f),
    lead: t['planReturned.lead'](f),
    blocks: [t['planReturned.returned'], f.reason && t['common.reason'](f.reason), t['planReturned.revise']],
  }),
});
