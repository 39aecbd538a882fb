// Mail templates (邮件模板), Simplified Chinese by default and English by choice.
// Every mail has the same shape: the first line says what to do and by when (or, when there is
// nothing to do, the news itself); then the salutation, the details, the link to the page where
// to act, and the sign-off. Optional facts that are missing are left out, never printed empty.
// One file per template in ./templates states the facts; the wording is in ./locales.
import { en } from './locales/en';
import { zhCN, type Catalogue, type MessageKey } from './locales/zh-CN';
import { templates, type AnyTemplate, type TemplateName } from './templates/index';
import { opt, type Block, type DeadlineKindName, type Locale, type MailVars } from './templates/shared';

export type { TemplateName } from './templates/index';
export type { DeadlineKindName, Locale, MailVars, ReminderStep } from './templates/shared';

export interface RenderedMail { subject: string; text: string; html: string }

/** Any locale other than English gets Chinese. */
const catalogue = (locale: Locale): Catalogue => (locale === 'en' ? en : zhCN);

/** Catalogue keys used here, not by a template: the frame around every mail, and deadlineLabel. */
export const FRAME_KEYS = ['mail.subject', 'mail.salutation', 'mail.open', 'mail.signOff', 'deadline.label'] as const satisfies readonly MessageKey[];

/** e.g. 述职材料提交 / materials submission */
export function deadlineLabel(kind: DeadlineKindName, locale: Locale): string {
  return catalogue(locale)['deadline.label'](kind);
}

/** Escapes the five HTML-significant characters. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const isBlockList = (b: Block): b is { title: string; items: string[] } => typeof b === 'object' && b !== null;

/** Only web links become anchors; anything else is shown as text. */
const isWebLink = (url: string) => /^https?:\/\//i.test(url);

export function renderMail(template: TemplateName, locale: Locale, vars: MailVars): RenderedMail {
  // Names reach here unchecked from statecharts (effects.ts): say which one is missing.
  if (!Object.hasOwn(templates, template)) throw new Error(`no mail template named ${template}`);
  const tpl: AnyTemplate = templates[template];
  const t = catalogue(locale);
  const body = tpl.body(tpl.facts(vars), t);
  const blocks = body.blocks.filter((b): b is string | { title: string; items: string[] } =>
    isBlockList(b) ? b.items.length > 0 : typeof b === 'string' && b.length > 0,
  );
  const name = opt(vars.recipientName);
  // Copies to bare addresses (抄送) carry the address as the name: greet them neutrally.
  const salutation = t['mail.salutation'](name && !name.includes('@') ? name : undefined);
  const openLabel = t['mail.open'];
  const signOff = t['mail.signOff'];
  const subject = t['mail.subject'](body.subject);
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
    `<html lang="${locale === 'en' ? 'en' : 'zh-CN'}"><head><meta charset="utf-8"><title>${e(subject)}</title></head>`,
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
