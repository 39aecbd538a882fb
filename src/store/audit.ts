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
interface Head { seq: number; last_hash: string }
interface Known {
  heads: Map<string, Head>;
  /** The compare-and-set of each chain that this process has in flight, if any. */
  moving: Map<string, Promise<number>>;
}
const known = new WeakMap<object, Known>();
const knownOf = (db: Tx): Known => {
  // A transaction's client inherits the root client's config object: one cache per database.
  const key = db.client.config as object;
  let k = known.get(key);
  if (!k) known.set(key, (k = { heads: new Map(), moving: new Map() }));
  return k;
};
/**
 * How long an append waits for another transaction's compare-and-set of the same chain before trying
 * its own from what it knows. That statement may itself wait on a lock held elsewhere: past this the
 * append goes on (at worst its compare fails and it reads the head), so no wait here can deadlock.
 */
const WAIT_FOR_MOVE_MS = 100;

function chainRows(chain: string, list: AuditRow[], head: Head) {
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

/** The audit columns that hold integers; the others are text (casts for a VALUES list on PostgreSQL). */
const INTEGER_COLUMNS = new Set(['seq', 'cycle_id', 'branch_review_id', 'version']);

/**
 * PostgreSQL, in one statement: lock the chain's head (waiting for a concurrent writer's commit), and
 * only if it is still `from`, move it to the new head and insert the chained records. Returns the head
 * it found and whether the records went in; none when the chain has no head yet.
 */
async function appendAtHead(db: Tx, chain: string, from: Head, attempt: ReturnType<typeof chainRows>): Promise<{ head: Head; appended: boolean } | undefined> {
  const columns = Object.keys(attempt.rows[0]) as (keyof (typeof attempt.rows)[number])[];
  const row = `(${columns.map((c) => (INTEGER_COLUMNS.has(c) ? '?::integer' : '?::text')).join(', ')})`;
  const names = columns.map((c) => `"${c}"`).join(', ');
  const { rows } = (await db.raw(
    `with head as (select seq, last_hash from audit_chains where chain = ? for update),
      moved as (update audit_chains set seq = ?, last_hash = ? where chain = ? and exists (select 1 from head where seq = ? and last_hash = ?) returning seq),
      added as (insert into audit (${names}) select * from (values ${attempt.rows.map(() => row).join(', ')}) as v (${names}) where exists (select 1 from moved) returning id)
    select head.seq, head.last_hash, (select count(*) from added)::integer as added from head`,
    [chain, attempt.head.seq, attempt.head.last_hash, chain, from.seq, from.last_hash, ...attempt.rows.flatMap((r) => columns.map((c) => r[c]))],
  )) as { rows: { seq: number | string; last_hash: string; added: number }[] };
  if (!rows.length) return undefined;
  return { head: { seq: Number(rows[0].seq), last_hash: rows[0].last_hash }, appended: rows[0].added === attempt.rows.length };
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
  const { heads, moving } = knownOf(db);
  for (const [chain, list] of byChain) {
    let chained: ReturnType<typeof chainRows> | undefined;
    let inserted = false;
    let locked: Head | undefined; // the head as found by a failed one-statement append, which locked it
    // Concurrent transactions of this process (8 clients on PostgreSQL) append to the same chain: one
    // whose compare is in flight is about to move the head, and a compare from the head before it
    // would wait for its commit only to fail. Wait for that statement (not its commit) and compare
    // against the head it sets: PostgreSQL then holds ours until theirs commits, and it matches.
    // Several may be waiting: the first to wake goes next, and the others wait for its statement in turn.
    if (moving.has(chain)) {
      let waited = false;
      const enough = new Promise<void>((resolve) => setTimeout(() => resolve(void (waited = true)), WAIT_FOR_MOVE_MS).unref());
      for (let ahead = moving.get(chain); ahead && !waited; ahead = moving.get(chain)) await Promise.race([ahead.catch(() => 0), enough]);
    }
    const cached = heads.get(chain);
    if (cached) {
      const attempt = chainRows(chain, list, cached);
      // PostgreSQL: lock, compare, move and insert in one statement, so that the head is held for that
      // statement and the commit (the other writers queue on it). SQLite has one writer: a plain compare.
      const oneStatement = isPostgres(db) && !opts.ids && list.length <= 200;
      const move: Promise<number> = (
        oneStatement
          ? appendAtHead(db, chain, cached, attempt).then((found) => {
              if (found && !found.appended) locked = found.head;
              return found?.appended ? 1 : 0;
            })
          : Promise.resolve(db('audit_chains').where({ chain, seq: cached.seq, last_hash: cached.last_hash }).update(attempt.head))
      ).then((n) => {
        // Known before anyone waiting on this statement goes on.
        if (n === 1) heads.set(chain, attempt.head);
        return n;
      });
      moving.set(chain, move);
      let moved: number;
      try {
        moved = await move;
      } finally {
        if (moving.get(chain) === move) moving.delete(chain);
      }
      if (moved === 1) {
        chained = attempt;
        inserted = oneStatement;
      }
    }
    if (!chained) {
      const lockHead = () => {
        const q = db('audit_chains').where({ chain }).first();
        return (isPostgres(db) ? q.forUpdate() : q) as Promise<Head | undefined>;
      };
      // The head exists after a chain's first record: create it only then (a concurrent first writer
      // is absorbed by the conflict clause).
      let head = locked ?? (await lockHead());
      if (!head) {
        await db('audit_chains').insert({ chain, seq: 0, last_hash: GENESIS_HASH }).onConflict('chain').ignore();
        head = (await lockHead())!;
      }
      chained = chainRows(chain, list, { seq: Number(head.seq), last_hash: head.last_hash });
      await db('audit_chains').where({ chain }).update(chained.head);
    }
    heads.set(chain, chained.head);
    for (let i = 0; !inserted && i < chained.rows.length; i += 200) {
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
