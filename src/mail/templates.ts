// Mail templates (邮件模板), Simplified Chinese by default and English by choice.
// Every mail has the same shape: the first line says what to do and by when (or, when there is
// nothing to do, the news itself); then the salutation, the details, the link to the page where
// to act, and the sign-off. Optional facts that are missing are left out, never printed empty.
export type Locale = 'zh-CN' | 'en';
export type DeadlineKindName = 'materials' | 'scoring' | 'plan' | 'followUp';
export type ReminderStep = 'd-3' | 'd-1' | 'd0' | 'overdue';
export type TemplateName =
  | 'notice' // to secretary at launch: acknowledge and submit materials by the materials deadline
  | 'materialsSubmitted' // to office: review (accept or return) branch X's materials
  | 'materialsReturned' // to secretary: returned with reason; revise and resubmit
  | 'materialsAccepted' // to secretary: accepted; present at the meeting
  | 'scoreRequest' // to evaluator: score branch X by the scoring deadline
  | 'scored' // to office: every expected score for branch X is in
  | 'results' // to secretary: results published; file the improvement plan
  | 'planSubmitted' // to office: review branch X's improvement plan
  | 'planReturned' // to secretary: plan returned with reason; revise
  | 'planApproved' // to secretary: carry the plan out and report progress
  | 'progressReported' // to office: verify the progress reported on an item
  | 'itemVerified' // to secretary: item verified (销号)
  | 'closed' // to secretary and office: every item verified, branch review closed
  | 'deadlineExtended' // to whoever must act: deadline moved
  | 'exempted' // to secretary and office: branch exempted (免于述评)
  | 'reminder' // to whoever must act: deadline in 3 days / tomorrow / today
  | 'overdue' // to whoever must act: deadline passed, act now
  | 'escalation' // to office and leaders: branch X is overdue (督办)
  | 'resultsPublished' // to leaders: results of the cycle are published
  | 'cycleArchived' // to office and leaders: the cycle is archived
  | 'invitation' // to a new user: set your password with the one-time link
  | 'passwordReset'; // to a user: reset your password with the one-time link

export interface MailVars {
  recipientName: string;
  recipientRole: 'secretary' | 'office' | 'leader' | 'evaluator';
  cycleTitle: string;
  branchCode?: string;
  branchName?: string;
  /** `at` is already formatted local time, e.g. 2020年12月4日 18:00 / 4 Dec 2020 18:00. */
  deadline?: { kind: DeadlineKindName; at: string; daysLeft: number };
  step?: ReminderStep;
  reason?: string;
  /** Absolute URL of the page where to act. */
  link: string;
  meeting?: { at: string; place: string };
  topics?: string[];
  result?: { final: number; grade: string; rank: number; of: number };
  item?: { id: string; problem: string };
  /** For escalation: who must act (name or names). */
  responsible?: string;
}

export interface RenderedMail { subject: string; text: string; html: string }

const DEADLINE_LABEL: Record<DeadlineKindName, Record<Locale, string>> = {
  materials: { 'zh-CN': '述职材料提交', en: 'materials submission' },
  scoring: { 'zh-CN': '评分', en: 'scoring' },
  plan: { 'zh-CN': '整改方案提交', en: 'improvement plan submission' },
  followUp: { 'zh-CN': '整改落实', en: 'improvement follow-up' },
};

/** e.g. 述职材料提交 / materials submission */
export function deadlineLabel(kind: DeadlineKindName, locale: Locale): string {
  return DEADLINE_LABEL[kind][locale === 'en' ? 'en' : 'zh-CN'];
}

const ROLE_LABEL: Record<MailVars['recipientRole'], Record<Locale, string>> = {
  secretary: { 'zh-CN': '党支部书记', en: 'Party branch secretary' },
  office: { 'zh-CN': '党委办公室', en: 'Party Committee Office' },
  leader: { 'zh-CN': '党委书记/委员', en: 'Party Committee leader' },
  evaluator: { 'zh-CN': '考评组成员', en: 'review panel member' },
};

/** Escapes the five HTML-significant characters. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A detail of the mail body: a paragraph, or a titled numbered list. Falsy entries are dropped. */
type Block = string | { title: string; items: string[] } | undefined | null | false;

interface Body {
  subject: string;
  /** The first line: what to do and by when, or the news itself. */
  lead: string;
  blocks: Block[];
}

/** A non-empty trimmed string, or undefined. */
const opt = (s: string | undefined | null): string | undefined => {
  const t = typeof s === 'string' ? s.trim() : '';
  return t.length > 0 ? t : undefined;
};

const validDeadline = (v: MailVars) =>
  v.deadline && opt(v.deadline.at) && Number.isFinite(v.deadline.daysLeft) ? v.deadline : undefined;

const validResult = (v: MailVars) =>
  v.result && [v.result.final, v.result.rank, v.result.of].every((n) => Number.isFinite(n)) && opt(v.result.grade) ? v.result : undefined;

const fmtScore = (n: number): string => String(Math.round(n * 100) / 100);

// ---------------------------------------------------------------- 中文

function zh(t: TemplateName, v: MailVars): Body {
  const branch = opt(v.branchName);
  const who = branch ?? '支部';
  const sfx = branch ? `（${branch}）` : '';
  const title = opt(v.cycleTitle) ?? '述职评议';
  const d = validDeadline(v);
  const kind = d?.kind;
  const label = kind ? DEADLINE_LABEL[kind]['zh-CN'] : '';
  const reason = opt(v.reason) && `原因：${opt(v.reason)}`;
  const place = v.meeting && opt(v.meeting.place);
  const meetingAt = v.meeting && opt(v.meeting.at);
  const meeting = meetingAt || place ? `现场述职会议：${[meetingAt && `时间 ${meetingAt}`, place && `地点 ${place}`].filter(Boolean).join('，')}。` : undefined;
  const topics = (v.topics ?? []).map(opt).filter((x): x is string => !!x);
  const item = v.item && opt(v.item.problem) ? v.item : undefined;
  const itemLine = item && `整改事项：${opt(item.id) ? `${item.id} ` : ''}${item.problem}`;
  const result = validResult(v);

  const left = (n: number) => (n > 0 ? `（剩余${n}天）` : n === 0 ? '（今天截止）' : `（已逾期${-n}天）`);
  /** 请于……前……（剩余N天）。 — or 请尽快…… when no deadline is known. */
  const ask = (action: string) => (d ? `请于${d.at}前${action}${left(d.daysLeft)}。` : `请尽快${action}。`);
  const action = (k: DeadlineKindName | undefined): string => {
    switch (k) {
      case 'materials': return '提交述职材料';
      case 'scoring': return branch ? `完成对${branch}的评分` : '完成评分';
      case 'plan': return '提交整改方案';
      case 'followUp': return '完成整改事项并报告整改进展';
      default: return '办理相关事项';
    }
  };

  switch (t) {
    case 'notice':
      return {
        subject: `${title}通知：请确认并提交述职材料${sfx}`,
        lead: ask('确认本通知并提交述职材料'),
        blocks: [
          `根据党委工作安排，${title}现已启动，现将有关事项通知如下。`,
          topics.length > 0 && { title: '述职内容：', items: topics },
          meeting,
          meeting && '现场述职按“述、问、答”方式进行，会议日历邀请见附件。',
          '请登录系统确认收到本通知，并按要求准备、提交述职材料。',
        ],
      };
    case 'materialsSubmitted':
      return {
        subject: `待审核：${who}已提交述职材料`,
        lead: `请审核${who}提交的述职材料（通过或退回）。`,
        blocks: [`${who}已提交${title}述职材料，请党委办公室审核。`],
      };
    case 'materialsReturned':
      return {
        subject: `述职材料已退回，请修改后重新提交${sfx}`,
        lead: ask('修改并重新提交述职材料'),
        blocks: ['您支部提交的述职材料经党委办公室审核，现予退回。', reason, '请根据审核意见修改完善后重新提交。'],
      };
    case 'materialsAccepted':
      return {
        subject: `述职材料已通过审核${sfx}`,
        lead: meetingAt
          ? `述职材料已通过审核，请于${meetingAt}${place ? `到${place}` : ''}参加现场述职。`
          : '述职材料已通过审核，请按时参加现场述职。',
        blocks: [meeting, '现场述职按“述、问、答”方式进行，请认真做好述职准备。'],
      };
    case 'scoreRequest':
      return {
        subject: branch ? `请为${branch}评分` : '请完成评分',
        lead: ask(action('scoring')),
        blocks: [`${who}已完成现场述职，请对照评分细则逐项评分并提交。`, '评分在结果公布前仅您本人可见。'],
      };
    case 'scored':
      return {
        subject: `${who}评分已全部完成`,
        lead: `${who}的评分已全部收齐。`,
        blocks: ['全部支部评分完成后，可审定并公布评议结果。'],
      };
    case 'results':
      return {
        subject: `述职评议结果已公布，请提交整改方案${sfx}`,
        lead: ask('提交整改方案'),
        blocks: [
          `${title}评议结果已公布。`,
          result && `本支部最终得分${fmtScore(result.final)}分，评定等次为“${result.grade}”，在${result.of}个支部中排名第${result.rank}名。`,
          '请针对述职评议中查找出的问题，逐项明确整改措施、责任人和完成时限。',
        ],
      };
    case 'planSubmitted':
      return {
        subject: `待审核：${who}已提交整改方案`,
        lead: `请审核${who}提交的整改方案（批准或退回）。`,
        blocks: [`${who}已提交${title}整改方案，请党委办公室审核。`],
      };
    case 'planReturned':
      return {
        subject: `整改方案已退回，请修改后重新提交${sfx}`,
        lead: ask('修改并重新提交整改方案'),
        blocks: ['您支部提交的整改方案经党委办公室审核，现予退回。', reason, '请根据审核意见修改完善后重新提交。'],
      };
    case 'planApproved':
      return {
        subject: `整改方案已批准，请抓好整改落实${sfx}`,
        lead: ask('完成整改事项并报告整改进展'),
        blocks: ['您支部的整改方案已经党委办公室审核批准。', '请逐项抓好整改落实，及时上传佐证材料、报告整改进展。'],
      };
    case 'progressReported':
      return {
        subject: `待核验：${who}报告了整改进展`,
        lead: `请核验${who}报告的整改进展，符合要求的予以销号。`,
        blocks: [itemLine],
      };
    case 'itemVerified':
      return {
        subject: `整改事项已销号${sfx}`,
        lead: `您支部的整改事项${item && opt(item.id) ? ` ${item.id} ` : ''}已核验销号。`,
        blocks: [item && `问题：${item.problem}`, '请继续抓好其余整改事项的落实。'],
      };
    case 'closed':
      return {
        subject: `${who}述评工作已全部完成`,
        lead: `${who}全部整改事项已核验销号，${title}该支部述评工作已完成。`,
        blocks: ['感谢您对本次述职评议工作的支持。'],
      };
    case 'deadlineExtended':
      return {
        subject: `${label}截止时间已延长${sfx}`,
        lead: ask(action(kind)),
        blocks: [d && `经党委办公室同意，${label}截止时间已延长至${d.at}。`, reason],
      };
    case 'exempted':
      return {
        subject: `${who}本年度免于述评`,
        lead: `经党委研究，${who}${title}免于述评。`,
        blocks: [reason, '该支部无需再办理本周期述评相关事项。'],
      };
    case 'reminder': {
      const step = v.step ?? (d ? (d.daysLeft < 0 ? 'overdue' : d.daysLeft === 0 ? 'd0' : d.daysLeft === 1 ? 'd-1' : 'd-3') : undefined);
      const when =
        step === 'd0' ? '今天' : step === 'd-1' ? '明天' : step === 'd-3' ? `${d && d.daysLeft > 1 ? d.daysLeft : 3}天后` : undefined;
      return {
        subject: step === 'overdue' ? `提醒：${label}已逾期${sfx}` : `提醒：${label}${when ?? '即将'}截止${sfx}`,
        lead: ask(action(kind)),
        blocks: [
          step === 'overdue'
            ? `${label}截止时间已过，请抓紧办理。`
            : `温馨提醒：${label}将于${when ?? '近日'}截止${d ? `（截止时间 ${d.at}）` : ''}，请合理安排、按时办理。`,
        ],
      };
    }
    case 'overdue':
      return {
        subject: `已逾期：${label || '办理期限'}${sfx}`,
        lead: d
          ? `${label}已于${d.at}截止${d.daysLeft < 0 ? `，现已逾期${-d.daysLeft}天` : ''}，请立即${action(kind)}。`
          : '办理期限已过，请立即办理。',
        blocks: ['逾期情况已同时报党委办公室和党委领导。'],
      };
    case 'escalation':
      return {
        subject: `督办：${who}${label}已逾期`,
        lead: d
          ? `${who}${label}已于${d.at}截止${d.daysLeft < 0 ? `（已逾期${-d.daysLeft}天）` : ''}，尚未完成，请予督办。`
          : `${who}${label}已逾期，尚未完成，请予督办。`,
        blocks: [opt(v.responsible) && `需办理人：${opt(v.responsible)}`, `所属周期：${title}`],
      };
    case 'resultsPublished':
      return {
        subject: `${title}结果已公布`,
        lead: `${title}评议结果已公布。`,
        blocks: ['各支部得分、等次和排名可在进度看板查看。'],
      };
    case 'cycleArchived':
      return {
        subject: `${title}已完成并归档`,
        lead: `${title}各支部均已完成或免于述评，本周期已归档。`,
        blocks: ['全部材料、评分和整改记录已归档，可在系统中查阅。'],
      };
    case 'invitation':
      return {
        subject: '请设置述评系统登录密码',
        lead: d ? `请于${d.at}前通过下方链接设置述评系统登录密码${left(d.daysLeft)}。` : '请通过下方链接设置述评系统登录密码。',
        blocks: [
          `您已被添加为${title}的${ROLE_LABEL[v.recipientRole]?.['zh-CN'] ?? '参与人员'}，请设置密码后登录述评系统。`,
          `该链接仅可使用一次${d ? `，有效期至${d.at}` : ''}。`,
          '如非本人操作，请忽略本邮件。',
        ],
      };
    case 'passwordReset':
      return {
        subject: '重置述评系统登录密码',
        lead: `请通过下方链接重置述评系统登录密码${d ? `（链接有效期至${d.at}）` : ''}。`,
        blocks: ['该链接仅可使用一次。如非本人操作，请忽略本邮件，原密码继续有效。'],
      };
  }
}

// ---------------------------------------------------------------- English

function en(t: TemplateName, v: MailVars): Body {
  const branch = opt(v.branchName);
  const who = branch ?? 'the branch';
  const Who = branch ?? 'The branch';
  const sfx = branch ? ` (${branch})` : '';
  const title = opt(v.cycleTitle) ?? 'the review';
  const d = validDeadline(v);
  const kind = d?.kind;
  const label = kind ? DEADLINE_LABEL[kind].en : 'deadline';
  const reason = opt(v.reason) && `Reason: ${opt(v.reason)}`;
  const place = v.meeting && opt(v.meeting.place);
  const meetingAt = v.meeting && opt(v.meeting.at);
  const meeting = meetingAt || place ? `Live review meeting: ${[meetingAt, place].filter(Boolean).join(', ')}.` : undefined;
  const topics = (v.topics ?? []).map(opt).filter((x): x is string => !!x);
  const item = v.item && opt(v.item.problem) ? v.item : undefined;
  const itemLine = item && `Item${opt(item.id) ? ` ${item.id}` : ''}: ${item.problem}`;
  const result = validResult(v);

  const days = (n: number) => `${n} day${n === 1 ? '' : 's'}`;
  const left = (n: number) => (n > 0 ? `${days(n)} left` : n === 0 ? 'due today' : `${days(-n)} overdue`);
  const ask = (action: string) => (d ? `Please ${action} by ${d.at} (${left(d.daysLeft)}).` : `Please ${action} as soon as possible.`);
  const action = (k: DeadlineKindName | undefined): string => {
    switch (k) {
      case 'materials': return 'submit your report materials';
      case 'scoring': return branch ? `submit your scores for ${branch}` : 'submit your scores';
      case 'plan': return 'submit your improvement plan';
      case 'followUp': return 'complete the improvement items and report progress';
      default: return 'complete the pending task';
    }
  };

  switch (t) {
    case 'notice':
      return {
        subject: `${title}: please acknowledge and submit your report materials${sfx}`,
        lead: ask('acknowledge this notice and submit your report materials'),
        blocks: [
          `${title} has been launched. The arrangements are as follows.`,
          topics.length > 0 && { title: 'Topics of the report:', items: topics },
          meeting,
          meeting && 'The live review consists of a report, questions and answers. The calendar invitation is attached.',
          'Please acknowledge this notice in the system and prepare your report materials as required.',
        ],
      };
    case 'materialsSubmitted':
      return {
        subject: `To review: report materials of ${who}`,
        lead: `Please review the report materials submitted by ${who} (accept or return).`,
        blocks: [`${Who} has submitted its report materials for ${title}.`],
      };
    case 'materialsReturned':
      return {
        subject: `Report materials returned: please revise and resubmit${sfx}`,
        lead: ask('revise and resubmit your report materials'),
        blocks: ['The Party Committee Office has reviewed your report materials and returned them.', reason, 'Please revise them according to the comments and submit them again.'],
      };
    case 'materialsAccepted':
      return {
        subject: `Report materials accepted${sfx}`,
        lead: meetingAt
          ? `Your report materials were accepted; please present at the live review on ${meetingAt}${place ? ` in ${place}` : ''}.`
          : 'Your report materials were accepted; please present at the live review.',
        blocks: [meeting, 'The live review consists of a report, questions and answers; please prepare accordingly.'],
      };
    case 'scoreRequest':
      return {
        subject: branch ? `Please score ${branch}` : 'Please submit your scores',
        lead: ask(action('scoring')),
        blocks: [`${Who} has presented at the live review. Please score each criterion and submit.`, 'Your scores are visible only to you until the results are published.'],
      };
    case 'scored':
      return {
        subject: `Every score is in: ${who}`,
        lead: `Every expected score for ${who} has been submitted.`,
        blocks: ['Once every branch is scored, the results can be confirmed and published.'],
      };
    case 'results':
      return {
        subject: `Results published: please submit your improvement plan${sfx}`,
        lead: ask('submit your improvement plan'),
        blocks: [
          `The results of ${title} have been published.`,
          result && `Your branch: final score ${fmtScore(result.final)}, grade "${result.grade}", rank ${result.rank} of ${result.of}.`,
          'For each problem identified, please set out the measure, the person responsible and the due date.',
        ],
      };
    case 'planSubmitted':
      return {
        subject: `To review: improvement plan of ${who}`,
        lead: `Please review the improvement plan submitted by ${who} (approve or return).`,
        blocks: [`${Who} has submitted its improvement plan for ${title}.`],
      };
    case 'planReturned':
      return {
        subject: `Improvement plan returned: please revise and resubmit${sfx}`,
        lead: ask('revise and resubmit your improvement plan'),
        blocks: ['The Party Committee Office has reviewed your improvement plan and returned it.', reason, 'Please revise it according to the comments and submit it again.'],
      };
    case 'planApproved':
      return {
        subject: `Improvement plan approved: please carry it out${sfx}`,
        lead: ask('complete the improvement items and report progress'),
        blocks: ['The Party Committee Office has approved your improvement plan.', 'Please carry out each measure, upload supporting evidence and report progress.'],
      };
    case 'progressReported':
      return {
        subject: `To verify: progress reported by ${who}`,
        lead: `Please verify the progress reported by ${who} and close the item if it is complete.`,
        blocks: [itemLine],
      };
    case 'itemVerified':
      return {
        subject: `Improvement item verified${sfx}`,
        lead: `Improvement item${item && opt(item.id) ? ` ${item.id}` : ''} of your branch has been verified and closed.`,
        blocks: [item && `Problem: ${item.problem}`, 'Please keep working on the remaining items.'],
      };
    case 'closed':
      return {
        subject: `Review complete: ${who}`,
        lead: `Every improvement item of ${who} has been verified; its review for ${title} is complete.`,
        blocks: ['Thank you for your work in this review.'],
      };
    case 'deadlineExtended':
      return {
        subject: `Deadline extended: ${label}${sfx}`,
        lead: ask(action(kind)),
        blocks: [d && `The Party Committee Office has extended the ${label} deadline to ${d.at}.`, reason],
      };
    case 'exempted':
      return {
        subject: `${Who} is exempted from this year's review`,
        lead: `${Who} is exempted from ${title} by decision of the Party Committee.`,
        blocks: [reason, 'Nothing more needs to be done for this branch in this cycle.'],
      };
    case 'reminder': {
      const step = v.step ?? (d ? (d.daysLeft < 0 ? 'overdue' : d.daysLeft === 0 ? 'd0' : d.daysLeft === 1 ? 'd-1' : 'd-3') : undefined);
      const when =
        step === 'd0' ? 'today' : step === 'd-1' ? 'tomorrow' : step === 'd-3' ? `in ${days(d && d.daysLeft > 1 ? d.daysLeft : 3)}` : undefined;
      return {
        subject: step === 'overdue' ? `Reminder: ${label} is overdue${sfx}` : `Reminder: ${label} due ${when ?? 'soon'}${sfx}`,
        lead: ask(action(kind)),
        blocks: [
          step === 'overdue'
            ? `The ${label} deadline has passed; please act without delay.`
            : `A friendly reminder: the ${label} deadline is ${when ?? 'near'}${d ? ` (${d.at})` : ''}.`,
        ],
      };
    }
    case 'overdue':
      return {
        subject: `Overdue: ${label}${sfx}`,
        lead: d
          ? `The ${label} deadline passed at ${d.at}${d.daysLeft < 0 ? ` (${days(-d.daysLeft)} overdue)` : ''}; please ${action(kind)} now.`
          : 'The deadline has passed; please act now.',
        blocks: ['The Party Committee Office and the Party Committee leaders have been informed.'],
      };
    case 'escalation':
      return {
        subject: `Follow-up needed: ${who} is overdue on ${label}`,
        lead: d
          ? `${Who} is overdue on ${label} (deadline ${d.at}${d.daysLeft < 0 ? `, ${days(-d.daysLeft)} overdue` : ''}); please follow up.`
          : `${Who} is overdue on ${label}; please follow up.`,
        blocks: [opt(v.responsible) && `Who must act: ${opt(v.responsible)}`, `Cycle: ${title}`],
      };
    case 'resultsPublished':
      return {
        subject: `Results published: ${title}`,
        lead: `The results of ${title} have been published.`,
        blocks: ['Scores, grades and ranks of every branch are on the dashboard.'],
      };
    case 'cycleArchived':
      return {
        subject: `Cycle archived: ${title}`,
        lead: `Every branch of ${title} is closed or exempted; the cycle has been archived.`,
        blocks: ['All materials, scores and improvement records are archived and remain available in the system.'],
      };
    case 'invitation':
      return {
        subject: 'Please set your Shuping password',
        lead: d ? `Please set your Shuping password with the link below by ${d.at} (${left(d.daysLeft)}).` : 'Please set your Shuping password with the link below.',
        blocks: [
          `You have been added to ${title} as ${ROLE_LABEL[v.recipientRole]?.en ?? 'a participant'}. Set a password to sign in.`,
          `The link can be used once${d ? ` and is valid until ${d.at}` : ''}.`,
          'If you did not expect this mail, please ignore it.',
        ],
      };
    case 'passwordReset':
      return {
        subject: 'Reset your Shuping password',
        lead: `Please reset your Shuping password with the link below${d ? ` (valid until ${d.at})` : ''}.`,
        blocks: ['The link can be used once. If you did not ask for this, please ignore this mail; your password stays unchanged.'],
      };
  }
}

// ---------------------------------------------------------------- rendering

const isBlockList = (b: Block): b is { title: string; items: string[] } => typeof b === 'object' && b !== null;

/** Only web links become anchors; anything else is shown as text. */
const isWebLink = (url: string) => /^https?:\/\//i.test(url);

export function renderMail(template: TemplateName, locale: Locale, vars: MailVars): RenderedMail {
  const isEn = locale === 'en';
  const body = isEn ? en(template, vars) : zh(template, vars);
  const blocks = body.blocks.filter((b): b is string | { title: string; items: string[] } =>
    isBlockList(b) ? b.items.length > 0 : typeof b === 'string' && b.length > 0,
  );
  const name = opt(vars.recipientName);
  // Copies to bare addresses (抄送) carry the address as the name: greet them neutrally.
  const named = name && !name.includes('@') ? name : undefined;
  const salutation = isEn ? (named ? `Dear ${named},` : 'Hello,') : named ? `${named}同志：` : '您好：';
  const openLabel = isEn ? 'Open: ' : '办理链接：';
  const signOff = isEn ? 'Party Committee Office' : '党委办公室';
  const subject = `${isEn ? '[Shuping]' : '【述评】'} ${body.subject}`;
  const link = vars.link.trim();

  const textBlocks = blocks.map((b) => (isBlockList(b) ? [b.title, ...b.items.map((x, i) => `  ${i + 1}. ${x}`)].join('\n') : b));
  const text = [body.lead, '', salutation, '', ...textBlocks, '', `${openLabel}${link}`, '', signOff, ''].join('\n');

  const e = escapeHtml;
  const htmlBlocks = blocks.map((b) =>
    isBlockList(b) ? `<p>${e(b.title)}</p>\n<ol>${b.items.map((x) => `<li>${e(x)}</li>`).join('')}</ol>` : `<p>${e(b)}</p>`,
  );
  const linkHtml = isWebLink(link) ? `<a href="${e(link)}" style="color:#C8161D">${e(link)}</a>` : e(link);
  const html = [
    `<!doctype html>`,
    `<html lang="${isEn ? 'en' : 'zh-CN'}"><head><meta charset="utf-8"><title>${e(subject)}</title></head>`,
    `<body style="font-family:'PingFang SC','Microsoft YaHei','Noto Sans CJK SC',Arial,sans-serif;color:#222;line-height:1.7;max-width:640px">`,
    `<h2 style="color:#C8161D;font-size:17px;border-bottom:2px solid #C8161D;padding-bottom:6px">${e(body.lead)}</h2>`,
    `<p>${e(salutation)}</p>`,
    ...htmlBlocks,
    `<p>${e(openLabel)}${linkHtml}</p>`,
    `<p style="margin-top:24px">${e(signOff)}</p>`,
    `</body></html>`,
    '',
  ].join('\n');
  return { subject, text, html };
}
