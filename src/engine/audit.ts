// The audit: every change, whoever makes it, writes one record naming the actor, in the same
// transaction as the change. Records are hash-chained (src/domain/auditChain.ts).
import { chainOf, verifyChain } from '../domain/auditChain';
import { AppError } from '../errors';
import { chainNames, chainHeads, chainRecords, insertAudit } from '../store/audit';
import type { Tx } from '../store/db';
import { actorKey, type Actor } from './actors';

export interface AuditEntry {
  actor: Actor;
  /** The capacity the actor acted in (office, secretary, deputy, evaluator, leader, system, self). */
  as?: string;
  action: string;
  cycleId?: number | null;
  branchReviewId?: number | null;
  /** What the change was made to when it is not the branch itself: `user:12`, `file:ab12`, `mail:7`. */
  subject?: string | null;
  data?: unknown;
  fromState?: string | null;
  toState?: string | null;
  version?: number | null;
  at: string;
}

const roleOf = (e: AuditEntry): string =>
  e.as ?? (e.actor.id === null ? 'system' : (['office', 'leader', 'secretary', 'evaluator'].find((r) => e.actor.roles.includes(r)) ?? 'user'));

/** Writes the entries inside the caller's transaction; returns their ids in order when asked (`ids`). */
export function recordAudit(trx: Tx, entries: AuditEntry | AuditEntry[], opts: { ids?: boolean } = {}): Promise<number[]> {
  const list = Array.isArray(entries) ? entries : [entries];
  return insertAudit(
    trx,
    list.map((e) => ({
      cycle_id: e.cycleId ?? null,
      branch_review_id: e.branchReviewId ?? null,
      actor: actorKey(e.actor),
      actor_name: e.actor.name,
      actor_role: roleOf(e),
      event_type: e.action,
      subject: e.subject ?? null,
      data: e.data === undefined || e.data === null ? null : JSON.stringify(e.data),
      from_state: e.fromState ?? null,
      to_state: e.toState ?? null,
      version: e.version ?? null,
      at: e.at,
    })),
    opts,
  );
}

/**
 * `audit verify`: walks every chain (or the cycle's) and answers `{ ok: true, records }`, or throws
 * AUDIT_TAMPERED naming the first record that breaks a chain.
 */
export async function verifyAudit(db: Tx, cycleId?: number): Promise<{ ok: true; records: number }> {
  const heads = new Map((await chainHeads(db)).map((h) => [h.chain, h]));
  const chains = new Map<string, number | null>();
  if (cycleId !== undefined) chains.set(chainOf(cycleId), cycleId);
  else {
    for (const h of heads.keys()) chains.set(h, h === 'global' ? null : Number(h.slice('cycle:'.length)));
    for (const n of await chainNames(db)) {
      const chain = n.chain ?? chainOf(n.cycle_id);
      if (!chains.has(chain)) chains.set(chain, n.cycle_id);
    }
  }
  let records = 0;
  for (const [chain, cycle] of [...chains].sort(([a], [b]) => a.localeCompare(b))) {
    const rows = await chainRecords(db, chain, cycle);
    const broken = verifyChain(rows, heads.get(chain));
    if (broken) {
      const which = broken.id === null ? `链 ${chain} 的末尾` : `记录 #${broken.id}`;
      throw new AppError('AUDIT_TAMPERED', `审计记录被篡改：${which}（${broken.reason}）`, { chain, recordId: broken.id, seq: broken.seq, reason: broken.reason });
    }
    records += rows.length;
  }
  return { ok: true, records };
}
