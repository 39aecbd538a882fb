// English wording of every mail. Typed by the Chinese catalogue, so a missing or extra key does not compile.
import type * as reminder from '../templates/reminder';
import type { Deadline, DeadlineKindName, MailVars, Named } from '../templates/shared';
import type { Catalogue } from './zh-CN';

const LABEL: Record<DeadlineKindName, string> = {
  materials: 'materials submission',
  scoring: 'scoring',
  plan: 'improvement plan submission',
  followUp: 'improvement follow-up',
  selfAssessment: 'quarterly self-assessment',
  review: 'quarterly scoring',
};
const ROLE: Record<MailVars['recipientRole'], string> = {
  secretary: 'Party branch secretary',
  office: 'Party Committee Office',
  leader: 'Party Committee leader',
  evaluator: 'review panel member',
};

const title = (f: Named) => f.title ?? 'the review';
const who = (f: Named) => f.branch ?? 'the branch';
const Who = (f: Named) => f.branch ?? 'The branch';
const sfx = (f: Named) => (f.branch ? ` (${f.branch})` : '');
const label = (d: Deadline | undefined) => (d ? LABEL[d.kind] : 'deadline');
const days = (n: number) => `${n} day${n === 1 ? '' : 's'}`;
const left = (n: number) => (n > 0 ? `${days(n)} left` : n === 0 ? 'due today' : `${days(-n)} overdue`);
const ask = (d: Deadline | undefined, action: string) =>
  d ? `Please ${action} by ${d.at} (${left(d.daysLeft)}).` : `Please ${action} as soon as possible.`;
/** What a deadline asks of the reader. */
const action = (kind: DeadlineKindName | undefined, f: Named): string => {
  switch (kind) {
    case 'materials': return 'submit your report materials';
    case 'scoring': return f.branch ? `submit your scores for ${f.branch}` : 'submit your scores';
    case 'plan': return 'submit your improvement plan';
    case 'followUp': return 'complete the improvement items and report progress';
    case 'selfAssessment': return 'submit your self-assessment of each indicator, with evidence';
    case 'review': return f.branch ? `review and score the self-assessment of ${f.branch}` : 'review and score the self-assessment';
    default: return 'complete the pending task';
  }
};
const when = (f: reminder.Facts) =>
  f.step === 'd0' ? 'today' : f.step === 'd-1' ? 'tomorrow' : f.step === 'd-3' ? `in ${days(f.inDays)}` : undefined;

export const en: Catalogue = {
  'mail.subject': (subject) => `[Shuping] ${subject}`,
  'mail.salutation': (name) => (name ? `Dear ${name},` : 'Hello,'),
  'mail.open': 'Open: ',
  'mail.signOff': 'Party Committee Office',

  'deadline.label': (kind) => LABEL[kind],
  'common.meeting': (m) => `Live review meeting: ${[m.at, m.place].filter(Boolean).join(', ')}.`,
  'common.reason': (reason) => `Reason: ${reason}`,

  'notice.subject': (f) => `${title(f)}: please acknowledge and submit your report materials${sfx(f)}`,
  'notice.lead': (f) => ask(f.deadline, 'acknowledge this notice and submit your report materials'),
  'notice.launched': (f) => `${title(f)} has been launched. The arrangements are as follows.`,
  'notice.topics': 'Topics of the report:',
  'notice.meetingFormat': 'The live review consists of a report, questions and answers. The calendar invitation is attached.',
  'notice.acknowledge': 'Please acknowledge this notice in the system and prepare your report materials as required.',

  'materialsSubmitted.subject': (f) => `To review: report materials of ${who(f)}`,
  'materialsSubmitted.lead': (f) => `Please review the report materials submitted by ${who(f)} (accept or return).`,
  'materialsSubmitted.submitted': (f) => `${Who(f)} has submitted its report materials for ${title(f)}.`,

  'materialsReturned.subject': (f) => `Report materials returned: please revise and resubmit${sfx(f)}`,
  'materialsReturned.lead': (f) => ask(f.deadline, 'revise and resubmit your report materials'),
  'materialsReturned.returned': 'The Party Committee Office has reviewed your report materials and returned them.',
  'materialsReturned.revise': 'Please revise them according to the comments and submit them again.',

  'materialsAccepted.subject': (f) => `Report materials accepted${sfx(f)}`,
  'materialsAccepted.lead': ({ meeting: m }) =>
    m?.at
      ? `Your report materials were accepted; please present at the live review on ${m.at}${m.place ? ` in ${m.place}` : ''}.`
      : 'Your report materials were accepted; please present at the live review.',
  'materialsAccepted.prepare': 'The live review consists of a report, questions and answers; please prepare accordingly.',

  'scoreRequest.subject': (f) => (f.branch ? `Please score ${f.branch}` : 'Please submit your scores'),
  'scoreRequest.lead': (f) => ask(f.deadline, action('scoring', f)),
  'scoreRequest.presented': (f) => `${Who(f)} has presented at the live review. Please score each criterion and submit.`,
  'scoreRequest.private': 'Your scores are visible only to you until the results are published.',

  'scored.subject': (f) => `Every score is in: ${who(f)}`,
  'scored.lead': (f) => `Every expected score for ${who(f)} has been submitted.`,
  'scored.next': 'Once every branch is scored, the results can be confirmed and published.',

  'results.subject': (f) => `Results published: please submit your improvement plan${sfx(f)}`,
  'results.lead': (f) => ask(f.deadline, 'submit your improvement plan'),
  'results.published': (f) => `The results of ${title(f)} have been published.`,
  'results.score': (r) => `Your branch: final score ${r.final}, grade "${r.grade}", rank ${r.rank} of ${r.of}.`,
  'results.plan': 'For each problem identified, please set out the measure, the person responsible and the due date.',

  'planSubmitted.subject': (f) => `To review: improvement plan of ${who(f)}`,
  'planSubmitted.lead': (f) => `Please review the improvement plan submitted by ${who(f)} (approve or return).`,
  'planSubmitted.submitted': (f) => `${Who(f)} has submitted its improvement plan for ${title(f)}.`,

  'planReturned.subject': (f) => `Improvement plan returned: please revise and resubmit${sfx(f)}`,
  'planReturned.lead': (f) => ask(f.deadline, 'revise and resubmit your improvement plan'),
  'planReturned.returned': 'The Party Committee Office has reviewed your improvement plan and returned it.',
  'planReturned.revise': 'Please revise it according to the comments and submit it again.',

  'planApproved.subject': (f) => `Improvement plan approved: please carry it out${sfx(f)}`,
  'planApproved.lead': (f) => ask(f.deadline, 'complete the improvement items and report progress'),
  'planApproved.approved': 'The Party Committee Office has approved your improvement plan.',
  'planApproved.carryOut': 'Please carry out each measure, upload supporting evidence and report progress.',

  'progressReported.subject': (f) => `To verify: progress reported by ${who(f)}`,
  'progressReported.lead': (f) => `Please verify the progress reported by ${who(f)} and close the item if it is complete.`,
  'progressReported.item': (i) => `Item${i.id ? ` ${i.id}` : ''}: ${i.problem}`,

  'itemVerified.subject': (f) => `Improvement item verified${sfx(f)}`,
  'itemVerified.lead': (f) => `Improvement item${f.item?.id ? ` ${f.item.id}` : ''} of your branch has been verified and closed.`,
  'itemVerified.problem': (i) => `Problem: ${i.problem}`,
  'itemVerified.keepGoing': 'Please keep working on the remaining items.',

  'closed.subject': (f) => `Review complete: ${who(f)}`,
  'closed.lead': (f) => `Every improvement item of ${who(f)} has been verified; its review for ${title(f)} is complete.`,
  'closed.thanks': 'Thank you for your work in this review.',

  'deadlineExtended.subject': (f) => `Deadline extended: ${label(f.deadline)}${sfx(f)}`,
  'deadlineExtended.lead': (f) => ask(f.deadline, action(f.deadline?.kind, f)),
  'deadlineExtended.until': (d) => `The Party Committee Office has extended the ${label(d)} deadline to ${d.at}.`,

  'exempted.subject': (f) => `${Who(f)} is exempted from this year's review`,
  'exempted.lead': (f) => `${Who(f)} is exempted from ${title(f)} by decision of the Party Committee.`,
  'exempted.nothingMore': 'Nothing more needs to be done for this branch in this cycle.',

  'reminder.subject': (f) => `Reminder: ${label(f.deadline)} due ${when(f) ?? 'soon'}${sfx(f)}`,
  'reminder.subjectPassed': (f) => `Reminder: ${label(f.deadline)} is overdue${sfx(f)}`,
  'reminder.lead': (f) => ask(f.deadline, action(f.deadline?.kind, f)),
  'reminder.note': (f) =>
    `A friendly reminder: the ${label(f.deadline)} deadline is ${when(f) ?? 'near'}${f.deadline ? ` (${f.deadline.at})` : ''}.`,
  'reminder.notePassed': (f) => `The ${label(f.deadline)} deadline has passed; please act without delay.`,

  'overdue.subject': (f) => `Overdue: ${label(f.deadline)}${sfx(f)}`,
  'overdue.lead': ({ deadline: d, ...f }) =>
    d
      ? `The ${label(d)} deadline passed at ${d.at}${d.daysLeft < 0 ? ` (${days(-d.daysLeft)} overdue)` : ''}; please ${action(d.kind, f)} now.`
      : 'The deadline has passed; please act now.',
  'overdue.informed': 'The Party Committee Office and the Party Committee leaders have been informed.',

  'escalation.subject': (f) => `Follow-up needed: ${who(f)} is overdue on ${label(f.deadline)}`,
  'escalation.lead': ({ deadline: d, ...f }) =>
    d
      ? `${Who(f)} is overdue on ${label(d)} (deadline ${d.at}${d.daysLeft < 0 ? `, ${days(-d.daysLeft)} overdue` : ''}); please follow up.`
      : `${Who(f)} is overdue on ${label(d)}; please follow up.`,
  'escalation.responsible': (names) => `Who must act: ${names}`,
  'escalation.cycle': (f) => `Cycle: ${title(f)}`,

  'resultsPublished.subject': (f) => `Results published: ${title(f)}`,
  'resultsPublished.lead': (f) => `The results of ${title(f)} have been published.`,
  'resultsPublished.dashboard': 'Scores, grades and ranks of every branch are on the dashboard.',

  'cycleArchived.subject': (f) => `Cycle archived: ${title(f)}`,
  'cycleArchived.lead': (f) => `Every branch of ${title(f)} is closed or exempted; the cycle has been archived.`,
  'cycleArchived.archive': 'All materials, scores and improvement records are archived and remain available in the system.',

  'invitation.subject': 'Please set your Shuping password',
  'invitation.lead': ({ deadline: d }) =>
    d ? `Please set your Shuping password with the link below by ${d.at} (${left(d.daysLeft)}).` : 'Please set your Shuping password with the link below.',
  'invitation.added': (f) =>
    `You have been added to ${title(f)} as ${Object.hasOwn(ROLE, f.role) ? ROLE[f.role] : 'a participant'}. Set a password to sign in.`,
  'invitation.once': ({ deadline: d }) => `The link can be used once${d ? ` and is valid until ${d.at}` : ''}.`,
  'invitation.ignore': 'If you did not expect this mail, please ignore it.',

  'passwordReset.subject': 'Reset your Shuping password',
  'passwordReset.lead': ({ deadline: d }) => `Please reset your Shuping password with the link below${d ? ` (valid until ${d.at})` : ''}.`,
  'passwordReset.once': 'The link can be used once. If you did not ask for this, please ignore this mail; your password stays unchanged.',

  'quarterNotice.subject': (f) => `${title(f)}: please assess each indicator and submit your evidence${sfx(f)}`,
  'quarterNotice.lead': (f) => ask(f.deadline, 'submit your self-assessment of each indicator, with evidence'),
  'quarterNotice.launched': (f) => `${title(f)} has been launched.`,
  'quarterNotice.how': 'Please sign in, give your score and a note for each indicator and upload the evidence; the Party Committee Office then scores each indicator.',

  'selfAssessmentSubmitted.subject': (f) => `To score: the self-assessment of ${who(f)}`,
  'selfAssessmentSubmitted.lead': (f) => ask(f.deadline, `review the self-assessment of ${who(f)} and score each indicator (or return it)`),
  'selfAssessmentSubmitted.submitted': (f) => `${Who(f)} has submitted its self-assessment for ${title(f)}.`,

  'selfAssessmentReturned.subject': (f) => `Self-assessment returned: please revise and resubmit${sfx(f)}`,
  'selfAssessmentReturned.lead': (f) => ask(f.deadline, 'revise and resubmit your self-assessment'),
  'selfAssessmentReturned.returned': 'The Party Committee Office has reviewed your self-assessment and returned it.',

  'quarterResults.subject': (f) => `Results of ${title(f)} published${sfx(f)}`,
  'quarterResults.lead': (f) => `The results of ${title(f)} have been published.`,
  'quarterResults.score': (r) => `Your branch: score ${r.final}, grade "${r.grade}", rank ${r.rank} of ${r.of}.`,
};
