// To the secretary: the plan is approved; carry it out and report progress by the follow-up deadline.
import { deadline, defineTemplate, named, type MailVars } from './shared';

export const facts = (v: MailVars) => ({ ...named(v), deadline: deadline(v) });
export type Facts = ReturnType<typeof facts>;

export const planApproved = defineTemplate({
  keys: ['planApproved.subject', 'planApproved.lead', 'planApproved.approved', 'planApproved.carryOut'],
  facts,
  body: (f, t) => ({
    subject: t['planApproved.subject'](f),
    lead: t['planApproved.lead'](f),
    blocks: [t['planApproved.approved'], t['planApproved.carryOut']],
  }),
});
