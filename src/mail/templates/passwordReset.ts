// To a user: reset your password with the one-time link (the deadline is the link's expiry).
import { deadline, defineTemplate, type MailVars } from './shared';

export const facts = (v: MailVars) => ({ deadline: deadline(v) });
export type Facts = ReturnType<typeof facts>;

export const passwordReset = defineTemplate({
  keys: ['passwordReset.subject', 'passwordReset.lead', 'passwordReset.once'],
  facts,
  body: (f, t) => ({ subject: t['passwordReset.subject'], lead: t['passwordReset.lead'](f), blocks: [t['passwordReset.once']] }),
});
