// To the office: a branch has submitted its quarterly self-assessment; score each indicator or return it.
import { deadline, defineTemplate, named, type MailVars } from './shared';

export const facts = (v: MailVars) => ({ ...named(v), deadline: deadline(v) });
export type Facts = ReturnType<typeof facts>;

export const selfAssessmentSubmitted = defineTemplate({
  keys: ['selfAssessmentSubmitted.subject', 'selfAssessmentSubmitted.lead', 'selfAssessmentSubmitted.submitted'],
  facts,
  body: (f, t) => ({
    subject: t['selfAssessmentSubmitted.subject'](f),
    lead: t['selfAssessmentSubmitted.lead'](f),
    blocks: [t['selfAssessmentSubmitted.submitted'](f)],
  }),
});
