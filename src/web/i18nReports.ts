// Page strings of issue 11 (segments, Word documents, the quarterly assessment, group-chat notices),
// kept beside the main dictionary (./i18n.ts spreads them in) so that work on either stays local.
export const REPORT_MESSAGES = {
  'zh-CN': {
    segments: '板块对比', segment: '板块', unsegmented: '未分板块', segmentBranches: '支部数', mean: '平均分', spread: '分差（最高−最低）',
    lowestBranch: '最低分支部', segmentGrades: '等次', highest: '最高分',
    export_bulletinDocx: '下载通报（Word）', export_lettersDocx: '下载结果告知书（Word，合并）', export_lettersZip: '下载结果告知书（Word，每支部一份，zip）',
    export_minutesDocx: '下载会议纪要（Word）',
    quarters: '季度党建考核', quarterN: '第{n}季度', annualReview: '年度述职评议', quarterMean: '平均分', quarterScored: '已评分',
    yearOverview: '本年度述评与季度考核', cycleKind: '考核',
    quarterlyTitle: '季度考核指标', indicator: '考核指标', selfScore: '自评分', selfNote: '自评说明及佐证', selfSummary: '自评小结', officeScore: '党委办公室评分'
  },
  en: {
    segments: 'Segments compared', segment: 'Segment', unsegmented: 'No segment', segmentBranches: 'Branches', mean: 'Mean', spread: 'Spread (highest − lowest)',
    lowestBranch: 'Lowest branch', segmentGrades: 'Grades', highest: 'Highest',
    export_bulletinDocx: 'Bulletin (Word)', export_lettersDocx: 'Letters (Word, one document)', export_lettersZip: 'Letters (Word, one per branch, zip)',
    export_minutesDocx: 'Meeting minutes (Word)',
    quarters: 'Quarterly assessments', quarterN: 'Q{n}', annualReview: 'Annual review', quarterMean: 'Mean', quarterScored: 'Scored',
    yearOverview: 'This year: the annual review and the quarters', cycleKind: 'Assessment',
    quarterlyTitle: 'Indicators', indicator: 'Indicator', selfScore: 'Self-assessed', selfNote: 'Note and evidence', selfSummary: 'Summary', officeScore: 'Office score'
  },
} as const;
