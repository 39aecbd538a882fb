import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { branchReviewMachine, cycleMachine, quarterlyAssessmentMachine } from '../../workflows/index';
import { en } from '../../src/mail/locales/en';
import { zhCN, type Catalogue } from '../../src/mail/locales/zh-CN';
import { deadlineLabel, FRAME_KEYS, renderMail, type Locale, type MailVars, type TemplateName } from '../../src/mail/templates';
import { templates, type AnyTemplate } from '../../src/mail/templates/index';

const TEMPLATES = Object.keys(templates) as TemplateName[];
const LOCALES: Locale[] = ['zh-CN', 'en'];
/** Templates that hand work to the reader with a deadline: the first line says by when. */
const ACTION_WITH_DEADLINE: TemplateName[] = [
  'notice', 'materialsReturned', 'scoreRequest', 'results', 'planReturned', 'planApproved', 'deadlineExtended', 'reminder', 'invitation',
];
const CJK = /[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]/;
const LINK = 'https://shuping.example.com/cycles/7/branches/B01';

/** Full vars; English ones are ASCII-only so any CJK in en output comes from the template itself. */
const full = (locale: Locale): MailVars =>
  locale === 'en'
    ? {
        recipientName: 'Wang Ming',
        recipientRole: 'secretary',
        cycleTitle: '2020 Branch Secretaries Review',
        branchCode: 'B01',
        branchName: 'Office Branch No. 1',
        deadline: { kind: 'materials', at: '4 Dec 2020 18:00', daysLeft: 3 },
        step: 'd-3',
        reason: 'The problem-finding section is missing',
        link: LINK,
        meeting: { at: '12 Dec 2020 09:00', place: 'Hall, 30th floor' },
        topics: ['Party building and business integration', 'Problems and causes'],
        result: { final: 91.5, grade: 'Good', rank: 2, of: 12 },
        item: { id: 'I3', problem: 'Study not thorough' },
        responsible: 'Wang Ming, Li Hua',
      }
    : {
        recipientName: '王明',
        recipientRole: 'secretary',
        cycleTitle: '2020年度基层党支部书记抓党建工作述职评议',
        branchCode: 'B01',
        branchName: '机关第一党支部',
        deadline: { kind: 'materials', at: '2020年12月4日 18:00', daysLeft: 3 },
        step: 'd-3',
        reason: '缺少问题查找部分',
        link: LINK,
        meeting: { at: '2020年12月12日 09:00', place: '公司30楼报告厅' },
        topics: ['党建与生产经营融合情况', '存在问题及原因分析'],
        result: { final: 91.5, grade: '好', rank: 2, of: 12 },
        item: { id: 'I3', problem: '理论学习不够深入' },
        responsible: '王明、李华',
      };

const parts = (m: { subject: string; text: string; html: string }) => [m.subject, m.text, m.html];
const firstLine = (text: string) => text.split('\n')[0];

describe('mail templates', () => {
  for (const locale of LOCALES) {
    describe(locale, () => {
      for (const t of TEMPLATES) {
        it(`${t}: complete, linked, signed and in its language`, () => {
          const vars = full(locale);
          const m = renderMail(t, locale, vars);
          for (const p of parts(m)) {
            expect(p).not.toMatch(/undefined|null|NaN/);
            expect(p.trim().length).toBeGreaterThan(0);
          }
          expect(m.text).toContain(LINK);
          expect(m.html).toContain(`<a href="${LINK}"`);
          expect(m.html).toMatch(/#C8161D/i);
          expect(m.html).not.toMatch(/<(script|img|link|iframe)\b|src=|url\(/i);
          expect(firstLine(m.text).trim().length).toBeGreaterThan(0);
          const lines = m.text.split('\n');
          if (locale === 'en') {
            expect(m.subject.startsWith('[Shuping]')).toBe(true);
            expect(lines).toContain(`Open: ${LINK}`);
            expect(m.text).toContain('Party Committee Office');
            for (const p of parts(m)) expect(p).not.toMatch(CJK);
          } else {
            expect(m.subject.startsWith('【述评】')).toBe(true);
            expect(lines).toContain(`办理链接：${LINK}`);
            expect(lines).toContain('王明同志：');
            expect(m.text).toContain('党委办公室');
            expect(m.text).toMatch(/[\u4e00-\u9fff]/);
          }
          if (!['resultsPublished', 'cycleArchived', 'invitation', 'passwordReset'].includes(t)) {
            expect(m.subject).toContain(vars.branchName);
          }
          if (ACTION_WITH_DEADLINE.includes(t)) expect(firstLine(m.text)).toContain(vars.deadline!.at);
        });

        it(`${t}: minimal vars print nothing missing`, () => {
          const m = renderMail(t, locale, { recipientName: 'Wang', recipientRole: 'office', cycleTitle: 'Review 2020', link: LINK });
          for (const p of parts(m)) expect(p).not.toMatch(/undefined|null|NaN|（）|\(\)/);
          expect(m.text).toContain(LINK);
        });
      }
    });
  }

  it('puts what to do and by when first, as in the examples', () => {
    expect(firstLine(renderMail('reminder', 'zh-CN', full('zh-CN')).text)).toBe('请于2020年12月4日 18:00前提交述职材料（剩余3天）。');
    expect(firstLine(renderMail('reminder', 'en', full('en')).text)).toBe('Please submit your report materials by 4 Dec 2020 18:00 (3 days left).');
  });

  it('escapes user-typed values in the HTML part', () => {
    for (const locale of LOCALES) {
      for (const t of ['materialsSubmitted', 'materialsReturned', 'escalation'] as TemplateName[]) {
        const m = renderMail(t, locale, { ...full(locale), branchName: '<script>alert("x")</script>', reason: `O'Brien & <b>` });
        expect(m.html).not.toContain('<script>');
        expect(m.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
        if (t === 'materialsReturned') expect(m.html).toContain('O&#39;Brien &amp; &lt;b&gt;');
      }
    }
  });

  it('words the reminder differently by step', () => {
    for (const locale of LOCALES) {
      const byStep = (step: 'd-3' | 'd-1' | 'd0', daysLeft: number) =>
        renderMail('reminder', locale, { ...full(locale), step, deadline: { ...full(locale).deadline!, daysLeft } });
      const mails = [byStep('d-3', 3), byStep('d-1', 1), byStep('d0', 0)];
      expect(new Set(mails.map((m) => m.subject)).size).toBe(3);
      expect(new Set(mails.map((m) => m.text)).size).toBe(3);
      expect(new Set(mails.map((m) => firstLine(m.text))).size).toBe(3);
      // Same deadline, different step: the wording still follows the step.
      const sameDays = (['d-3', 'd-1', 'd0'] as const).map((s) => renderMail('reminder', locale, { ...full(locale), step: s }).subject);
      expect(new Set(sameDays).size).toBe(3);
    }
    expect(renderMail('reminder', 'zh-CN', { ...full('zh-CN'), step: 'd-1' }).subject).toContain('明天');
    expect(renderMail('reminder', 'zh-CN', { ...full('zh-CN'), step: 'd0' }).subject).toContain('今天');
    expect(renderMail('reminder', 'en', { ...full('en'), step: 'd-1' }).subject).toContain('tomorrow');
    expect(renderMail('reminder', 'en', { ...full('en'), step: 'd0' }).subject).toContain('today');
  });

  it('says how many days overdue', () => {
    const zh = renderMail('overdue', 'zh-CN', { ...full('zh-CN'), step: 'overdue', deadline: { kind: 'plan', at: '2021年1月10日 18:00', daysLeft: -2 } });
    expect(firstLine(zh.text)).toContain('2021年1月10日 18:00');
    expect(firstLine(zh.text)).toContain('逾期2天');
    expect(firstLine(zh.text)).toContain('提交整改方案');
    const en = renderMail('overdue', 'en', { ...full('en'), step: 'overdue', deadline: { kind: 'plan', at: '10 Jan 2021 18:00', daysLeft: -1 } });
    expect(firstLine(en.text)).toContain('1 day overdue');
    const onTheDay = renderMail('overdue', 'zh-CN', { ...full('zh-CN'), deadline: { kind: 'plan', at: '2021年1月10日 18:00', daysLeft: 0 } });
    expect(onTheDay.text).not.toContain('逾期0天');
  });

  it('names who must act in an escalation and the evaluator action for scoring', () => {
    const esc = renderMail('escalation', 'zh-CN', { ...full('zh-CN'), deadline: { kind: 'scoring', at: '2020年12月14日 18:00', daysLeft: -1 } });
    expect(esc.text).toContain('王明、李华');
    expect(firstLine(esc.text)).toContain('机关第一党支部');
    const req = renderMail('scoreRequest', 'zh-CN', { ...full('zh-CN'), recipientRole: 'evaluator', deadline: { kind: 'scoring', at: '2020年12月14日 18:00', daysLeft: 2 } });
    expect(firstLine(req.text)).toBe('请于2020年12月14日 18:00前完成对机关第一党支部的评分（剩余2天）。');
  });

  it('shows results, topics and meeting details when given and omits them when not', () => {
    const results = renderMail('results', 'zh-CN', full('zh-CN'));
    expect(results.text).toContain('91.5');
    expect(results.text).toContain('第2名');
    expect(renderMail('results', 'zh-CN', { ...full('zh-CN'), result: undefined }).text).not.toContain('最终得分');
    const notice = renderMail('notice', 'zh-CN', full('zh-CN'));
    expect(notice.text).toContain('1. 党建与生产经营融合情况');
    expect(notice.text).toContain('公司30楼报告厅');
    expect(notice.html).toContain('<li>存在问题及原因分析</li>');
    const bare = renderMail('notice', 'zh-CN', { ...full('zh-CN'), topics: undefined, meeting: undefined });
    expect(bare.text).not.toContain('述职内容');
    expect(bare.text).not.toContain('现场述职会议');
  });

  it('labels deadline kinds', () => {
    expect(deadlineLabel('materials', 'zh-CN')).toBe('述职材料提交');
    expect(deadlineLabel('followUp', 'zh-CN')).toBe('整改落实');
    expect(deadlineLabel('materials', 'en')).toBe('materials submission');
    expect(deadlineLabel('plan', 'en')).not.toMatch(CJK);
  });
});

/** Template names in the `notify` actions of a machine config; dynamic params get an event of the transition's type. */
function notifyTemplates(config: unknown): Set<string> {
  const found = new Set<string>();
  const visit = (node: unknown, event?: string, isOn = false): void => {
    if (Array.isArray(node)) return node.forEach((n) => visit(n, event));
    if (!node || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    if (o.type === 'notify') {
      const params = typeof o.params === 'function' ? o.params({ context: {}, event: { type: event, data: {} } }) : o.params;
      found.add((params as { template: string }).template);
      return;
    }
    for (const [k, v] of Object.entries(o)) visit(v, isOn ? k : event, !isOn && k === 'on');
  };
  visit(config);
  return found;
}

/** Template names the engine gives itself: `template: '…'` params, and literals in renderMail's first argument. */
function engineTemplates(): Set<string> {
  const dir = path.resolve(import.meta.dirname, '../../src/engine');
  const found = new Set<string>();
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const src = fs.readFileSync(path.join(dir, f), 'utf8');
    for (const m of src.matchAll(/\btemplate: '(\w+)'/g)) found.add(m[1]);
    for (const m of src.matchAll(/\brenderMail\(([^,]+),/g)) for (const l of m[1].matchAll(/'(\w+)'/g)) found.add(l[1]);
  }
  return found;
}

describe('template registry and catalogues', () => {
  it('has a template for every name the statecharts and the engine mail', () => {
    const fromMachines = new Set([...notifyTemplates(branchReviewMachine.config), ...notifyTemplates(cycleMachine.config), ...notifyTemplates(quarterlyAssessmentMachine.config)]);
    // The walk reaches entry actions, guarded transitions and params computed from the event.
    for (const n of ['notice', 'reminder', 'escalation', 'deadlineExtended', 'cycleArchived', 'quarterNotice', 'selfAssessmentReturned']) expect(fromMachines).toContain(n);
    const fromEngine = engineTemplates();
    // (重发通知 sends the notice its branch's workflow starts with: a machine's name, checked above.)
    for (const n of ['invitation', 'passwordReset', 'escalation']) expect(fromEngine).toContain(n);
    const missing = [...fromMachines, ...fromEngine].filter((n) => !Object.hasOwn(templates, n));
    expect(missing).toEqual([]);
  });

  it('gives both languages the same keys', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(zhCN).sort());
  });

  it('uses every catalogue key, and every key a template declares', () => {
    const declared = new Set<string>(FRAME_KEYS);
    for (const name of TEMPLATES) {
      const tpl: AnyTemplate = templates[name];
      for (const locale of LOCALES) {
        const used = new Set<string>();
        const spy = new Proxy(locale === 'en' ? en : zhCN, {
          get: (target, key: string) => (used.add(key), target[key as keyof Catalogue]),
        });
        // Full vars reach every optional block; the overdue step reaches the reminder's other wording.
        for (const vars of [full(locale), { ...full(locale), step: 'overdue' as const }]) tpl.body(tpl.facts(vars), spy);
        expect([...used].filter((k) => !tpl.keys.includes(k as never)), `${name} reads undeclared keys`).toEqual([]);
        expect(tpl.keys.filter((k) => !used.has(k)), `${name} declares unused keys`).toEqual([]);
      }
      for (const k of tpl.keys) declared.add(k);
    }
    expect(Object.keys(zhCN).filter((k) => !declared.has(k))).toEqual([]);
  });
});
