// The audit's hash chain, pure: each record's hash covers its content and the previous record's
// hash, so changing, deleting or inserting a record breaks every hash after it.
import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

/** The fields a record's hash covers, in a fixed order. */
export interface ChainedContent {
  chain: string;
  seq: number;
  cycle_id: number | null;
  branch_review_id: number | null;
  actor: string;
  actor_name: string | null;
  actor_role: string | null;
  event_type: string;
  subject: string | null;
  data: string | null;
  from_state: string | null;
  to_state: string | null;
  version: number | null;
  at: string;
}

export function recordHash(prevHash: string, r: ChainedContent): string {
  const content = [
    r.chain, r.seq, r.cycle_id, r.branch_review_id, r.actor, r.actor_name, r.actor_role, r.event_type,
    r.subject, r.data, r.from_state, r.to_state, r.version, r.at,
  ].map((v) => (v === null || v === undefined ? null : String(v)));
  return createHash('sha256').update(prevHash).update('\n').update(JSON.stringify(content)).digest('hex');
}

export const chainOf = (cycleId: number | null): string => (cycleId === null ? 'global' : `cycle:${cycleId}`);

export interface ChainBreak { id: number | null; seq: number | null; reason: string }

/**
 * Walks one chain's records in `seq` order (then id) against its head; the first record that breaks
 * it is named. A record with no hash (inserted behind the application's back) breaks it too.
 */
export function verifyChain(
  records: (Omit<ChainedContent, 'chain' | 'seq'> & { chain: string | null; seq: number | null; id: number; prev_hash: string | null; hash: string | null })[],
  head: { seq: number; last_hash: string } | undefined,
): ChainBreak | null {
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  for (const r of records) {
    if (r.seq !== expectedSeq) {
      return { id: r.id, seq: r.seq, reason: r.seq === null ? 'record outside the chain' : `expected record ${expectedSeq} of the chain, found ${r.seq}` };
    }
    if (r.prev_hash !== prev) return { id: r.id, seq: r.seq, reason: 'previous hash does not match' };
    if (r.hash !== recordHash(prev, r as ChainedContent)) return { id: r.id, seq: r.seq, reason: 'content does not match its hash' };
    prev = r.hash;
    expectedSeq++;
  }
  if (!head && records.length) return { id: null, seq: null, reason: 'chain has no head' };
  if (head && (head.seq !== expectedSeq - 1 || head.last_hash !== prev)) {
    return { id: null, seq: expectedSeq, reason: `records after ${expectedSeq - 1} of ${head.seq} are missing` };
  }
  return null;
}
