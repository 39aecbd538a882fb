// To the secretary: results are published; file the improvement plan by the plan deadline.
import { deadline, defineTemplate, named, result, type MailVars } from './shared';

export const facts = (v: MailVars) => ({ ...named(v), deadline: deadline(v), result: result(v) });
export type Facts = ReturnType<typeof facts>;

export const results = defineTemplate({
  keys: ['results.subject', 'results.lead', 'results.published', 'results.score', 'results.plan'],
  facts,
  body: (f, t) => ({
    subject: t['results.subject'](f),
    lead: t['results.lead'](f),
    blocks: [t['results.published'](f), f.result && t['results.score'](f.result), t['results.plan']],
  }),
});
