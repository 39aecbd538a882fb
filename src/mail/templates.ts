// Mail templates, Simplified Chinese by default and English by choice. The first line of every mail
// says what to do and by when; then the salutation, the details, and the link to the page to do it.
export type Locale = 'zh-CN' | 'en';
export type DeadlineKindName = 'materials' | 'scoring' | 'plan' | 'followUp';
export type TemplateName =
  | 'notice'
  | 'materialsSubmitted'
  | 'materialsReturned'
  | 'materialsAccepted'
  | 'scoreRequest'
  | 'scored'
  | 'results'
  | 'planSubmitted'
  | 'planReturned'
  | 'planApproved'
  | 'progressReported'
  | 'itemVerified'
  | 'closed'
  | 'deadlineExtended'
  | 'exempted'
  | 'reminder'
  | 'overdue'
  | 'escalation'
  | 'resultsPublished'
  | 'cycleArchived'
  | 'invitation'
  | 'passwordReset';

export interface MailVars {
  recipientName: string;
  recipientRole: 'secretary' | 'office' | 'leader' | 'evaluator';
  cycleTitle: string;
  branchCode?: string;
  branchName?: string;
  deadline?: { kind: DeadlineKindName; at: string; daysLeft: number };
  step?: 'd-3' | 'd-1' | 'd0' | 'overdue';
  reason?: string;
  link: string;
  meeting?: { at: string; place: string };
  topics?: string[];
  result?: { final: number; grade: string; rank: number; of: number };
  item?: { id: string; problem: string };
  responsible?: string;
}

export interface RenderedMail { subject: string; text: string; html: string }

const DEADLINE_LABEL: Record<DeadlineKindName, Record<Locale, string>> = {
  materials: { 'zh-CN': '述职材料提交', en: 'report materials submission' },
  scoring: { 'zh-CN': '评分', en: 'scoring' },
  plan: { 'zh-CN': '整改方案提交', en: 'improvement plan submission' },
  followUp: { 'zh-CN': '整改落实', en: 'completion of the improvement plan' },
};

/** What the person must do for each deadline kind, as an imperative. */
const DEADLINE_ACTION: Record<DeadlineKindName, Record<Locale, string>> = {
  materials: { 'zh-CN': '提交述职材料', en: 'submit your report materials' },
  scoring: { 'zh-CN': '完成评分', en: 'submit your scores' },
  plan: { 'zh-CN': '提交整改方案', en: 'submit your improvement plan' },
  followUp: { 'zh-CN': '完成全部整改事项并报告进展', en: 'complete every improvement item and report progress' },
};

export const deadlineLabel = (kind: DeadlineKindName, locale: Locale): string => DEADLINE_LABEL[kind][locale];

interface Body {
  subject: string;
  /** The first line: what to do and by when, or the news itself. */
  lead: string;
  lines: (string | undefined | false)[];
}

function zhBy(v: MailVars): string {
  const d = v.deadline;
  if (!d) return '';
  const left = d.daysLeft > 0 ? `（剩余${d.daysLeft}天）` : d.daysLeft === 0 ? '（今天截止）' : `（已逾期${-d.daysLeft}天）`;
  return `${d.at}前${left}`;
}

function enBy(v: MailVars): string {
  const d = v.deadline;
  if (!d) return '';
  const left = d.daysLeft > 1 ? `${d.daysLeft} days left` : d.daysLeft === 1 ? '1 day left' : d.daysLeft === 0 ? 'due today' : `${-d.daysLeft} day(s) overdue`;
  return `by ${d.at} (${left})`;
}

function zh(t: TemplateName, v: MailVars): Body {
  const branch = v.branchName ?? '';
  const kind = v.deadline?.kind;
  const act = kind ? DEADLINE_ACTION[kind]['zh-CN'] : '';
  const by = zhBy(v);
  const meeting = v.meeting && `现场述职会议：${v.meeting.at}，${v.meeting.place}。`;
  const reason = v.reason && `原因：${v.reason}`;
  switch (t) {
    case 'notice':
      return {
        subject: `述职评议通知：请确认并提交述职材料（${branch}）`,
        lead: `请于${by}确认通知并提交述职材料。`,
        lines: [
          `${v.cycleTitle}已启动，现将有关事项通知如下。`,
          v.topics?.length ? `述职内容：\n${v.topics.map((x, i) => `  ${i + 1}. ${x}`).join('\n')}` : undefined,
          meeting,
          '会议日程见附件日历邀请（meeting.ics）。',
        ],
      };
    case 'materialsSubmitted':
      return { subject: `待审核：${branch}已提交述职材料`, lead: `请审核${branch}提交的述职材料（通过或退回）。`, lines: [`${branch}已提交述职材料，等待党委办公室审核。`] };
    case 'materialsReturned':
      return { subject: `述职材料被退回，请修改后重新提交（${branch}）`, lead: `请于${by}修改并重新提交述职材料。`, lines: [reason, '请根据意见修改后重新提交。'] };
    case 'materialsAccepted':
      return { subject: `述职材料已通过审核（${branch}）`, lead: `述职材料已通过审核，请按时参加现场述职。`, lines: [meeting, '请准备好汇报内容，每个支部依次述职并回答考评组提问。'] };
    case 'scoreRequest':
      return { subject: `请为${branch}评分`, lead: `请于${by}为${branch}完成评分。`, lines: [`${branch}已完成现场述职，请按评分细则逐项打分并提交。`, '评分结果公布前仅您本人可见。'] };
    case 'scored':
      return { subject: `${branch}评分已全部完成`, lead: `${branch}的评分已全部提交，待全部支部评分完成后可公布结果。`, lines: [] };
    case 'results':
      return {
        subject: `述职评议结果已公布，请提交整改方案（${branch}）`,
        lead: `请于${by}提交整改方案。`,
        lines: [
          v.result && `本支部最终得分 ${v.result.final} 分，评定等次“${v.result.grade}”，排名第 ${v.result.rank} 名（共 ${v.result.of} 个支部）。`,
          '请针对查找出的问题，逐项列出问题、措施、责任人和完成时限。',
        ],
      };
    case 'planSubmitted':
      return { subject: `待审核：${branch}已提交整改方案`, lead: `请审核${branch}的整改方案（批准或退回）。`, lines: [] };
    case 'planReturned':
      return { subject: `整改方案被退回，请修改后重新提交（${branch}）`, lead: `请于${by}修改并重新提交整改方案。`, lines: [reason] };
    case 'planApproved':
      return { subject: `整改方案已批准，请抓好落实（${branch}）`, lead: `请于${by}完成全部整改事项并报告进展。`, lines: ['请逐项落实整改措施，及时上传佐证材料并报告进展。'] };
    case 'progressReported':
      return {
        subject: `待核验：${branch}报告了整改进展`,
        lead: `请核验${branch}的整改进展并销号。`,
        lines: [v.item && `整改事项 ${v.item.id}：${v.item.problem}`],
      };
    case 'itemVerified':
      return { subject: `整改事项已销号（${branch}）`, lead: `整改事项${v.item ? ` ${v.item.id}` : ''}已核验销号。`, lines: [v.item && `问题：${v.item.problem}`] };
    case 'closed':
      return { subject: `${branch}述职评议已全部完成`, lead: `${branch}全部整改事项已销号，本年度述职评议完成。`, lines: [] };
    case 'deadlineExtended':
      return {
        subject: `${kind ? DEADLINE_LABEL[kind]['zh-CN'] : ''}截止时间已延长（${branch}）`,
        lead: `请于${by}${act}。`,
        lines: [`${kind ? DEADLINE_LABEL[kind]['zh-CN'] : ''}截止时间已调整为 ${v.deadline?.at ?? ''}。`],
      };
    case 'exempted':
      return { subject: `${branch}本年度免于述评`, lead: `${branch}本年度免于述职评议，无需再办理。`, lines: [reason] };
    case 'reminder': {
      const when = v.step === 'd0' ? '今天' : v.step === 'd-1' ? '明天' : `${v.deadline?.daysLeft ?? 3}天后`;
      return { subject: `提醒：${kind ? DEADLINE_LABEL[kind]['zh-CN'] : ''}${when}截止（${branch}）`, lead: `请于${by}${act}。`, lines: [`${kind ? DEADLINE_LABEL[kind]['zh-CN'] : ''}将于${when}截止。`] };
    }
    case 'overdue':
      return { subject: `已逾期：${kind ? DEADLINE_LABEL[kind]['zh-CN'] : ''}（${branch}）`, lead: `${kind ? DEADLINE_LABEL[kind]['zh-CN'] : ''}已于${v.deadline?.at ?? ''}截止，请立即${act}。`, lines: ['逾期情况已报党委办公室和党委领导。'] };
    case 'escalation':
      return {
        subject: `督办：${branch}${kind ? DEADLINE_LABEL[kind]['zh-CN'] : ''}已逾期`,
        lead: `请督促${branch}${v.responsible ? `（${v.responsible}）` : ''}尽快${act}，截止时间为${v.deadline?.at ?? ''}。`,
        lines: [`${branch}未在截止时间前完成${kind ? DEADLINE_LABEL[kind]['zh-CN'] : ''}。`],
      };
    case 'resultsPublished':
      return { subject: `${v.cycleTitle}结果已公布`, lead: `${v.cycleTitle}评议结果已公布，可在进度看板查看。`, lines: [] };
    case 'cycleArchived':
      return { subject: `${v.cycleTitle}已全部完成并归档`, lead: `${v.cycleTitle}所有支部均已完成或免于述评，周期已归档。`, lines: [] };
    case 'invitation':
      return { subject: '请设置述评系统登录密码', lead: `请于${by}通过下方链接设置登录密码。`, lines: [`您已被添加为${v.cycleTitle}的参与人员。`, '链接仅可使用一次。'] };
    case 'passwordReset':
      return { subject: '重置述评系统登录密码', lead: `请${by ? `于${by}` : ''}通过下方链接重置登录密码。`, lines: ['如非本人操作，请忽略本邮件。链接仅可使用一次。'] };
  }
}

function en(t: TemplateName, v: MailVars): Body {
  const branch = v.branchName ?? '';
  const kind = v.deadline?.kind;
  const act = kind ? DEADLINE_ACTION[kind].en : '';
  const label = kind ? DEADLINE_LABEL[kind].en : '';
  const by = enBy(v);
  const meeting = v.meeting && `Live review meeting: ${v.meeting.at}, ${v.meeting.place}.`;
  const reason = v.reason && `Reason: ${v.reason}`;
  switch (t) {
    case 'notice':
      return {
        subject: `Review notice: acknowledge and submit your report (${branch})`,
        lead: `Please acknowledge this notice and submit your report materials ${by}.`,
        lines: [
          `${v.cycleTitle} has been launched.`,
          v.topics?.length ? `Topics:\n${v.topics.map((x, i) => `  ${i + 1}. ${x}`).join('\n')}` : undefined,
          meeting,
          'The meeting invitation is attached (meeting.ics).',
        ],
      };
    case 'materialsSubmitted':
      return { subject: `To review: ${branch} submitted report materials`, lead: `Please review the report materials of ${branch} (accept or return).`, lines: [] };
    case 'materialsReturned':
      return { subject: `Report materials returned (${branch})`, lead: `Please revise and resubmit your report materials ${by}.`, lines: [reason] };
    case 'materialsAccepted':
      return { subject: `Report materials accepted (${branch})`, lead: 'Your report materials were accepted; please attend the live review.', lines: [meeting] };
    case 'scoreRequest':
      return { subject: `Please score ${branch}`, lead: `Please submit your scores for ${branch} ${by}.`, lines: ['Your scores are visible only to you until results are published.'] };
    case 'scored':
      return { subject: `${branch}: every score is in`, lead: `Every expected score for ${branch} has been submitted.`, lines: [] };
    case 'results':
      return {
        subject: `Results published: submit your improvement plan (${branch})`,
        lead: `Please submit your improvement plan ${by}.`,
        lines: [v.result && `Final score ${v.result.final}, grade ${v.result.grade}, rank ${v.result.rank} of ${v.result.of}.`],
      };
    case 'planSubmitted':
      return { subject: `To review: improvement plan of ${branch}`, lead: `Please review the improvement plan of ${branch} (approve or return).`, lines: [] };
    case 'planReturned':
      return { subject: `Improvement plan returned (${branch})`, lead: `Please revise and resubmit your improvement plan ${by}.`, lines: [reason] };
    case 'planApproved':
      return { subject: `Improvement plan approved (${branch})`, lead: `Please complete every improvement item and report progress ${by}.`, lines: [] };
    case 'progressReported':
      return { subject: `To verify: progress reported by ${branch}`, lead: `Please verify the progress reported by ${branch}.`, lines: [v.item && `Item ${v.item.id}: ${v.item.problem}`] };
    case 'itemVerified':
      return { subject: `Improvement item verified (${branch})`, lead: `Improvement item${v.item ? ` ${v.item.id}` : ''} has been verified.`, lines: [v.item && `Problem: ${v.item.problem}`] };
    case 'closed':
      return { subject: `${branch}: review complete`, lead: `Every improvement item of ${branch} is verified; the review is complete.`, lines: [] };
    case 'deadlineExtended':
      return { subject: `Deadline extended: ${label} (${branch})`, lead: `Please ${act} ${by}.`, lines: [`The ${label} deadline is now ${v.deadline?.at ?? ''}.`] };
    case 'exempted':
      return { subject: `${branch} is exempted from this year's review`, lead: `${branch} is exempted from this year's review; nothing more is needed.`, lines: [reason] };
    case 'reminder': {
      const when = v.step === 'd0' ? 'today' : v.step === 'd-1' ? 'tomorrow' : `in ${v.deadline?.daysLeft ?? 3} days`;
      return { subject: `Reminder: ${label} due ${when} (${branch})`, lead: `Please ${act} ${by}.`, lines: [`The ${label} deadline is ${when}.`] };
    }
    case 'overdue':
      return { subject: `Overdue: ${label} (${branch})`, lead: `The ${label} deadline passed at ${v.deadline?.at ?? ''}: please ${act} now.`, lines: ['The Party Committee Office and the leaders have been informed.'] };
    case 'escalation':
      return {
        subject: `Overdue: ${label} of ${branch}`,
        lead: `Please follow up with ${branch}${v.responsible ? ` (${v.responsible})` : ''}: the ${label} deadline was ${v.deadline?.at ?? ''}.`,
        lines: [],
      };
    case 'resultsPublished':
      return { subject: `${v.cycleTitle}: results published`, lead: `The results of ${v.cycleTitle} are published; see the dashboard.`, lines: [] };
    case 'cycleArchived':
      return { subject: `${v.cycleTitle}: complete and archived`, lead: `Every branch of ${v.cycleTitle} is closed or exempted; the cycle is archived.`, lines: [] };
    case 'invitation':
      return { subject: 'Set your Shuping password', lead: `Please set your password with the link below ${by}.`, lines: [`You have been added to ${v.cycleTitle}.`, 'The link works once.'] };
    case 'passwordReset':
      return { subject: 'Reset your Shuping password', lead: `Please reset your password with the link below${by ? ` ${by}` : ''}.`, lines: ['If you did not ask for this, ignore this mail. The link works once.'] };
  }
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function renderMail(template: TemplateName, locale: Locale, vars: MailVars): RenderedMail {
  const body = locale === 'en' ? en(template, vars) : zh(template, vars);
  const details = body.lines.filter((l): l is string => typeof l === 'string' && l.length > 0);
  const salutation = locale === 'en' ? `Dear ${vars.recipientName},` : `${vars.recipientName}同志：`;
  const openLabel = locale === 'en' ? 'Open: ' : '办理链接：';
  const signOff = locale === 'en' ? 'Party Committee Office' : '党委办公室';
  const subject = `${locale === 'en' ? '[Shuping]' : '【述评】'} ${body.subject}`;
  const text = [body.lead, '', salutation, '', ...details, '', `${openLabel}${vars.link}`, '', signOff, ''].join('\n');
  const html = `<!doctype html><html><body style="font-family:'PingFang SC','Microsoft YaHei','Noto Sans CJK SC',sans-serif;color:#222;line-height:1.6">
<p style="color:#C8161D;font-weight:bold;font-size:16px">${escapeHtml(body.lead)}</p>
<p>${escapeHtml(salutation)}</p>
${details.map((l) => `<p>${escapeHtml(l).replace(/\n/g, '<br>')}</p>`).join('\n')}
<p><a href="${escapeHtml(vars.link)}" style="color:#C8161D">${escapeHtml(locale === 'en' ? 'Open Shuping' : '进入述评系统办理')}</a><br><span style="color:#888">${escapeHtml(vars.link)}</span></p>
<p>${escapeHtml(signOff)}</p>
</body></html>`;
  return { subject, text, html };
}
