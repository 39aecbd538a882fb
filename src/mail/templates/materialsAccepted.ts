// To the secretary: the materials are accepted; present at the live review meeting.
import { defineTemplate, meeting, named, type MailVars } from './shared';

export const facts = (v: MailVars) => ({ ...named(v), meeting: meeting(v) });
export type Facts = ReturnType<typeof facts>;

export const materialsAccepted = defineTemplate({
  keys: ['materialsAccepted.subject', 'materialsAccepted.lead', 'common.meeting', 'materialsAccepted.prepare'],
  facts,
  body: (f, t) => ({
    subject: t['materialsAccepted.subject'](f),
    lead: t['materialsAccepted.lead'](f),
    blocks: [f.meeting && t['common.meeting'](f.meeting), t['materialsAccepted.prepare']],
  }),
});
