// To the secretary: the quarter's results are published, with the branch's score, grade and rank.
import { defineTemplate, named, result, type MailVars } from './shared';

export const facts = (v: MailVars) => ({ ...named(v), result: result(v) });
export type Facts = ReturnType<typeof facts>;

export const quarterResults = defineTemplate({
  keys: ['quarterResults.subject', 'quarterResults.lead', 'quarterResults.score'],
  facts,
  body: (f, t) => ({
    subject: t['quarterResults.subject'](f),
    lead: t['quarterResults.lead'](f),
    blocks: [f.result && t['quarterResults.score'](f.result)],
  }),
});
