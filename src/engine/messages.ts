// Messages people read, in the glossary's words: the machines' labels (workflows/phases.ts), never
// their codes. Programs read the codes from the error's details.
import { cycleStateLabel, eventLabel, phaseLabel } from '../../workflows/index';

/** "当前环节「制定整改方案」不能办理「提交评分」；现在可办理：「免于述评」 (Submit score is not possible while Improvement plan)". */
export function notAllowedMessage(opts: { state: string; type: string; allowed: string[]; cycle?: boolean }): string {
  const label = (locale: 'zh-CN' | 'en') => (opts.cycle ? cycleStateLabel(opts.state, locale) : phaseLabel(opts.state, locale));
  const can = opts.allowed.map((e) => `「${eventLabel(e, 'zh-CN')}」`).join('、') || '无';
  const what = opts.cycle ? '周期状态' : '当前环节';
  return `${what}「${label('zh-CN')}」不能办理「${eventLabel(opts.type, 'zh-CN')}」；现在可办理：${can} (${eventLabel(opts.type, 'en')} is not possible while ${label('en')})`;
}
