import { chainOf, GENESIS_HASH, recordHash, type ChainedContent } from '../domain/auditChain';
import type { Tx } from './db';
import { isPostgres } from './db';

export interface AuditRow {
  id?: number;
  cycle_id: number | null;
  branch_review_id: number | null;
  actor: string;
  actor_name?: string | null;
  actor_role?: string | null;
  event_type: string;
  subject?: string | null;
  data: string | null;
  from_state: string | null;
  to_state: string | null;
  version: number | null;
  at: string;
}

export type StoredAuditRow = Required<AuditRow> & { id: number; chain: string | null; seq: number | null; prev_hash: string | null; hash: string | null };

/**
 * The head each chain had after this process last appended to it, per database: an append first
 * tries to move the head from there in one compare-and-set (seq and hash both unchanged), instead of
 * reading it and then writing it. Where another writer moved it (another process, a transaction that
 * rolled back after we cached), the compare fails and the head is read and locked as before: the
 * cache saves a statement, it never decides what is written.
 */
const heads = new WeakMap<object, Map<string, { seq: number; last_hash: string }>>();
const headsOf = (db: Tx) => {
  // A transaction's client inherits the root client's config object: one cache per database.
  const key = db.client.config as object;
  let map = heads.get(key);
  if (!map) heads.set(key, (map = new Map()));
  return map;
};

function chainRows(chain: string, list: AuditRow[], head: { seq: number; last_hash: string }) {
  let { seq, last_hash: prev } = head;
  const rows = list.map((r) => {
    seq++;
    const content: ChainedContent = {
      chain, seq, cycle_id: r.cycle_id, branch_review_id: r.branch_review_id, actor: r.actor,
      actor_name: r.actor_name ?? null, actor_role: r.actor_role ?? null, event_type: r.event_type,
      subject: r.subject ?? null, data: r.data, from_state: r.from_state, to_state: r.to_state, version: r.version, at: r.at,
    };
    const hash = recordHash(prev, content);
    const row = { ...content, prev_hash: prev, hash };
    prev = hash;
    return row;
  });
  return { rows, head: { seq, last_hash: prev } };
}

/**
 * Appends records to their chains inside the caller's transaction. The chain's head row is locked
 * (PostgreSQL: by the compare-and-set or FOR UPDATE) or the database is already held (SQLite), so
 * concurrent writers queue on the head. Returns the new ids in order when asked (`ids`).
 */
export async function insertAudit(db: Tx, rows: AuditRow[], opts: { ids?: boolean } = {}): Promise<number[]> {
  const ids: number[] = [];
  const byChain = new Map<string, AuditRow[]>();
  for (const r of rows) {
    const chain = chainOf(r.cycle_id);
    byChain.set(chain, [...(byChain.get(chain) ?? []), r]);
  }
  const known = headsOf(db);
  for (const [chain, list] of byChain) {
    let chained: ReturnType<typeof chainRows> | undefined;
    const cached = known.get(chain);
    if (cached) {
      const attempt = chainRows(chain, list, cached);
      const moved = await db('audit_chains').where({ chain, seq: cached.seq, last_hash: cached.last_hash }).update(attempt.head);
      if (moved === 1) chained = attempt;
    }
    if (!chained) {
      const lockHead = () => {
        const q = db('audit_chains').where({ chain }).first();
        return (isPostgres(db) ? q.forUpdate() : q) as Promise<{ seq: number; last_hash: string } | undefined>;
      };
      // The head exists after a chain's first record: create it only then (a concurrent first writer
      // is absorbed by the conflict clause).
      let head = await lockHead();
      if (!head) {
        await db('audit_chains').insert({ chain, seq: 0, last_hash: GENESIS_HASH }).onConflict('chain').ignore();
        head = (await lockHead())!;
      }
      chained = chainRows(chain, list, { seq: Number(head.seq), last_hash: head.last_hash });
      await db('audit_chains').where({ chain }).update(chained.head);
    }
    known.set(chain, chained.head);
    for (let i = 0; i < chained.rows.length; i += 200) {
      const part = chained.rows.slice(i, i + 200);
      // RETURNING only where the caller wants the ids (it costs SQLite a result set per insert).
      if (!opts.ids) await db('audit').insert(part);
      else ids.push(...((await db('audit').insert(part).returning('id')) as (number | { id: number })[]).map((g) => (typeof g === 'object' ? g.id : g)));
    }
  }
  return ids;
}

export const branchHistory = (db: Tx, branchReviewId: number): Promise<StoredAuditRow[]> =>
  db<StoredAuditRow>('audit').where({ branch_review_id: branchReviewId }).orderBy('id');

export const cycleAudit = (db: Tx, cycleId: number): Promise<StoredAuditRow[]> =>
  db<StoredAuditRow>('audit').where({ cycle_id: cycleId }).orderBy('id');

/** One chain's records in order, with those that claim no chain but belong to it by cycle. */
export function chainRecords(db: Tx, chain: string, cycleId: number | null): Promise<StoredAuditRow[]> {
  return db<StoredAuditRow>('audit')
    .where({ chain })
    .orWhere((w) => (cycleId === null ? w.whereNull('chain').whereNull('cycle_id') : w.whereNull('chain').where({ cycle_id: cycleId })))
    .orderByRaw('seq is null, seq, id');
}

export const chainHeads = (db: Tx): Promise<{ chain: string; seq: number; last_hash: string }[]> => db('audit_chains').orderBy('chain');

/** Chains named by records or heads, so a record with a made-up chain is still checked. */
export async function chainNames(db: Tx): Promise<{ chain: string | null; cycle_id: number | null }[]> {
  return db('audit').distinct('chain', 'cycle_id');
}
