// The words of the meeting day, the problem list and the panel's scoring links (issue 10), in
// Simplified Chinese (default) and English; merged into the dictionaries of ./i18n.ts.
const zh = {
  mt_title: '述职评议会议', mt_runner: '会议主持', mt_open: '主持会议', mt_agenda: '议程', mt_groupBySegment: '按板块分组', mt_noSegment: '未分板块',
  mt_moveUp: '上移', mt_moveDown: '下移', mt_makeCurrent: '设为当前', mt_dragHint: '拖动或用“上移/下移”调整顺序', mt_current: '当前述职', mt_none: '会议尚未开始',
  mt_speaker: '述职人', mt_start: '开始计时', mt_pause: '暂停', mt_next: '下一环节', mt_nextBranch: '下一个支部', mt_closeQa: '结束问答，开始评分',
  mt_timeLeft: '剩余时间', mt_overtime: '超时', mt_minutes: '{n} 分钟', mt_askedBy: '提问人（考评组成员）', mt_recordQa: '记录问答', mt_quorum: '评分进度',
  mt_quorumN: '已评 {n} / {m}', mt_scoredBy: '已评分', mt_noneYet: '暂无', mt_remarks: '总结讲话', mt_remarksSave: '保存总结讲话', mt_display: '大屏显示',
  mt_issueDisplay: '生成大屏链接', mt_revokeDisplays: '撤销全部大屏链接', mt_displayHint: '在投影电脑上打开此链接（无需登录，只读，不显示任何评分）。',
  mt_displaysLive: '有效大屏链接：{n} 个', mt_nextUp: '下一位', mt_done: '已述职', mt_saved: '已保存', mt_linkGone: '大屏链接已撤销', mt_waiting: '会议即将开始',
  mt_paused: '已暂停', mt_ofN: '第 {n} / {m} 个', mt_hallTitle: '会场大屏', mt_segmentMinutes: '各环节时长', mt_host: '主持人', mt_scoringOpen: '已开始评分',
  mt_qaEmpty: '尚无问答记录', mt_selectPanel: '请选择提问人', mt_seg_report: '述（述职汇报）', mt_seg_questions: '问（考评组提问）', mt_seg_answers: '答（书记回答）',
  pb_title: '问题清单', pb_category: '问题类别', pb_text: '问题', pb_source: '来源', pb_src_qa: '现场问答', pb_src_comment: '考评组意见', pb_src_manual: '党委办公室登记',
  pb_src_plan: '支部自查', pb_repeat: '屡查屡犯', pb_repeatOf: '{years} 年已查出同类问题', pb_items: '整改事项', pb_noItem: '尚无整改措施', pb_add: '登记问题',
  pb_fromQa: '来自问答记录', pb_fromComment: '来自考评组意见', pb_byHand: '直接填写', pb_remove: '撤销', pb_carried: '上年度延续的整改事项', pb_carriedFrom: '{year} 年延续',
  pb_dupEvidence: '佐证材料重复', pb_dupWith: '与 {others} 使用的佐证材料相同', pb_empty: '暂无登记的问题', pb_acceptNote: '认可进展说明作为佐证（无佐证文件）',
  pb_noEvidence: '尚无佐证文件', pb_repeats: '屡查屡犯', pb_removeConfirm: '撤销问题「{text}」？', pb_itemProblem: '对应问题', pb_newProblem: '（新问题，直接填写）',
  pl_title: '考评组评分链接', pl_issue: '生成（重新生成）全部评分链接', pl_hint: '每位考评组成员一个链接：扫码即可在手机上评分，无需密码；结果公布后失效。重新生成会使旧链接失效。',
  pl_revoke: '撤销', pl_revoked: '已撤销', pl_noLink: '无有效链接', pl_expires: '有效期至', pl_live: '有效链接', pl_qr: '二维码', pl_phoneTitle: '手机评分', pl_branches: '待评分支部',
  pl_none: '目前没有需要您评分的支部。', pl_scoreThis: '评分', pl_submitted: '已提交', pl_avoid: '回避', pl_notOpen: '未开始评分', pl_for: '评分人',
  mn_title: '会议纪要', mn_download: '下载会议纪要', export_minutes: '下载会议纪要',
  // audit actions of issue 10, as histories name them
  ev_ADD_PROBLEM: '登记问题', ev_REMOVE_PROBLEM: '撤销问题', ev_MEETING_ORDER: '调整议程', ev_MEETING_GROUP: '议程分组', ev_MEETING_SELECT: '切换述职支部',
  ev_MEETING_START: '开始计时', ev_MEETING_PAUSE: '暂停计时', ev_MEETING_NEXT: '下一环节', ev_MEETING_REMARKS: '记录总结讲话', ev_ISSUE_DISPLAY_LINK: '生成大屏链接',
  ev_REVOKE_DISPLAY_LINKS: '撤销大屏链接', ev_ISSUE_PANEL_LINK: '发放评分链接', ev_REVOKE_PANEL_LINK: '撤销评分链接',
};
type Keys = keyof typeof zh;
const en: Record<Keys, string> = {
  mt_title: 'Review meeting', mt_runner: 'Meeting runner', mt_open: 'Run the meeting', mt_agenda: 'Agenda', mt_groupBySegment: 'Group by segment', mt_noSegment: 'No segment',
  mt_moveUp: 'Move up', mt_moveDown: 'Move down', mt_makeCurrent: 'Make current', mt_dragHint: 'Drag, or use move up/down, to reorder', mt_current: 'Now presenting', mt_none: 'The meeting has not started',
  mt_speaker: 'Speaker', mt_start: 'Start timer', mt_pause: 'Pause', mt_next: 'Next segment', mt_nextBranch: 'Next branch', mt_closeQa: 'Close Q&A and open scoring',
  mt_timeLeft: 'Time left', mt_overtime: 'Overtime', mt_minutes: '{n} min', mt_askedBy: 'Asked by (panel member)', mt_recordQa: 'Record Q&A', mt_quorum: 'Scoring quorum',
  mt_quorumN: '{n} of {m} scored', mt_scoredBy: 'Scored', mt_noneYet: 'None yet', mt_remarks: "Chair's closing remarks", mt_remarksSave: 'Save remarks', mt_display: 'Hall display',
  mt_issueDisplay: 'Issue a display link', mt_revokeDisplays: 'Revoke all display links', mt_displayHint: 'Open this link on the projector computer (no sign-in, read-only, shows no score).',
  mt_displaysLive: 'Live display links: {n}', mt_nextUp: 'Next', mt_done: 'Done', mt_saved: 'Saved', mt_linkGone: 'This display link has been revoked', mt_waiting: 'The meeting is about to begin',
  mt_paused: 'Paused', mt_ofN: '{n} of {m}', mt_hallTitle: 'Hall display', mt_segmentMinutes: 'Segment lengths', mt_host: 'Host', mt_scoringOpen: 'Scoring open',
  mt_qaEmpty: 'No Q&A recorded yet', mt_selectPanel: 'Choose who asked', mt_seg_report: 'Report', mt_seg_questions: 'Questions', mt_seg_answers: 'Answers',
  pb_title: 'Problems', pb_category: 'Category', pb_text: 'Problem', pb_source: 'Source', pb_src_qa: 'Q&A at the meeting', pb_src_comment: 'Panel comment', pb_src_manual: 'Raised by the office',
  pb_src_plan: 'Found by the branch', pb_repeat: 'Repeat', pb_repeatOf: 'Same category raised in {years}', pb_items: 'Items', pb_noItem: 'No item yet', pb_add: 'Raise a problem',
  pb_fromQa: 'From a Q&A line', pb_fromComment: 'From a panel comment', pb_byHand: 'Written directly', pb_remove: 'Withdraw', pb_carried: 'Items carried over from last year', pb_carriedFrom: 'Carried over from {year}',
  pb_dupEvidence: 'Evidence used twice', pb_dupWith: 'Same evidence file as {others}', pb_empty: 'No problems raised', pb_acceptNote: 'Accept the progress note as evidence (no file)',
  pb_noEvidence: 'No evidence file', pb_repeats: 'Repeat problems', pb_removeConfirm: 'Withdraw the problem “{text}”?', pb_itemProblem: 'Problem', pb_newProblem: '(a new problem, written below)',
  pl_title: "Panel members' scoring links", pl_issue: 'Issue (reissue) every scoring link', pl_hint: 'One link per panel member: scan to score on a phone, no password; it expires when results are published. Reissuing revokes the old links.',
  pl_revoke: 'Revoke', pl_revoked: 'Revoked', pl_noLink: 'No live link', pl_expires: 'Valid until', pl_live: 'Live links', pl_qr: 'QR code', pl_phoneTitle: 'Scoring on the phone', pl_branches: 'Branches to score',
  pl_none: 'No branch is waiting for your score now.', pl_scoreThis: 'Score', pl_submitted: 'Submitted', pl_avoid: 'Conflict of interest', pl_notOpen: 'Scoring not open', pl_for: 'Scoring as',
  mn_title: 'Minutes', mn_download: 'Download the minutes', export_minutes: 'Meeting minutes',
  ev_ADD_PROBLEM: 'Problem raised', ev_REMOVE_PROBLEM: 'Problem withdrawn', ev_MEETING_ORDER: 'Agenda reordered', ev_MEETING_GROUP: 'Agenda grouped', ev_MEETING_SELECT: 'Branch made current',
  ev_MEETING_START: 'Timer started', ev_MEETING_PAUSE: 'Timer paused', ev_MEETING_NEXT: 'Next segment', ev_MEETING_REMARKS: 'Closing remarks recorded', ev_ISSUE_DISPLAY_LINK: 'Display link issued',
  ev_REVOKE_DISPLAY_LINKS: 'Display links revoked', ev_ISSUE_PANEL_LINK: 'Scoring link issued', ev_REVOKE_PANEL_LINK: 'Scoring link revoked',
};

export const MEETING_MESSAGES = { 'zh-CN': zh, en };
