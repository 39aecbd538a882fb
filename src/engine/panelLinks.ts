// Scoring from phones (评分链接): the office issues each panel member a link (a random token, stored
// hashed; reissuing revokes the old one). The link resolves, request by request, to its evaluator as
// the actor with no other role, for scoring that cycle's branches only, until results are published;
// the policy does the rest exactly as for a signed-in evaluator (回避, 评分保密).
import { createHash, randomBytes } from 'node:crypto';
import QRCode from 'qrcode';
import { scoringOpen } from '../../workflows/index';
import { AppError, invalidInput } from '../errors';
import { listBranchReviews } from '../store/branchReviews';
import { cyclePeople, findCycle, type CycleRow } from '../store/cycles';
import type { Tx } from '../store/db';
import { findPanelLink, insertPanelLink, livePanelLinks, revokePanelLinks } from '../store/meeting';
import { getUser } from '../store/users';
import type { Actor } from './actors';
import { recordAudit } from './audit';
import { saveScoreDraft, sendBranchEvent } from './branchEvents';
import { contextOf, requireCycle } from './lookup';
import { authorize, authorizeLinkUse, linkStanding, standingOn } from './policy';
import type { EngineDeps, EventAnswer } from './transitions';
import { branchView } from './views';

/** How long a link lives at most; publication ends it sooner. */
export const PANEL_LINK_DAYS = 30;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const plusDays = (now: string, days: number) => new Date(Date.parse(now) + days * 86_400_000).toISOString();

export interface PanelLink { email: string; name: string; url: string; expiresAt: string; qr: string }

/** A QR code of the link, as an SVG data URL (made by the app itself; the page's CSP allows data: images). */
export async function qrDataUrl(text: string): Promise<string> {
  const svg = await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

/**
 * Issues (reissues) the scoring links of a cycle's panel, or of one member: each replaces the
 * member's live link. Only while the cycle runs (results not yet published). Audited per member.
 */
export async function issuePanelLinks(
  deps: EngineDeps,
  req: { cycle: string | number; email?: string; actor: Actor },
  now: string,
): Promise<{ links: PanelLink[] }> {
  authorize(req.actor, 'ISSUE_PANEL_LINKS');
  const issued = await deps.db.transaction(async (trx) => {
    const cycle = await requireCycle(trx, req.cycle);
    if (cycle.state !== 'launched') {
      throw new AppError('EVENT_NOT_ALLOWED', '只有进行中（结果公布前）的周期可以发放评分链接 (the cycle is not running)', { state: cycle.state, allowedEvents: [] });
    }
    let panel = await cyclePeople(trx, cycle.id, 'evaluator');
    if (req.email !== undefined) {
      const email = req.email.trim().toLowerCase();
      panel = panel.filter((p) => p.email === email);
      if (!panel.length) throw invalidInput([{ field: 'email', message: `${email} 不是本周期考评组成员` }]);
    }
    const out: Omit<PanelLink, 'qr'>[] = [];
    for (const p of panel) {
      const token = randomBytes(24).toString('base64url');
      const expiresAt = plusDays(now, PANEL_LINK_DAYS);
      await revokePanelLinks(trx, cycle.id, now, p.user_id);
      await insertPanelLink(trx, { cycle_id: cycle.id, user_id: p.user_id, token_hash: sha256(token), created_by: req.actor.id, created_at: now, expires_at: expiresAt });
      await recordAudit(trx, { actor: req.actor, as: 'office', action: 'ISSUE_PANEL_LINK', cycleId: cycle.id, subject: `user:${p.user_id}`, data: { email: p.email, expiresAt }, at: now });
      out.push({ email: p.email, name: p.name, url: `${deps.mail.baseUrl.replace(/\/$/, '')}/p/${token}`, expiresAt });
    }
    return out;
  });
  return { links: await Promise.all(issued.map(async (l) => ({ ...l, qr: await qrDataUrl(l.url) }))) };
}

/** Revokes one member's live link (or every link of the cycle); audited. */
export async function revokePanelLink(deps: EngineDeps, req: { cycle: string | number; userId?: number; actor: Actor }, now: string): Promise<{ revoked: number }> {
  authorize(req.actor, 'ISSUE_PANEL_LINKS');
  return deps.db.transaction(async (trx) => {
    const cycle = await requireCycle(trx, req.cycle);
    const revoked = await revokePanelLinks(trx, cycle.id, now, req.userId);
    await recordAudit(trx, {
      actor: req.actor, as: 'office', action: 'REVOKE_PANEL_LINK', cycleId: cycle.id, subject: req.userId === undefined ? `cycle:${cycle.id}` : `user:${req.userId}`,
      data: { revoked }, at: now,
    });
    return { revoked };
  });
}

/** Who on the panel holds a live link, and until when (the links themselves are shown once, when issued). */
export async function panelLinkStatus(db: Tx, ref: string | number, actor: Actor, now: string) {
  authorize(actor, 'ISSUE_PANEL_LINKS');
  const cycle = await requireCycle(db, ref);
  const live = new Map((await livePanelLinks(db, cycle.id, now)).map((l) => [l.user_id, l]));
  return {
    panel: (await cyclePeople(db, cycle.id, 'evaluator')).map((p) => ({ userId: p.user_id, email: p.email, name: p.name, expiresAt: live.get(p.user_id)?.expires_at ?? null })),
  };
}

/** The link's evaluator as an actor (no global role), if the link is live and the cycle still scoring. */
export async function resolvePanelLink(db: Tx, token: string, now: string): Promise<{ actor: Actor; cycle: CycleRow }> {
  const link = await findPanelLink(db, sha256(token));
  if (!link) throw new AppError('NOT_FOUND', '评分链接不存在 (unknown scoring link)');
  const cycle = (await findCycle(db, link.cycle_id))!;
  authorizeLinkUse({ cycleState: cycle.state, revoked: link.revoked_at !== null, expired: link.expires_at <= now });
  const user = await getUser(db, link.user_id);
  if (!user || (user as { deactivated_at?: string | null }).deactivated_at) throw new AppError('FORBIDDEN', '该评分链接已失效 (the link is no longer valid)');
  return { actor: { id: user.id, email: user.email, name: user.name, roles: [] }, cycle };
}

/** The phone's list: the branches this evaluator is expected to score (回避 applied), and where each stands. */
export async function panelHome(db: Tx, token: string, now: string) {
  const { actor, cycle } = await resolvePanelLink(db, token, now);
  const branches = [];
  for (const b of await listBranchReviews(db, cycle.id)) {
    const ctx = contextOf(b);
    const st = linkStanding(standingOn(actor, b, ctx));
    if (!st.evaluator) continue;
    const submitted = String(actor.id) in ctx.scores;
    branches.push({ code: b.code, name: b.name, phase: b.phase, status: submitted ? 'submitted' : scoringOpen(b.phase) ? 'open' : 'notOpen' });
  }
  // Open ones first, then those not yet open, then those done.
  const order = { open: 0, notOpen: 1, submitted: 2 } as const;
  branches.sort((a, b) => order[a.status as keyof typeof order] - order[b.status as keyof typeof order]);
  return { evaluator: actor.name, cycle: { id: cycle.id, year: cycle.year, title: cycle.title }, branches };
}

/** The phone's score form for one branch: what a signed-in evaluator's form shows, through the same read model. */
export async function panelBranch(db: Tx, token: string, code: string, now: string) {
  const { actor, cycle } = await resolvePanelLink(db, token, now);
  const v = await branchView(db, cycle.id, code, actor, now);
  if (!v.rights.evaluator) throw new AppError('FORBIDDEN', '您与该支部存在回避关系或不在考评组，不能为其评分 (conflict of interest: not an expected evaluator)');
  return {
    evaluator: actor.name,
    cycle: v.cycle,
    branch: { code: v.branch.code, name: v.branch.name, phase: v.branch.phase, version: v.branch.version, myScoreSubmitted: v.branch.myScoreSubmitted, scoringOpen: scoringOpen(v.branch.phase) },
    rubric: v.rubric,
    myScore: v.branch.scores.find((s) => s.mine) ?? null,
    draft: v.draft ?? null,
  };
}

/** SUBMIT_SCORE through the link: the evaluator's own event, checked and recorded as any other. */
export async function scoreByLink(
  deps: EngineDeps,
  req: { token: string; branch: string; data: unknown; expectedVersion?: number; idempotencyKey?: string },
  now: string,
): Promise<EventAnswer> {
  const { actor, cycle } = await resolvePanelLink(deps.db, req.token, now);
  return sendBranchEvent(deps, { cycle: cycle.id, branch: req.branch, type: 'SUBMIT_SCORE', data: req.data, actor, expectedVersion: req.expectedVersion, idempotencyKey: req.idempotencyKey }, now);
}

/** A score draft through the link. */
export async function draftByLink(deps: EngineDeps, req: { token: string; branch: string; draft: unknown }, now: string) {
  const { actor, cycle } = await resolvePanelLink(deps.db, req.token, now);
  return saveScoreDraft(deps, { cycle: cycle.id, branch: req.branch, draft: req.draft, actor }, now);
}
