// The office's view of the outbox: list queued, sent and dead mail, and put a dead letter back.
import { AppError } from '../errors';
import { getMail, listMails, mailCounts, requeueMail, type MailRow } from '../store/outbox';
import type { Actor } from './actors';
import { recordAudit } from './audit';
import { authorize } from './policy';
import type { EngineDeps } from './transitions';

export async function listMail(deps: EngineDeps, actor: Actor, filter: { status?: MailRow['status'] } = {}) {
  authorize(actor, 'MAIL_ADMIN');
  return { mails: await listMails(deps.db, filter), counts: await mailCounts(deps.db) };
}

export async function retryMail(deps: EngineDeps, id: number, actor: Actor, now: string): Promise<{ requeued: number }> {
  authorize(actor, 'MAIL_ADMIN');
  return deps.db.transaction(async (trx) => {
    const mail = await getMail(trx, id);
    if (!mail || !(await requeueMail(trx, id, now))) throw new AppError('NOT_FOUND', `没有编号为 ${id} 的死信 (no such dead letter)`);
    await recordAudit(trx, {
      actor, as: 'office', action: 'RETRY_MAIL', cycleId: mail.cycle_id, branchReviewId: mail.branch_review_id, subject: `mail:${id}`,
      data: { template: mail.template, to: mail.to_email }, at: now,
    });
    return { requeued: id };
  });
}
