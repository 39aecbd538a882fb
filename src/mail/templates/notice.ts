// To the secretary at launch: acknowledge, and submit the report materials by the materials deadline.
import { deadline, defineTemplate, meeting, named, topics, type MailVars } from './shared';

export const facts = (v: MailVars) => ({ ...named(v), deadline: deadline(v), topics: topics(v), meeting: meeting(v) });
export type Facts = ReturnType<typeof facts>;

export const notice = defineTemplate({
  keys: ['notice.subject', 'notice.lead', 'notice.launched', 'notice.topics', 'common.meeting', 'notice.meetingFormat', 'notice.acknowledge'],
  facts,
  body: (f, t) => ({
    subject: t['notice.subject'](f),
    lead: t['notice.lead'](f),
    blocks: [
      t['notice.launched'](f),
      f.topics.length > 0 && { title: t['notice.topics'], items: f.topics },
      f.meeting && t['common.meeting'](f.meeting),
      f.meeting && t['notice.meetingFormat'],
      t['notice.acknowledge'],
    ],
  }),
});
