// 中文 wording of every mail: subjects, first lines (what to do and by when), body sentences.
// Keys are `<template>.<part>`; `common.*` is shared by templates, `mail.*` frames every mail.
// This catalogue is the reference: `Catalogue` is its type, and en.ts must match it key for key.
import type * as closed from '../templates/closed';
import type * as cycleArchived from '../templates/cycleArchived';
import type * as deadlineExtended from '../templates/deadlineExtended';
import type * as escalation from '../templates/escalation';
import type * as exempted from '../templates/exempted';
import type * as invitation from '../templates/invitation';
import type * as itemVerified from '../templates/itemVerified';
import type * as materialsAccepted from '../templates/materialsAccepted';
import type * as materialsReturned from '../templates/materialsReturned';
import type * as materialsSubmitted from '../templates/materialsSubmitted';
import type * as notice from '../templates/notice';
import type * as overdue from '../templates/overdue';
import type * as passwordReset from '../templates/passwordReset';
import type * as planApproved from '../templates/planApproved';
import type * as planReturned from '../templates/planReturned';
import type * as planSubmitted from '../templates/planSubmitted';
import type * as progressReported from '../templates/progressReported';
import type * as quarterNotice from '../templates/quarterNotice';
import type * as quarterResults from '../templates/quarterResults';
import type * as reminder from '../templates/reminder';
import type * as results from '../templates/results';
import type * as resultsPublished from '../templates/resultsPublished';
import type * as scored from '../templates/scored';
import type * as scoreRequest from '../templates/scoreRequest';
import type * as selfAssessmentReturned from '../templates/selfAssessmentReturned';
import type * as selfAssessmentSubmitted from '../templates/selfAssessmentSubmitted';
import type { Deadline, DeadlineKindName, Item, MailVars, Meeting, Named, Result } from '../templates/shared';

const LABEL: Record<DeadlineKindName, string> = {
  materials: '述职材料提交',
  scoring: '评分',
  plan: '整改方案提交',
  followUp: '整改落实',
  selfAssessment: '季度自评提交',
  review: '季度考核评分',
};
const ROLE: Record<MailVars['recipientRole'], string> = {
  secretary: '党支部书记',
  office: '党委办公室',
  leader: '党委书记/委员',
  evaluator: '考评组成员',
};

const title = (f: Named) => f.title ?? '述职评议';
const who = (f: Named) => f.branch ?? '支部';
/** （机关第一党支部） after a subject, when the branch is known. */
const sfx = (f: Named) => (f.branch ? `（${f.branch}）` : '');
const label = (d: Deadline | undefined) => (d ? LABEL[d.kind] : '');
const left = (n: number) => (n > 0 ? `（剩余${n}天）` : n === 0 ? '（今天截止）' : `（已逾期${-n}天）`);
/** 请于……前……（剩余N天）。 — or 请尽快…… when no deadline is known. */
const ask = (d: Deadline | undefined, action: string) => (d ? `请于${d.at}前${action}${left(d.daysLeft)}。` : `请尽快${action}。`);
/** What a deadline asks of the reader. */
const action = (kind: DeadlineKindName | undefined, f: Named): string => {
  switch (kind) {
    case 'materials': return '提交述职材料';
    case 'scoring': return f.branch ? `完成对${f.branch}的评分` : '完成评分';
    case 'plan': return '提交整改方案';
    case 'followUp': return '完成整改事项并报告整改进展';
    case 'selfAssessment': return '逐项提交季度自评及佐证材料';
    case 'review': return f.branch ? `完成对${f.branch}季度自评的审核评分` : '完成季度自评的审核评分';
    default: return '办理相关事项';
  }
};
const when = (f: reminder.Facts) =>
  f.step === 'd0' ? '今天' : f.step === 'd-1' ? '明天' : f.step === 'd-3' ? `${f.inDays}天后` : undefined;

export const zhCN = {
  'mail.subject': (subject: string) => `【述评】 ${subject}`,
  'mail.salutation': (name: string | undefined) => (name ? `${name}同志：` : '您好：'),
  'mail.open': '办理链接：',
  'mail.signOff': '党委办公室',

  'deadline.label': (kind: DeadlineKindName) => LABEL[kind],
  'common.meeting': (m: Meeting) => `现场述职会议：${[m.at && `时间 ${m.at}`, m.place && `地点 ${m.place}`].filter(Boolean).join('，')}。`,
  'common.reason': (reason: string) => `原因：${reason}`,

  'notice.subject': (f: notice.Facts) => `${title(f)}通知：请确认并提交述职材料${sfx(f)}`,
  'notice.lead': (f: notice.Facts) => ask(f.deadline, '确认本通知并提交述职材料'),
  'notice.launched': (f: notice.Facts) => `根据党委工作安排，${title(f)}现已启动，现将有关事项通知如下。`,
  'notice.topics': '述职内容：',
  'notice.meetingFormat': '现场述职按“述、问、答”方式进行，会议日历邀请见附件。',
  'notice.acknowledge': '请登录系统确认收到本通知，并按要求准备、提交述职材料。',

  'materialsSubmitted.subject': (f: materialsSubmitted.Facts) => `待审核：${who(f)}已提交述职材料`,
  'materialsSubmitted.lead': (f: materialsSubmitted.Facts) => `请审核${who(f)}提交的述职材料（通过或退回）。`,
  'materialsSubmitted.submitted': (f: materialsSubmitted.Facts) => `${who(f)}已提交${title(f)}述职材料，请党委办公室审核。`,

  'materialsReturned.subject': (f: materialsReturned.Facts) => `述职材料已退回，请修改后重新提交${sfx(f)}`,
  'materialsReturned.lead': (f: materialsReturned.Facts) => ask(f.deadline, '修改并重新提交述职材料'),
  'materialsReturned.returned': '您支部提交的述职材料经党委办公室审核，现予退回。',
  'materialsReturned.revise': '请根据审核意见修改完善后重新提交。',

  'materialsAccepted.subject': (f: materialsAccepted.Facts) => `述职材料已通过审核${sfx(f)}`,
  'materialsAccepted.lead': ({ meeting: m }: materialsAccepted.Facts) =>
    m?.at ? `述职材料已通过审核，请于${m.at}${m.place ? `到${m.place}` : ''}参加现场述职。` : '述职材料已通过审核，请按时参加现场述职。',
  'materialsAccepted.prepare': '现场述职按“述、问、答”方式进行，请认真做好述职准备。',

  'scoreRequest.subject': (f: scoreRequest.Facts) => (f.branch ? `请为${f.branch}评分` : '请完成评分'),
  'scoreRequest.lead': (f: scoreRequest.Facts) => ask(f.deadline, action('scoring', f)),
  'scoreRequest.presented': (f: scoreRequest.Facts) => `${who(f)}已完成现场述职，请对照评分细则逐项评分并提交。`,
  'scoreRequest.private': '评分在结果公布前仅您本人可见。',

  'scored.subject': (f: scored.Facts) => `${who(f)}评分已全部完成`,
  'scored.lead': (f: scored.Facts) => `${who(f)}的评分已全部收齐。`,
  'scored.next': '全部支部评分完成后，可审定并公布评议结果。',

  'results.subject': (f: results.Facts) => `述职评议结果已公布，请提交整改方案${sfx(f)}`,
  'results.lead': (f: results.Facts) => ask(f.deadline, '提交整改方案'),
  'results.published': (f: results.Facts) => `${title(f)}评议结果已公布。`,
  'results.score': (r: Result) => `本支部最终得分${r.final}分，评定等次为“${r.grade}”，在${r.of}个支部中排名第${r.rank}名。`,
  'results.plan': '请针对述职评议中查找出的问题，逐项明确整改措施、责任人和完成时限。',

  'planSubmitted.subject': (f: planSubmitted.Facts) => `待审核：${who(f)}已提交整改方案`,
  'planSubmitted.lead': (f: planSubmitted.Facts) => `请审核${who(f)}提交的整改方案（批准或退回）。`,
  'planSubmitted.submitted': (f: planSubmitted.Facts) => `${who(f)}已提交${title(f)}整改方案，请党委办公室审核。`,

  'planReturned.subject': (f: planReturned.Facts) => `整改方案已退回，请修改后重新提交${sfx(f)}`,
  'planReturned.lead': (f: planReturned.Facts) => ask(f.deadline, '修改并重新提交整改方案'),
  'planReturned.returned': '您支部提交的整改方案经党委办公室审核，现予退回。',
  'planReturned.revise': '请根据审核意见修改完善后重新提交。',

  'planApproved.subject': (f: planApproved.Facts) => `整改方案已批准，请抓好整改落实${sfx(f)}`,
  'planApproved.lead': (f: planApproved.Facts) => ask(f.deadline, '完成整改事项并报告整改进展'),
  'planApproved.approved': '您支部的整改方案已经党委办公室审核批准。',
  'planApproved.carryOut': '请逐项抓好整改落实，及时上传佐证材料、报告整改进展。',

  'progressReported.subject': (f: progressReported.Facts) => `待核验：${who(f)}报告了整改进展`,
  'progressReported.lead': (f: progressReported.Facts) => `请核验${who(f)}报告的整改进展，符合要求的予以销号。`,
  'progressReported.item': (i: Item) => `整改事项：${i.id ? `${i.id} ` : ''}${i.problem}`,

  'itemVerified.subject': (f: itemVerified.Facts) => `整改事项已销号${sfx(f)}`,
  'itemVerified.lead': (f: itemVerified.Facts) => `您支部的整改事项${f.item?.id ? ` ${f.item.id} ` : ''}已核验销号。`,
  'itemVerified.problem': (i: Item) => `问题：${i.problem}`,
  'itemVerified.keepGoing': '请继续抓好其余整改事项的落实。',

  'closed.subject': (f: closed.Facts) => `${who(f)}述评工作已全部完成`,
  'closed.lead': (f: closed.Facts) => `${who(f)}全部整改事项已核验销号，${title(f)}该支部述评工作已完成。`,
  'closed.thanks': '感谢您对本次述职评议工作的支持。',

  'deadlineExtended.subject': (f: deadlineExtended.Facts) => `${label(f.deadline)}截止时间已延长${sfx(f)}`,
  'deadlineExtended.lead': (f: deadlineExtended.Facts) => ask(f.deadline, action(f.deadline?.kind, f)),
  'deadlineExtended.until': (d: Deadline) => `经党委办公室同意，${label(d)}截止时间已延长至${d.at}。`,

  'exempted.subject': (f: exempted.Facts) => `${who(f)}本年度免于述评`,
  'exempted.lead': (f: exempted.Facts) => `经党委研究，${who(f)}${title(f)}免于述评。`,
  'exempted.nothingMore': '该支部无需再办理本周期述评相关事项。',

  'reminder.subject': (f: reminder.Facts) => `提醒：${label(f.deadline)}${when(f) ?? '即将'}截止${sfx(f)}`,
  'reminder.subjectPassed': (f: reminder.Facts) => `提醒：${label(f.deadline)}已逾期${sfx(f)}`,
  'reminder.lead': (f: reminder.Facts) => ask(f.deadline, action(f.deadline?.kind, f)),
  'reminder.note': (f: reminder.Facts) =>
    `温馨提醒：${label(f.deadline)}将于${when(f) ?? '近日'}截止${f.deadline ? `（截止时间 ${f.deadline.at}）` : ''}，请合理安排、按时办理。`,
  'reminder.notePassed': (f: reminder.Facts) => `${label(f.deadline)}截止时间已过，请抓紧办理。`,

  'overdue.subject': (f: overdue.Facts) => `已逾期：${label(f.deadline) || '办理期限'}${sfx(f)}`,
  'overdue.lead': ({ deadline: d, ...f }: overdue.Facts) =>
    d
      ? `${label(d)}已于${d.at}截止${d.daysLeft < 0 ? `，现已逾期${-d.daysLeft}天` : ''}，请立即${action(d.kind, f)}。`
      : '办理期限已过，请立即办理。',
  'overdue.informed': '逾期情况已同时报党委办公室和党委领导。',

  'escalation.subject': (f: escalation.Facts) => `督办：${who(f)}${label(f.deadline)}已逾期`,
  'escalation.lead': ({ deadline: d, ...f }: escalation.Facts) =>
    d
      ? `${who(f)}${label(d)}已于${d.at}截止${d.daysLeft < 0 ? `（已逾期${-d.daysLeft}天）` : ''}，尚未完成，请予督办。`
      : `${who(f)}${label(d)}已逾期，尚未完成，请予督办。`,
  'escalation.responsible': (names: string) => `需办理人：${names}`,
  'escalation.cycle': (f: escalation.Facts) => `所属周期：${title(f)}`,

  'resultsPublished.subject': (f: resultsPublished.Facts) => `${title(f)}结果已公布`,
  'resultsPublished.lead': (f: resultsPublished.Facts) => `${title(f)}评议结果已公布。`,
  'resultsPublished.dashboard': '各支部得分、等次和排名可在进度看板查看。',

  'cycleArchived.subject': (f: cycleArchived.Facts) => `${title(f)}已完成并归档`,
  'cycleArchived.lead': (f: cycleArchived.Facts) => `${title(f)}各支部均已完成或免于述评，本周期已归档。`,
  'cycleArchived.archive': '全部材料、评分和整改记录已归档，可在系统中查阅。',

  'invitation.subject': '请设置述评系统登录密码',
  'invitation.lead': ({ deadline: d }: invitation.Facts) =>
    d ? `请于${d.at}前通过下方链接设置述评系统登录密码${left(d.daysLeft)}。` : '请通过下方链接设置述评系统登录密码。',
  'invitation.added': (f: invitation.Facts) =>
    `您已被添加为${title(f)}的${Object.hasOwn(ROLE, f.role) ? ROLE[f.role] : '参与人员'}，请设置密码后登录述评系统。`,
  'invitation.once': ({ deadline: d }: invitation.Facts) => `该链接仅可使用一次${d ? `，有效期至${d.at}` : ''}。`,
  'invitation.ignore': '如非本人操作，请忽略本邮件。',

  'passwordReset.subject': '重置述评系统登录密码',
  'passwordReset.lead': ({ deadline: d }: passwordReset.Facts) => `请通过下方链接重置述评系统登录密码${d ? `（链接有效期至${d.at}）` : ''}。`,
  'passwordReset.once': '该链接仅可使用一次。如非本人操作，请忽略本邮件，原密码继续有效。',

  'quarterNotice.subject': (f: quarterNotice.Facts) => `${title(f)}通知：请逐项自评并提交佐证材料${sfx(f)}`,
  'quarterNotice.lead': (f: quarterNotice.Facts) => ask(f.deadline, '逐项提交季度自评及佐证材料'),
  'quarterNotice.launched': (f: quarterNotice.Facts) => `根据党委工作安排，${title(f)}现已启动。`,
  'quarterNotice.how': '请登录系统，按考核指标逐项填写自评分数和说明，并上传佐证材料；党委办公室审核后逐项评分。',

  'selfAssessmentSubmitted.subject': (f: selfAssessmentSubmitted.Facts) => `待评分：${who(f)}已提交季度自评`,
  'selfAssessmentSubmitted.lead': (f: selfAssessmentSubmitted.Facts) => ask(f.deadline, `审核${who(f)}的季度自评并逐项评分（或退回）`),
  'selfAssessmentSubmitted.submitted': (f: selfAssessmentSubmitted.Facts) => `${who(f)}已提交${title(f)}自评，请党委办公室审核评分。`,

  'selfAssessmentReturned.subject': (f: selfAssessmentReturned.Facts) => `季度自评已退回，请修改后重新提交${sfx(f)}`,
  'selfAssessmentReturned.lead': (f: selfAssessmentReturned.Facts) => ask(f.deadline, '修改并重新提交季度自评'),
  'selfAssessmentReturned.returned': '您支部提交的季度自评经党委办公室审核，现予退回。',

  'quarterResults.subject': (f: quarterResults.Facts) => `${title(f)}结果已公布${sfx(f)}`,
  'quarterResults.lead': (f: quarterResults.Facts) => `${title(f)}结果已公布。`,
  'quarterResults.score': (r: Result) => `本支部得分${r.final}分，评定等次为“${r.grade}”，在${r.of}个支部中排名第${r.rank}名。`,
};

export type Catalogue = typeof zhCN;
export type MessageKey = keyof Catalogue;
