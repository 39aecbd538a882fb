// 民主测评: anonymous one-time ballots. The token is the only thing a voter holds; casting needs no sign-in.
import { randomBytes } from 'node:crypto';
import { acceptsBallots } from '../../workflows/index';
import { ballotChoiceSchema } from '../domain/schemas';
import { AppError, invalidInput } from '../errors';
import { castBallot, findBallot, insertBallots } from '../store/ballots';
import { getBranchReview } from '../store/branchReviews';
import type { Actor } from './actors';
import { recordAudit } from './audit';
import { authorize } from './policy';
import { requireBranch, requireCycle } from './lookup';
import { parseConfig, type EngineDeps } from './transitions';

/** A voter is anonymous: the audit records that a ballot was cast, never by whom or which. */
const VOTER: Actor = { id: null, email: 'ballot', name: '匿名测评人', roles: [] };

export async function issueBallots(
  deps: EngineDeps,
  req: { cycle: string | number; branch: string; count: number; actor: Actor; now?: string },
): Promise<{ ballots: { token: string; url: string }[] }> {
  authorize(req.actor, 'ISSUE_BALLOTS');
  if (!Number.isInteger(req.count) || req.count < 1 || req.count > 1000) {
    throw invalidInput([{ field: 'count', message: '须为 1 到 1000 的整数' }]);
  }
  const now = req.now ?? new Date().toISOString();
  return deps.db.transaction(async (trx) => {
    const cycle = await requireCycle(trx, req.cycle);
    if (!parseConfig(cycle).democratic.enabled) throw invalidInput([{ field: 'cycle', message: '本周期未启用民主测评' }]);
    const branch = await requireBranch(trx, cycle, req.branch);
    if (!acceptsBallots(branch.phase)) throw new AppError('EVENT_NOT_ALLOWED', '结果已公布或支部已结束，不能再发放测评票', { allowedEvents: [] });
    const rows = Array.from({ length: req.count }, () => ({
      token: randomBytes(18).toString('base64url'),
      cycle_id: cycle.id,
      branch_review_id: branch.id,
      choice: null,
      issued_at: now,
      cast_at: null,
    }));
    await insertBallots(trx, rows);
    await recordAudit(trx, { actor: req.actor, as: 'office', action: 'ISSUE_BALLOTS', cycleId: cycle.id, branchReviewId: branch.id, data: { count: req.count }, at: now });
    return { ballots: rows.map((r) => ({ token: r.token, url: `${deps.mail.baseUrl}/ballot/${r.token}` })) };
  });
}

export async function castBallotByToken(deps: EngineDeps, token: string, choice: unknown, now = new Date().toISOString()): Promise<{ cast: true }> {
  const parsed = ballotChoiceSchema.safeParse(choice);
  if (!parsed.success) throw invalidInput([{ field: 'choice', message: '须为 满意、基本满意 或 不满意' }]);
  return deps.db.transaction(async (trx) => {
    const ballot = await findBallot(trx, token);
    if (!ballot) throw new AppError('NOT_FOUND', '测评票不存在 (unknown ballot)');
    const branch = await getBranchReview(trx, ballot.branch_review_id);
    if (!branch || !acceptsBallots(branch.phase)) throw new AppError('BALLOT_USED', '测评已结束 (appraisal closed)');
    if (!(await castBallot(trx, token, parsed.data, now))) throw new AppError('BALLOT_USED', '该测评票已使用 (ballot already used)');
    await recordAudit(trx, { actor: VOTER, as: 'voter', action: 'CAST_BALLOT', cycleId: branch.cycle_id, branchReviewId: branch.id, at: now });
    return { cast: true as const };
  });
}

/** The ballot page shows only for a token that exists. */
export async function ballotExists(deps: EngineDeps, token: string): Promise<boolean> {
  return (await findBallot(deps.db, token)) !== undefined;
}
