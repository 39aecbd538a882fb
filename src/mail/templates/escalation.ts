// To the office and the leaders: a branch is overdue (督办), naming who must act.
import { deadline, defineTemplate, named, opt, type MailVars } from './shared';

export const facts = (v: MailVars) => ({ ...named(v), deadline: deadline(v), responsible: opt(v.responsible) });
export type Facts = ReturnType<typeof facts>;

export const escalation = defineTemplate({
  keys: ['escalation.subject', 'escalation.lead', 'escalation.responsible', 'escalation.cycle'],
  facts,
  body: (f, t) => ({
    subject: t['escalation.subject'](f),
    lead: t['escalation.lead'](f),
    blocks: [f.responsible && t['escalation.responsible'](f.responsible), t['escalation.cycle'](f)],
  }),
});
