// To the secretary and the office: the branch is exempted (免于述评).
import { defineTemplate, named, reason, type MailVars } from './shared';

export const facts = (v: MailVars) => ({ ...named(v), reason: reason(v) });
export type Facts = ReturnType<typeof facts>;

export const exempted = defineTemplate({
  keys: ['exempted.subject', 'exempted.lead', 'common.reason', 'exempted.nothingMore'],
  facts,
  body: (f, t) => ({
    subject: t['exempted.subject'](f),
    lead: t['exempted.lead'](f),
    blocks: [f.reason && t['common.reason'](f.reason), t['exempted.nothingMore']],
  }),
});
