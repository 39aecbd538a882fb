// Every user-visible string of the web pages, in Simplified Chinese (default) and English.
// The names of phases, cycle states, workflow events, roles and deadlines are not written here:
// they come from the machines' vocabulary (workflows/phases.ts) as `phase_*`, `cycle_*`, `ev_*`,
// `role_*` and `dl_*` keys, so templates keep calling t('phase_' + p).
import {
  ALL_DEADLINE_KINDS,
  ALL_PHASES,
  CYCLE_KIND_LABELS,
  CYCLE_KINDS,
  QUARTERLY_EVENT_META,
  type AnyDeadlineKind,
  type CycleKind,
  type QuarterlyPhase,
  CYCLE_EVENT_META,
  CYCLE_STATES,
  cycleStateLabel,
  DEADLINE_KINDS,
  deadlineLabel,
  EVENT_META,
  eventLabel,
  phaseLabel,
  PHASES,
  ROLE_LABELS,
  roleLabel,
  type CycleState,
  type DeadlineKind,
  type Locale,
  type Phase,
  type Role,
  type WorkflowEventType,
} from '../../workflows/index';
import { REPORT_MESSAGES } from './i18nReports';
import { MEETING_MESSAGES } from './i18nMeeting';

export type { Locale };

type VocabularyKey = `phase_${Phase | QuarterlyPhase}` | `cycle_${CycleState}` | `ev_${WorkflowEventType}` | `role_${Role}` | `dl_${AnyDeadlineKind}` | `kind_${CycleKind}`;

function vocabulary(locale: Locale): Record<VocabularyKey, string> {
  const keys = <K extends string>(o: Record<K, unknown>) => Object.keys(o) as K[];
  const entries: [string, string][] = [
    // Every kind's phases, events and deadlines (the annual review's and the quarterly assessment's).
    ...ALL_PHASES.map((p): [string, string] => [`phase_${p}`, phaseLabel(p, locale)]),
    ...CYCLE_STATES.map((c): [string, string] => [`cycle_${c}`, cycleStateLabel(c, locale)]),
    ...[...keys(EVENT_META), ...keys(CYCLE_EVENT_META), ...keys(QUARTERLY_EVENT_META)].map((e): [string, string] => [`ev_${e}`, eventLabel(e, locale)]),
    ...keys(ROLE_LABELS).map((r): [string, string] => [`role_${r}`, roleLabel(r, locale)]),
    ...ALL_DEADLINE_KINDS.map((k): [string, string] => [`dl_${k}`, deadlineLabel(k, locale)]),
    ...CYCLE_KINDS.map((k): [string, string] => [`kind_${k}`, CYCLE_KIND_LABELS[k][locale]]),
  ];
  return Object.fromEntries(entries) as Record<VocabularyKey, string>;
}

const zhBase = {
  appName: '述评',
  appTitle: '基层党支部书记抓党建工作述职评议',
  signIn: '登录', signOut: '退出', email: '邮箱', password: '密码', forgot: '忘记密码？', newPassword: '新密码（至少 8 位）',
  setPassword: '设置密码', sendLink: '发送重置链接', linkSent: '如该邮箱已注册，重置链接已发送，请查收邮件。', passwordSet: '密码已设置，请登录。',
  language: 'English', nav_cycles: '述评周期', nav_dashboard: '进度看板', nav_tasks: '我的任务', nav_scoring: '待评分', nav_mail: '邮件队列',
  cycles: '述评周期', createCycle: '创建述评周期', configJson: '周期配置（JSON 文件）', configPaste: '或直接粘贴周期配置 JSON', branchesFile: '支部名单（CSV / Excel，可选）', panelFile: '考评组名单（CSV / Excel，可选）',
  create: '创建', launch: '启动', launchConfirm: '启动后将向各支部发送通知，确认启动？', year: '年度', title: '名称', state: '状态', open: '打开',
  board: '支部进度', branch: '支部', code: '编号', phase: '环节', deadline: '截止时间', daysLeft: '剩余天数', overdue: '逾期', overdueDays: '逾期天数',
  score: '得分', grade: '等次', rank: '排名', waitingOnOffice: '待党委办公室办理', actions: '操作', none: '无', all: '全部', filter: '筛选',
  publish: '公布结果', publishConfirm: '公布后各支部将收到结果并进入整改环节，确认公布？',
  ev_RESEND_NOTICE: '重发通知', ev_CREATE: '创建', ev_REMOVE_DEPUTY: '取消委托', ev_UPLOAD_FILE: '上传文件', ev_SAVE_SCORE_DRAFT: '保存评分草稿', ev_ISSUE_BALLOTS: '发放测评票', ev_CAST_BALLOT: '民主测评投票',
  role_deputy: '受托人', role_self: '本人', role_voter: '测评人', role_user: '用户', historyBy: '办理人', panelComments: '考评组意见（不署名）',
  reason: '原因', summary: '述职报告正文', files: '附件（PDF、Word、Excel、图片，单个不超过 10 MB）', submit: '提交', save: '保存草稿', saved: '已保存',
  question: '提问', answer: '回答', askedBy: '提问人', points: '分值（正为加分，负为减分）', until: '新的截止时间', deadlineKind: '截止事项',
  resendNotice: '重发通知', resent: '通知已重新发送',
  materials: '述职材料', qa: '问答记录', plan: '整改方案', planItems: '整改事项', problem: '问题', measure: '措施', owner: '责任人', dueDate: '完成时限',
  addItem: '添加一项', removeItem: '删除', status: '状态', item_open: '未开始', item_inProgress: '整改中', item_verified: '已销号', note: '进展说明', evidence: '佐证材料',
  history: '办理记录', deadlines: '截止时间', scoreSheet: '评分表', panel: '考评组平均分', rate: '民主测评满意率', base: '基础分', adjustments: '加减分',
  final: '最终得分', veto: '一票否决', capped: '因“好”等次比例限制调整', dropped: '去掉最高分与最低分', totals: '评委总分',
  myTasks: '我的任务', nextStep: '下一步', dueBy: '截止', noTasks: '暂无待办事项。', daysLeftN: '剩余 {n} 天', overdueN: '已逾期 {n} 天', dueToday: '今天截止',
  toScore: '待评分支部', scoreForm: '评分', comment: '评语', criterion: '评分项', max: '满分', total: '合计', myScore: '我的评分', scoredAlready: '已提交评分',
  dashboard: '进度看板', funnel: '各环节支部数', distribution: '得分分布', grades: '等次分布', lastYear: '上年', thisYear: '本年', overdueList: '逾期支部',
  live: '实时更新', updatedAt: '更新于', sortHint: '点击表头排序', prevPage: '上一页', nextPage: '下一页', pages: '分页',
  mailQueue: '邮件队列', deadLetters: '发送失败（死信）', retry: '重新发送', to: '收件人', subject: '主题', attempts: '尝试次数', lastError: '最后错误',
  mail_queued: '待发送', mail_sent: '已发送', mail_dead: '失败',
  ballotTitle: '民主测评', ballotThanks: '感谢参与，您的投票已记录。', satisfied: '满意', basic: '基本满意', unsatisfied: '不满意',
  errorTitle: '出错了', notFound: '页面不存在', forbidden: '您无权访问此页面', back: '返回', home: '首页',
  confirm: '确认', cancel: '取消', required: '必填', version: '版本',
  colon: '：', listSep: '、', deputy: '委托办理人', setDeputy: '委托', name: '姓名', ev_SET_DEPUTY: '委托办理人',
  export_results: '下载评议结果（Excel）', export_ledger: '下载整改台账（Excel）', export_bulletin: '下载通报', export_letters: '下载结果告知书',
  // first run, users (issue 9)
  setupTitle: '首次使用：创建党委办公室账号', setupIntro: '系统中还没有任何账号。请创建第一个党委办公室账号，之后用它登录、邀请其他人员并创建述评周期。',
  setupName: '姓名或部门名称', setupSubmit: '创建账号', setupDone: '账号已创建，请登录。', setupAlready: '系统已完成初始化，请直接登录。',
  nav_users: '用户与角色', usersTitle: '用户与角色', inviteTitle: '邀请人员', accountRoles: '账号角色', invite: '发送邀请', invited: '邀请已发送',
  people: '人员', roles: '角色', me: '本人', saveRoles: '保存角色', deactivated: '已停用', invitationPending: '待设置密码', active: '在用', locked: '登录已锁定',
  deputyOf: '受托办理', invitationResent: '邀请已重新发送', resendInvitation: '重发邀请', unlock: '解锁', revokeDeputy: '取消委托',
  revokeDeputyEffect: '取消后，{name} 不再代表「{branch}」办理，也不再收到该支部的邮件。', deactivate: '停用', reactivate: '启用',
  deactivateEffect: '停用后，{name} 将无法登录，已登录的会话立即失效；账号和办理记录保留，可随时重新启用。',
  reasonRequired: '原因（必填）', skipToContent: '跳到正文', rowN: '第 {n} 行', itemN: '第 {n} 项',
  // the branch page: one primary action, the rest in a menu; confirmations name the branch and the effect
  moreActions: '更多操作', nothingForYou: '当前环节无需您办理。', perItemHint: '在下方“整改事项”中逐项办理',
  returned_materials: '述职材料已退回', returned_plan: '整改方案已退回', returnedHint: '请按退回原因修改后重新提交。', returnedTask: '已退回，请修改后重新提交',
  noticeTitle: '述评通知', topicsTitle: '述职重点', meetingTitle: '述职评议会', host: '主持人',
  sectionsHint: '按述职重点分节撰写，每节一段或多段；内容会自动保存在本机浏览器中。', autosaved: '已自动保存草稿', awaitingProgress: '待支部报告整改进展后方可销号',
  removeFile: '删除', replaceHint: '提交前可删除文件并重新上传。', timesN: '共 {n} 次', foldedUntil: '至',
  scoreLocked: '评分已提交，不能再修改。', scoreProgress: '已评 {done}/{total}',
  effect_ACCEPT_MATERIALS: '「{branch}」的述职材料将通过审核，进入“待现场述职”；支部不能再修改材料。',
  effect_END_PRESENTATION: '「{branch}」的现场述职将结束，进入评分；尚未评分的考评组成员会收到评分通知。',
  effect_APPROVE_PLAN: '「{branch}」的整改方案将获批准，进入跟踪督办；支部开始逐项报告进展。',
  effect_VERIFY_ITEM: '「{branch}」的整改事项 {item} 将销号，不能撤销；最后一项销号后该支部述评完成。',
  effect_VETO: '「{branch}」将被一票否决，等次降为最低档；结果公布前仅党委办公室可见。请填写原因。',
  effect_EXEMPT: '「{branch}」将免于本年度述评，流程立即结束且不能恢复，支部书记会收到通知。请填写原因。',
  effect_PUBLISH_RESULTS: '各支部将收到评议结果并进入整改环节，公布后不能撤回。',
  // the cycle wizard and a draft's preview
  wizardTitle: '新建述评周期', wizardEditTitle: '修改述评周期草稿', wizardSteps: '步骤', nextStepBtn: '下一步', saveDraft: '保存草稿',
  step_basics: '年度与名称', step_topics: '述职重点', step_schedule: '时间安排', step_rules: '评分与等次', step_roster: '支部与考评组', step_review: '核对',
  topicsHint: '每行一项；支部书记的述职报告按这些重点分节撰写。', scheduleHint: '四个截止时间须依次靠后：述职材料、评分、整改方案、整改落实。',
  meetingAt: '述职评议会时间', meetingPlace: '述职评议会地点', optional: '可不填',
  rulesHint: '已按默认细则填好（满分 100，好 ≥ 90、较好 ≥ 80、一般 ≥ 70），可按本年度要求修改。',
  rosterHint: '先下载模板，按示例每行填写一个支部（或考评组成员），保存后上传。CSV 或 Excel 均可；有误的行会按行号指出，整份名单都不会导入。',
  downloadBranchesTemplate: '下载支部名单模板', downloadPanelTemplate: '下载考评组名单模板', branchesUpload: '支部名单（Excel 或 CSV）', panelUpload: '考评组名单（Excel 或 CSV）',
  rosterExisting: '当前草稿有 {branches} 个支部、{panel} 名考评组成员；上传新文件将整份替换。', rosterKept: '保留现有 {n} 条', rosterMissing: '尚未上传',
  launchWhat: '启动后将发生什么', launchSummary: '将向 {notices} 个支部发送述评通知（含会议日程邀请）；{invitations} 人尚未设置密码，已收到或将凭邀请邮件设置密码。',
  pastWarning: '以下时间已经过去', pastHint: '启动后这些环节会立即显示逾期。请先“修改”草稿调整时间，或确认后仍然启动。',
  launchIrreversible: '启动后不能再修改或删除草稿。', editDraft: '修改', deleteDraft: '删除草稿', past: '已过',
  deleteDraftEffect: '删除后该草稿不再显示，年度可重新使用；办理记录保留。', mail_all: '全部', mailSearch: '按收件人或主题搜索', search: '搜索', rangeOf: '第 {from}–{to} 封，共 {total} 封', time: '时间', mailBody: '正文', noData: '暂无数据', acceptNote: '没有佐证文件：以进展说明作为佐证销号', newCycle: '新建述评周期', previewLaunch: '预览并启动', jsonUpload: '通过 JSON 文件创建（高级）',
};

type Base = typeof zhBase;
type Messages = Base & Record<VocabularyKey, string>;

const enBase: Base = {
  appName: 'Shuping', appTitle: 'Annual report and review of Party branch secretaries',
  signIn: 'Sign in', signOut: 'Sign out', email: 'Email', password: 'Password', forgot: 'Forgot password?', newPassword: 'New password (8+ characters)',
  setPassword: 'Set password', sendLink: 'Send reset link', linkSent: 'If the email is registered, a reset link has been sent.', passwordSet: 'Password set. Please sign in.',
  language: '中文', nav_cycles: 'Cycles', nav_dashboard: 'Dashboard', nav_tasks: 'My tasks', nav_scoring: 'To score', nav_mail: 'Mail queue',
  cycles: 'Review cycles', createCycle: 'Create a cycle', configJson: 'Cycle configuration (JSON file)', configPaste: 'or paste the configuration JSON', branchesFile: 'Branches (CSV / Excel, optional)', panelFile: 'Panel (CSV / Excel, optional)',
  create: 'Create', launch: 'Launch', launchConfirm: 'Launching notifies every branch. Launch now?', year: 'Year', title: 'Title', state: 'State', open: 'Open',
  board: 'Branches', branch: 'Branch', code: 'Code', phase: 'Phase', deadline: 'Deadline', daysLeft: 'Days left', overdue: 'Overdue', overdueDays: 'Days overdue',
  score: 'Score', grade: 'Grade', rank: 'Rank', waitingOnOffice: 'Waiting on the office', actions: 'Actions', none: 'None', all: 'All', filter: 'Filter',
  publish: 'Publish results', publishConfirm: 'Every branch will receive its result and start improvement planning. Publish now?',
  ev_RESEND_NOTICE: 'Notice resent', ev_CREATE: 'Created', ev_REMOVE_DEPUTY: 'Deputy removed', ev_UPLOAD_FILE: 'File uploaded', ev_SAVE_SCORE_DRAFT: 'Score draft saved', ev_ISSUE_BALLOTS: 'Ballots issued', ev_CAST_BALLOT: 'Ballot cast',
  role_deputy: 'Deputy', role_self: 'Self', role_voter: 'Voter', role_user: 'User', historyBy: 'By', panelComments: "The panel's comments (unsigned)",
  reason: 'Reason', summary: 'Report text', files: 'Attachments (PDF, Word, Excel, images; 10 MB each at most)', submit: 'Submit', save: 'Save draft', saved: 'Saved',
  question: 'Question', answer: 'Answer', askedBy: 'Asked by', points: 'Points (+ bonus, − penalty)', until: 'New deadline', deadlineKind: 'Deadline',
  resendNotice: 'Resend notice', resent: 'Notice sent again',
  materials: 'Report materials', qa: 'Questions and answers', plan: 'Improvement plan', planItems: 'Plan items', problem: 'Problem', measure: 'Measure', owner: 'Owner', dueDate: 'Due',
  addItem: 'Add item', removeItem: 'Remove', status: 'Status', item_open: 'Open', item_inProgress: 'In progress', item_verified: 'Verified', note: 'Progress note', evidence: 'Evidence',
  history: 'History', deadlines: 'Deadlines', scoreSheet: 'Score sheet', panel: 'Panel mean', rate: 'Approval rate', base: 'Base', adjustments: 'Adjustments',
  final: 'Final', veto: 'Veto', capped: 'Demoted by the cap on the top grade', dropped: 'Highest and lowest dropped', totals: 'Evaluator totals',
  myTasks: 'My tasks', nextStep: 'Next step', dueBy: 'Due', noTasks: 'Nothing to do right now.', daysLeftN: '{n} days left', overdueN: '{n} days overdue', dueToday: 'Due today',
  toScore: 'Branches to score', scoreForm: 'Score', comment: 'Comment', criterion: 'Criterion', max: 'Max', total: 'Total', myScore: 'My score', scoredAlready: 'Score submitted',
  dashboard: 'Dashboard', funnel: 'Branches per phase', distribution: 'Score distribution', grades: 'Grades', lastYear: 'Last year', thisYear: 'This year', overdueList: 'Overdue branches',
  live: 'Live', updatedAt: 'Updated', sortHint: 'Click a header to sort', prevPage: 'Previous', nextPage: 'Next', pages: 'Pages',
  mailQueue: 'Mail queue', deadLetters: 'Dead letters', retry: 'Retry', to: 'To', subject: 'Subject', attempts: 'Attempts', lastError: 'Last error',
  mail_queued: 'Queued', mail_sent: 'Sent', mail_dead: 'Dead',
  ballotTitle: 'Democratic appraisal', ballotThanks: 'Thank you, your ballot is recorded.', satisfied: 'Satisfied', basic: 'Fairly satisfied', unsatisfied: 'Not satisfied',
  errorTitle: 'Something went wrong', notFound: 'Page not found', forbidden: 'You may not open this page', back: 'Back', home: 'Home',
  confirm: 'Confirm', cancel: 'Cancel', required: 'Required', version: 'Version',
  colon: ': ', listSep: ', ', deputy: 'Deputy', setDeputy: 'Delegate', name: 'Name', ev_SET_DEPUTY: 'Deputy named',
  export_results: 'Results (Excel)', export_ledger: 'Rectification ledger (Excel)', export_bulletin: 'Bulletin', export_letters: 'Letters to branches',
  setupTitle: 'First run: create the office account', setupIntro: 'There is no account yet. Create the first Party office account; with it you sign in, invite others and create review cycles.',
  setupName: 'Name or department', setupSubmit: 'Create account', setupDone: 'Account created. Please sign in.', setupAlready: 'This site is set up already: please sign in.',
  nav_users: 'Users', usersTitle: 'Users and roles', inviteTitle: 'Invite someone', accountRoles: 'Account roles', invite: 'Send invitation', invited: 'Invitation sent',
  people: 'People', roles: 'Roles', me: 'You', saveRoles: 'Save roles', deactivated: 'Deactivated', invitationPending: 'Invited, no password yet', active: 'Active', locked: 'Sign-in locked',
  deputyOf: 'Deputy for', invitationResent: 'Invitation sent again', resendInvitation: 'Resend invitation', unlock: 'Unlock', revokeDeputy: 'Revoke deputy',
  revokeDeputyEffect: '{name} will no longer act for "{branch}" nor receive its mail.', deactivate: 'Deactivate', reactivate: 'Reactivate',
  deactivateEffect: '{name} will not be able to sign in and their sessions end now; the account and its records stay, and it can be reactivated.',
  reasonRequired: 'Reason (required)', skipToContent: 'Skip to content', rowN: 'row {n}', itemN: 'item {n}',
  moreActions: 'More actions', nothingForYou: 'Nothing for you to do in this phase.', perItemHint: 'item by item, under “Plan items” below',
  returned_materials: 'Materials returned', returned_plan: 'Plan returned', returnedHint: 'Please revise as asked and submit again.', returnedTask: 'Returned: please revise and submit again',
  noticeTitle: 'Notice', topicsTitle: 'Topics', meetingTitle: 'Review meeting', host: 'Host',
  sectionsHint: 'Write a section per topic, in one or more paragraphs; drafts are saved in this browser.', autosaved: 'Draft saved', awaitingProgress: 'Can be verified once the branch reports progress',
  removeFile: 'Remove', replaceHint: 'Files can be removed and uploaded again before submitting.', timesN: '{n} times', foldedUntil: 'until',
  scoreLocked: 'Your score is submitted and can no longer be changed.', scoreProgress: 'Scored {done}/{total}',
  effect_ACCEPT_MATERIALS: 'The materials of "{branch}" will be accepted and the branch awaits the live review; it can no longer change them.',
  effect_END_PRESENTATION: 'The live review of "{branch}" ends and scoring starts; panel members who have not scored are asked to.',
  effect_APPROVE_PLAN: 'The plan of "{branch}" will be approved and follow-up starts; the branch reports progress item by item.',
  effect_VERIFY_ITEM: 'Item {item} of "{branch}" will be verified, which cannot be undone; the last one closes the branch.',
  effect_VETO: '"{branch}" will be vetoed: its grade becomes the lowest; only the office sees this before publication. Give the reason.',
  effect_EXEMPT: '"{branch}" will be exempted this year: its review ends at once and cannot be resumed; the secretary is told. Give the reason.',
  effect_PUBLISH_RESULTS: 'Every branch receives its result and starts improvement planning; publication cannot be undone.',
  wizardTitle: 'New review cycle', wizardEditTitle: 'Edit the draft cycle', wizardSteps: 'Steps', nextStepBtn: 'Next', saveDraft: 'Save draft',
  step_basics: 'Year and title', step_topics: 'Topics', step_schedule: 'Schedule', step_rules: 'Scoring and grades', step_roster: 'Branches and panel', step_review: 'Review',
  topicsHint: 'One per line; secretaries write their report a section per topic.', scheduleHint: 'The four deadlines must come in order: materials, scoring, plan, follow-up.',
  meetingAt: 'Review meeting time', meetingPlace: 'Review meeting place', optional: 'optional',
  rulesHint: 'Filled in with the default rules (100 points; 90, 80, 70 for the grades): change them for this year if needed.',
  rosterHint: 'Download the templates, fill one branch (or panel member) per row as the example shows, and upload them. CSV or Excel; bad rows are named by number and nothing is imported.',
  downloadBranchesTemplate: 'Branch list template', downloadPanelTemplate: 'Panel list template', branchesUpload: 'Branches (Excel or CSV)', panelUpload: 'Panel (Excel or CSV)',
  rosterExisting: 'The draft has {branches} branches and {panel} panel members; a new file replaces the list whole.', rosterKept: 'keeping the {n} rows', rosterMissing: 'not uploaded yet',
  launchWhat: 'What launching does', launchSummary: '{notices} branches will be sent the notice (with a calendar invitation); {invitations} people have not set a password and use their invitation mail.',
  pastWarning: 'These times have passed', pastHint: 'Those steps will be overdue at once. Edit the draft first, or confirm to launch anyway.',
  launchIrreversible: 'A launched cycle can no longer be edited or deleted.', editDraft: 'Edit', deleteDraft: 'Delete draft', past: 'past',
  deleteDraftEffect: 'The draft disappears and its year can be used again; its records are kept.', mail_all: 'All', mailSearch: 'Search by recipient or subject', search: 'Search', rangeOf: '{from}–{to} of {total}', time: 'Time', mailBody: 'Message', noData: 'No data yet', acceptNote: 'No evidence file: accept the progress note as evidence', newCycle: 'New review cycle', previewLaunch: 'Preview and launch', jsonUpload: 'Create from a JSON file (advanced)',
};

/** The names of the fields the API names in its errors (the last segment of `data.items.0.dueDate`). */
const FIELDS: Record<string, [string, string]> = {
  branches: ['支部名单', 'Branches'], panel: ['考评组名单', 'Panel'], code: ['编号', 'Code'], name: ['名称', 'Name'],
  secretaryName: ['书记姓名', 'Secretary'], secretaryEmail: ['书记邮箱', "Secretary's email"], deputyEmail: ['受托人邮箱', "Deputy's email"],
  email: ['邮箱', 'Email'], branchCode: ['本人所在支部编号', 'Own branch code'], year: ['年度', 'Year'], title: ['名称', 'Title'], topics: ['述评重点', 'Topics'],
  deadlines: ['截止时间', 'Deadlines'], materials: ['述职材料截止时间', 'Materials deadline'], scoring: ['评分截止时间', 'Scoring deadline'],
  plan: ['整改方案截止时间', 'Plan deadline'], followUp: ['整改落实截止时间', 'Follow-up deadline'], meeting: ['述职评议会', 'Meeting'], at: ['时间', 'Time'],
  place: ['地点', 'Place'], host: ['主持人', 'Host'], rubric: ['评分细则', 'Rubric'], key: ['代码', 'Key'], max: ['满分', 'Max'], grades: ['等次规则', 'Grade rules'],
  bands: ['等次档次', 'Grade bands'], grade: ['等次', 'Grade'], min: ['最低分', 'Minimum'], topGradeCapPercent: ['“好”等次比例上限', 'Cap on the top grade'],
  democratic: ['民主测评', 'Democratic appraisal'], weightPercent: ['民主测评权重', 'Appraisal weight'], enabled: ['是否启用', 'Enabled'], office: ['党委办公室人员', 'Office'],
  leaders: ['党委领导', 'Leaders'], copyTo: ['抄送邮箱', 'Copy to'], timezone: ['时区', 'Time zone'], reason: ['原因', 'Reason'], summary: ['述职报告正文', 'Report text'],
  itemId: ['整改事项', 'Plan item'], until: ['新的截止时间', 'New deadline'], deadline: ['截止事项', 'Deadline'], points: ['分值', 'Points'],
  question: ['提问', 'Question'], answer: ['回答', 'Answer'], askedBy: ['提问人', 'Asked by'], items: ['整改事项', 'Plan items'], problem: ['问题', 'Problem'],
  measure: ['措施', 'Measure'], owner: ['责任人', 'Owner'], dueDate: ['完成时限', 'Due'], password: ['密码', 'Password'], roles: ['角色', 'Roles'],
  config: ['周期配置', 'Configuration'], file: ['文件', 'File'], scores: ['评分', 'Scores'], comment: ['评语', 'Comment'], deputy: ['受托人', 'Deputy'],
  user: ['用户', 'User'], type: ['事项', 'Action'], fileIds: ['附件', 'Attachments'], choice: ['选项', 'Choice'], count: ['数量', 'Count'],
  effectiveness: ['党建工作成效', 'Effectiveness'], integration: ['党建与生产经营融合', 'Integration'], highlights: ['特色亮点', 'Highlights'],
  problems: ['问题查找与整改措施', 'Problems and measures'], presentation: ['述职与答辩表现', 'Presentation'], locale: ['语言', 'Language'], token: ['链接', 'Link'],
};
const fieldEntries = (n: 0 | 1) => Object.fromEntries(Object.entries(FIELDS).map(([k, v]) => [`field_${k}`, v[n]]));

const zh: Messages = { ...fieldEntries(0), ...zhBase, ...REPORT_MESSAGES['zh-CN'], ...MEETING_MESSAGES['zh-CN'], ...vocabulary('zh-CN') };
const en: Messages = { ...fieldEntries(1), ...enBase, ...REPORT_MESSAGES.en, ...MEETING_MESSAGES.en, ...vocabulary('en') };

const MESSAGES: Record<Locale, Messages> = { 'zh-CN': zh, en };
export type MessageKey = keyof Messages;

export function translator(locale: Locale) {
  const m = MESSAGES[locale];
  return (key: string, vars: Record<string, string | number> = {}): string => {
    const text = (m as Record<string, string>)[key] ?? (zh as Record<string, string>)[key] ?? key;
    return text.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ''));
  };
}

/** The messages the browser script needs (it never hard-codes a visible string). */
export function clientMessages(locale: Locale): Record<string, string> {
  return MESSAGES[locale] as unknown as Record<string, string>;
}

/** Engine messages read "中文 (English)": show the reader the half in their language. */
export function localizeMessage(message: string, locale: Locale): string {
  const m = /^(.*\S)\s*\(([^()]*)\)$/s.exec(message);
  if (!m) return message;
  return locale === 'en' ? m[2] : m[1];
}
