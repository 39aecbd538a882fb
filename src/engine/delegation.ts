// 委托 and 重发通知: who acts for a branch, and sending its notice again.
import { branchWorkflowOf, launchNoticeOf, type NotifyParams } from '../../workflows/index';
import { deputySchema } from '../domain/schemas';
import { AppError, fromZod } from '../errors';
import { updateBranchReview } from '../store/branchReviews';
import { queueMails } from '../store/outbox';
import { upsertUser } from '../store/users';
import { queuePasswordLink } from './accounts';
import type { Actor } from './actors';
import { recordAudit } from './audit';
import { mailsFor } from './effects';
import { branchOnRecord } from './lookup';
import { authorizeOnBranch, checkDeputy, momentOf } from './policy';
import { parseConfig, type EngineDeps } from './transitions';

/**
 * 委托: the office, or the branch's own secretary, names a deputy who gets the branch's mails and may
 * act for the secretary (or removes the deputy with null). A new person is invited to set a password.
 * The deputy's rights come from the branch alone, so removing them removes everything naming gave.
 */
export async function setDeputy(
  deps: EngineDeps,
  req: { cycle: string | number; branch: string; deputy: unknown; actor: Actor },
  now: string,
): Promise<{ deputy: { email: string; name: string } | null; version: number }> {
  const parsed = deputySchema.safeParse(req.deputy);
  if (!parsed.success) throw fromZod(parsed.error, 'deputy');
  const deputy = parsed.data;
  return deps.db.transaction(async (trx) => {
    const { cycle, branch, ctx, standing } = await branchOnRecord(trx, req.cycle, req.branch, req.actor, true);
    authorizeOnBranch(standing, 'SET_DEPUTY', momentOf(cycle, branch));
    let deputyId: number | null = null;
    if (deputy) {
      const { user, created } = await upsertUser(trx, deputy, now);
      checkDeputy(ctx, user.id, branch.secretary_id);
      if (created) await queuePasswordLink(trx, user, 'invitation', deps.mail, now, parseConfig(cycle).title);
      deputyId = user.id;
    }
    if (!(await updateBranchReview(trx, branch.id, branch.version, { deputy_id: deputyId, updated_at: now }))) {
      throw new AppError('VERSION_CONFLICT', '数据已被他人修改，请刷新后重试 (concurrent update)');
    }
    await recordAudit(trx, {
      actor: req.actor,
      as: standing.office ? 'office' : 'secretary',
      action: deputy ? 'SET_DEPUTY' : 'REMOVE_DEPUTY',
      cycleId: cycle.id,
      branchReviewId: branch.id,
      subject: deputyId === null ? (branch.deputy_id === null ? null : `user:${branch.deputy_id}`) : `user:${deputyId}`,
      data: { deputy: deputy?.email ?? null },
      fromState: branch.state,
      toState: branch.state,
      version: branch.version + 1,
      at: now,
    });
    return { deputy: deputy ? { email: deputy.email, name: deputy.name } : null, version: branch.version + 1 };
  });
}

/** 重发通知: the office sends the notice again (a secretary lost it, or a deputy took over). */
export async function resendNotice(deps: EngineDeps, req: { cycle: string | number; branch: string; actor: Actor }, now: string): Promise<{ mailsQueued: number }> {
  return deps.db.transaction(async (trx) => {
    const { cycle, branch, ctx: context, standing } = await branchOnRecord(trx, req.cycle, req.branch, req.actor);
    authorizeOnBranch(standing, 'RESEND_NOTICE', momentOf(cycle, branch));
    const [auditId] = await recordAudit(trx, {
      actor: req.actor,
      as: 'office',
      action: 'RESEND_NOTICE',
      cycleId: cycle.id,
      branchReviewId: branch.id,
      fromState: branch.state,
      toState: branch.state,
      version: branch.version,
      at: now,
    }, { ids: true });
    const mails = await mailsFor(
      trx,
      { cycle, config: parseConfig(cycle), branch, context, version: branch.version, now, reasonKey: `resend${auditId}` },
      // The notice the branch's own workflow sent as it started (the annual review's or the quarter's).
      [launchNoticeOf(branchWorkflowOf(branch)) as NotifyParams],
      deps.mail,
    );
    return { mailsQueued: await queueMails(trx, mails) };
  });
}
