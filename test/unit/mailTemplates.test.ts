import { describe, expect, it } from 'vitest';
import { renderMail, type Locale, type MailVars, type TemplateName } from '../../src/mail/templates';

const TEMPLATES: TemplateName[] = [
  'notice', 'materialsSubmitted', 'materialsReturned', 'materialsAccepted', 'scoreRequest', 'scored', 'results',
  'planSubmitted', 'planReturned', 'planApproved', 'progressReported', 'itemVerified', 'closed', 'deadlineExtended',
  'exempted', 'reminder', 'overdue', 'escalation', 'resultsPublished', 'cycleArchived', 'invitation', 'passwordReset',
];
// Templates that hand work to the reader with a deadline: the first line must say by when.
const WITH_DEADLINE: TemplateName[] = ['notice', 'materialsReturned', 'scoreRequest', 'results', 'planReturned', 'planApproved', 'deadlineExtended', 'reminder', 'overdue', 'escalation', 'invitation'];

const vars = (locale: Locale): MailVars => ({
  recipientName: locale === 'en' ? 'Wang Ming' : '王明',
  recipientRole: 'secretary',
  cycleTitle: locale === 'en' ? 'Annual review 2020' : '2020年度述职评议',
  branchCode: 'B01',
  branchName: locale === 'en' ? 'Branch One' : '机关第一党支部',
  deadline: { kind: 'materials', at: locale === 'en' ? '4 Dec 2020 18:00' : '2020年12月4日 18:00', daysLeft: 3 },
  step: 'd-3',
  reason: locale === 'en' ? 'missing section' : '缺少问题查找部分',
  link: 'http://shuping.test/cycles/1/branches/B01',
  meeting: { at: locale === 'en' ? '12 Dec 2020 09:00' : '2020年12月12日 09:00', place: locale === 'en' ? 'Hall 30' : '公司30楼报告厅' },
  topics: [locale === 'en' ? 'Integration' : '党建与生产经营融合情况'],
  result: { final: 90, grade: locale === 'en' ? 'Good' : '好', rank: 1, of: 5 },
  item: { id: 'I1', problem: locale === 'en' ? 'study' : '学习不深入' },
  responsible: locale === 'en' ? 'Wang Ming' : '王明',
});

describe('mail templates', () => {
  for (const locale of ['zh-CN', 'en'] as Locale[]) {
    for (const t of TEMPLATES) {
      it(`${t} (${locale}) is complete, linked and in its language`, () => {
        const m = renderMail(t, locale, vars(locale));
        for (const part of [m.subject, m.text, m.html]) expect(part).not.toMatch(/undefined|null|NaN/);
        expect(m.text).toContain(vars(locale).link);
        expect(m.html).toContain(`href="${vars(locale).link}"`);
        if (WITH_DEADLINE.includes(t)) expect(m.text.split('\n')[0]).toContain(vars(locale).deadline!.at);
        if (locale === 'en') expect(m.text).not.toMatch(/[\u4e00-\u9fff]/);
        else expect(m.subject.startsWith('【述评】')).toBe(true);
      });
    }
  }

  it('escapes what users typed in the HTML part', () => {
    const m = renderMail('materialsReturned', 'zh-CN', { ...vars('zh-CN'), reason: '<script>alert(1)</script>' });
    expect(m.html).not.toContain('<script>');
    expect(m.html).toContain('&lt;script&gt;');
  });

  it('says 3 days, tomorrow or today by reminder step', () => {
    const first = (step: 'd-3' | 'd-1' | 'd0') => renderMail('reminder', 'zh-CN', { ...vars('zh-CN'), step }).subject;
    expect([first('d-3'), first('d-1'), first('d0')]).toEqual([
      '【述评】 提醒：述职材料提交3天后截止（机关第一党支部）',
      '【述评】 提醒：述职材料提交明天截止（机关第一党支部）',
      '【述评】 提醒：述职材料提交今天截止（机关第一党支部）',
    ]);
  });

  it('omits lines whose facts are missing rather than printing them empty', () => {
    const m = renderMail('results', 'zh-CN', { ...vars('zh-CN'), result: undefined });
    expect(m.text).not.toContain('最终得分');
  });
});
