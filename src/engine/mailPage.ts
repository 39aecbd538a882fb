// The office's mail page: sent, queued and dead mails, searched by recipient or subject, each opened.
import { AppError } from '../errors';
import { mailCounts } from '../store/outbox';
import { outboxMessage, searchOutbox } from '../store/web';
import type { Actor } from './actors';
import { authorize } from './policy';
import type { EngineDeps } from './transitions';

export const MAIL_PAGE_SIZE = 50;

export async function mailPage(deps: EngineDeps, actor: Actor, f: { status?: 'queued' | 'sent' | 'dead'; q?: string; offset?: number }) {
  authorize(actor, 'MAIL_ADMIN');
  const offset = Math.max(0, f.offset ?? 0);
  const { rows, total } = await searchOutbox(deps.db, { status: f.status, q: f.q?.trim() || undefined, limit: MAIL_PAGE_SIZE, offset });
  return { mails: rows, total, offset, limit: MAIL_PAGE_SIZE, counts: await mailCounts(deps.db) };
}

export async function mailMessage(deps: EngineDeps, actor: Actor, id: number) {
  authorize(actor, 'MAIL_ADMIN');
  const mail = await outboxMessage(deps.db, id);
  if (!mail) throw new AppError('NOT_FOUND', `没有编号为 ${id} 的邮件 (no mail ${id})`);
  return mail;
}
