// To a new user: set your password with the one-time link (the deadline is the link's expiry).
import { deadline, defineTemplate, named, type MailVars } from './shared';

export const facts = (v: MailVars) => ({ ...named(v), deadline: deadline(v), role: v.recipientRole });
export type Facts = ReturnType<typeof facts>;

export const invitation = defineTemplate({
  keys: ['invitation.subject', 'invitation.lead', 'invitation.added', 'invitation.once', 'invitation.ignore'],
  facts,
  body: (f, t) => ({
    subject: t['invitation.subject'],
    lead: t['invitation.lead'](f),
    blocks: [t['invitation.added'](f), t['invitation.once'](f), t['invitation.ignore']],
  }),
});
