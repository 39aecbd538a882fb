// The office-level notices to group chats (群通知), in Chinese, as robot markdown: the cycle launched,
// the daily digest of overdue branches (one message for all of them), results published. Kept well
// under 企业微信's 4,096 bytes: a long digest names the first branches and counts the rest.
import type { GroupMessage } from './webhook';

export interface LaunchFacts { title: string; branches: number; deadlineLabel: string; deadline: string; meeting?: { at: string; place: string }; link: string }
export interface DigestFacts { title: string; day: string; total: number; branches: { code: string; name: string; what: string; daysOverdue: number }[]; link: string }
export interface ResultsFacts { title: string; published: number; grades: [string, number][]; link: string }

const MAX_LINES = 30;
/** Markdown that robots render: no character opens a link, emphasis or heading by surprise. */
const md = (s: string) => s.replace(/[\\`*_[\]<>#]/g, (c) => `\\${c}`);

export const GROUP_NOTICES = {
  launched(f: LaunchFacts): GroupMessage {
    const title = `${f.title}已启动`;
    return {
      title,
      markdown: [
        `### ${md(title)}`,
        `> 参评支部：**${f.branches}** 个`,
        `> ${md(f.deadlineLabel)}截止：${md(f.deadline)}`,
        ...(f.meeting ? [`> 述职评议会：${md(f.meeting.at)}，${md(f.meeting.place)}`] : []),
        '',
        `各支部书记请登录系统查看通知，按时办理。[进入系统](${f.link})`,
      ].join('\n'),
    };
  },
  overdueDigest(f: DigestFacts): GroupMessage {
    const title = `逾期督办日报（${f.day}）`;
    const shown = f.branches.slice(0, MAX_LINES);
    return {
      title,
      markdown: [
        `### ${md(title)}`,
        `${md(f.title)}：逾期支部 **${f.total}** 个`,
        ...shown.map((b) => `- ${md(b.code)} ${md(b.name)}：${md(b.what)}，${b.daysOverdue > 0 ? `已逾期 ${b.daysOverdue} 天` : '今日逾期'}`),
        ...(f.total > shown.length ? [`- ……另有 ${f.total - shown.length} 个支部`] : []),
        '',
        `[查看逾期支部](${f.link})`,
      ].join('\n'),
    };
  },
  resultsPublished(f: ResultsFacts): GroupMessage {
    const title = `${f.title}结果已公布`;
    return {
      title,
      markdown: [
        `### ${md(title)}`,
        `> 参评支部：**${f.published}** 个`,
        `> 等次：${f.grades.map(([g, n]) => `“${md(g)}”${n} 个`).join('，')}`,
        '',
        `各支部请查看结果告知书，按时报送整改方案。[查看结果](${f.link})`,
      ].join('\n'),
    };
  },
};

export type GroupNoticeName = keyof typeof GROUP_NOTICES;
