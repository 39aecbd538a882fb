// To the secretary at the launch of a quarterly assessment: assess each indicator, with evidence, by the deadline.
import { deadline, defineTemplate, named, topics, type MailVars } from './shared';

export const facts = (v: MailVars) => ({ ...named(v), deadline: deadline(v), topics: topics(v) });
export type Facts = ReturnType<typeof facts>;

export const quarterNotice = defineTemplate({
  keys: ['quarterNotice.subject', 'quarterNotice.lead', 'quarterNotice.launched', 'notice.topics', 'quarterNotice.how'],
  facts,
  body: (f, t) => ({
    subject: t['quarterNotice.subject'](f),
    lead: t['quarterNotice.lead'](f),
    blocks: [t['quarterNotice.launched'](f), f.topics.length > 0 && { title: t['notice.topics'], items: f.topics }, t['quarterNotice.how']],
  }),
});
