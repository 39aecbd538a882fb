// To the secretary: the self-assessment is returned with a reason; revise and resubmit.
import { deadline, defineTemplate, named, reason, type MailVars } from './shared';

export const facts = (v: MailVars) => ({ ...named(v), deadline: deadline(v), reason: reason(v) });
export type Facts = ReturnType<typeof facts>;

export const selfAssessmentReturned = defineTemplate({
  keys: ['selfAssessmentReturned.subject', 'selfAssessmentReturned.lead', 'selfAssessmentReturned.returned', 'common.reason'],
  facts,
  body: (f, t) => ({
    subject: t['selfAssessmentReturned.subject'](f),
    lead: t['selfAssessmentReturned.lead'](f),
    blocks: [t['selfAssessmentReturned.returned'], f.reason && t['common.reason'](f.reason)],
  }),
});
