// To whoever must act: the deadline is in 3 days / tomorrow / today (or has just passed).
import { deadline, defineTemplate, named, type MailVars, type ReminderStep } from './shared';

export const facts = (v: MailVars) => {
  const d = deadline(v);
  // Without a step, the days left tell which reminder this is.
  const step: ReminderStep | undefined =
    v.step ?? (d ? (d.daysLeft < 0 ? 'overdue' : d.daysLeft === 0 ? 'd0' : d.daysLeft === 1 ? 'd-1' : 'd-3') : undefined);
  // The d-3 reminder counts the real days when known, else the nominal three.
  return { ...named(v), deadline: d, step, inDays: d && d.daysLeft > 1 ? d.daysLeft : 3 };
};
export type Facts = ReturnType<typeof facts>;

export const reminder = defineTemplate({
  keys: ['reminder.subject', 'reminder.subjectPassed', 'reminder.lead', 'reminder.note', 'reminder.notePassed'],
  facts,
  body: (f, t) => {
    const passed = f.step === 'overdue';
    return {
      subject: passed ? t['reminder.subjectPassed'](f) : t['reminder.subject'](f),
      lead: t['reminder.lead'](f),
      blocks: [passed ? t['reminder.notePassed'](f) : t['reminder.note'](f)],
    };
  },
});
