// To an evaluator: score the branch by the scoring deadline.
import { deadline, defineTemplate, named, type MailVars } from './shared';

export const facts = (v: MailVars) => ({ ...named(v), deadline: deadline(v) });
export type Facts = ReturnType<typeof facts>;

export const scoreRequest = defineTemplate({
  keys: ['scoreRequest.subject', 'scoreRequest.lead', 'scoreRequest.presented', 'scoreRequest.private'],
  facts,
  body: (f, t) => ({
    subject: t['scoreRequest.subject'](f),
    lead: t['scoreRequest.lead'](f),
    blocks: [t['scoreRequest.presented'](f), t['scoreRequest.private']],
  }),
});
