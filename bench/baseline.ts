// The baseline: the database work of each figure as hand-written knex, without the engine — the same
// rows in the same transactions, and nothing else. What the engine renders (mail bodies, snapshots,
// the cycle's rules) is copied from rows the engine wrote in the same run and stamped per branch
// (fixture.ts: restamp), so the baseline pays for the writing, not for rendering. The audit's hash
// chain is computed here with the pure function of src/domain/auditChain.ts.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import ExcelJS from 'exceljs';
import type { Knex } from 'knex';
import { GENESIS_HASH, recordHash, type ChainedContent } from '../src/domain/auditChain';
import type { Side } from './databases';
import { AT, numberIn, restamp, YEAR, type BranchSpec } from './fixture';

type Row = Record<string, unknown>;
type Tx = Knex | Knex.Transaction;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const chunks = <T>(list: T[], size: number): T[][] => Array.from({ length: Math.ceil(list.length / size) }, (_, i) => list.slice(i * size, (i + 1) * size));
const idOf = (r: unknown): number => (typeof r === 'object' && r !== null ? Number((r as { id: number }).id) : Number(r));
const without = (row: Row, ...keys: string[]): Row => Object.fromEntries(Object.entries(row).filter(([k]) => !keys.includes(k)));

/** An audit record as the engine writes it, before the chain gives it a place (chain, seq) and a hash. */
export type AuditInput = Omit<ChainedContent, 'chain' | 'seq'>;

/** Appends records to a chain: the head read (FOR UPDATE on PostgreSQL) and moved, each record hashed. */
export async function appendAudit(trx: Tx, pg: boolean, chain: string, rows: AuditInput[], fresh = false): Promise<void> {
  let seq = 0;
  let prev = GENESIS_HASH;
  if (!fresh) {
    const q = trx('audit_chains').where({ chain }).first();
    const head = (await (pg ? q.forUpdate() : q)) as { seq: number; last_hash: string };
    seq = head.seq;
    prev = head.last_hash;
  }
  const chained = rows.map((r) => {
    seq++;
    const content = { chain, seq, ...r };
    const hash = recordHash(prev, content);
    const row = { ...content, prev_hash: prev, hash };
    prev = hash;
    return row;
  });
  for (const part of chunks(chained, 200)) await trx('audit').insert(part);
  if (fresh) await trx('audit_chains').insert({ chain, seq, last_hash: prev });
  else await trx('audit_chains').where({ chain }).update({ seq, last_hash: prev });
}

// ── launch ───────────────────────────────────────────────────────────────────

/** What the engine wrote for a launch, read back from its database after its launch (before any event). */
export interface LaunchSamples {
  cycle: Row;
  /** users, roster row, branch review, notice and invitation of branch number `n` */
  n: number;
  user: Row;
  roster: Row;
  branch: Row;
  notice: Row;
  invitation: Row;
  token: Row;
  timers: Row[];
  /** people other than secretaries the cycle created (leaders, panel), with their invitation */
  others: { user: Row; invitation: Row; token: Row }[];
  cyclePeople: Row[];
  roles: Row[];
}

export async function launchSamples(engineDb: Knex, first: BranchSpec): Promise<LaunchSamples> {
  const cycle = (await engineDb('cycles').where({ year: YEAR }).first()) as Row;
  const user = (await engineDb('users').where({ email: first.secretaryEmail }).first()) as Row;
  const branch = (await engineDb('branch_reviews').where({ cycle_id: cycle.id, code: first.code }).first()) as Row;
  const invitationOf = async (u: Row) => (await engineDb('outbox').where({ template: 'invitation', to_email: u.email }).first()) as Row;
  const tokenOf = async (u: Row) => (await engineDb('password_tokens').where({ user_id: u.id }).first()) as Row;
  // The people the cycle created other than its secretaries (b000042@example.org): its leaders and panel.
  const created = (await engineDb('users').where('created_at', AT.create).whereNot('email', 'like', 'b______@example.org').orderBy('id')) as Row[];
  const others = [];
  for (const u of created.filter((r) => !/^b\d{6}@/.test(String(r.email)))) others.push({ user: u, invitation: await invitationOf(u), token: await tokenOf(u) });
  return {
    cycle,
    n: numberIn(first.code),
    user,
    roster: (await engineDb('cycle_branches').where({ cycle_id: cycle.id, code: first.code }).first()) as Row,
    branch,
    notice: (await engineDb('outbox').where({ template: 'notice', branch_review_id: branch.id }).first()) as Row,
    invitation: await invitationOf(user),
    token: await tokenOf(user),
    timers: (await engineDb('timers').where({ branch_review_id: branch.id }).orderBy('id')) as Row[],
    others,
    cyclePeople: (await engineDb('cycle_people').where({ cycle_id: cycle.id }).orderBy(['role', 'user_id'])) as Row[],
    roles: (await engineDb('user_roles').whereNot('role', 'secretary').orderBy(['user_id', 'role'])) as Row[],
  };
}

/** A new one-time link: the token's hash stored, the link in the mail. */
function invitationFor(s: { invitation: Row; token: Row }, user: Row, userId: number, stamp: (r: Row) => Row): { token: Row; mail: Row } {
  const t = randomBytes(32).toString('base64url');
  const hash = sha256(t);
  const old = /\/password\/([A-Za-z0-9_-]+)/.exec(String(s.invitation.body_text))?.[1] ?? '';
  const mail = stamp({ ...without(s.invitation, 'id') });
  for (const f of ['body_text', 'body_html']) mail[f] = String(mail[f]).replaceAll(old, t);
  return {
    token: { ...s.token, token_hash: hash, user_id: userId },
    mail: { ...mail, message_id: `<${randomUUID()}@example.org>`, dedupe_key: `pw:${hash}`, to_email: user.email },
  };
}

/**
 * createCycle + launchCycle by hand: one transaction creating the cycle, its people, roster and
 * invitations; one moving the cycle to launched; then one per 500 branches with their reviews,
 * audit records, notices and timers.
 */
export async function baselineLaunch(side: Side, branches: BranchSpec[], s: LaunchSamples, officeId: number): Promise<void> {
  const { db, pg } = side;
  const office = (await db('users').where({ id: officeId }).first()) as Row;
  const audit = (a: Partial<AuditInput> & Pick<AuditInput, 'event_type' | 'at'>): AuditInput => ({
    cycle_id: null, branch_review_id: null, actor: String(officeId), actor_name: String(office.name), actor_role: 'office',
    subject: null, data: null, from_state: null, to_state: null, version: null, ...a,
  });
  const draftSnapshot = String(s.cycle.snapshot).replace(/"value":"[^"]*"/, '"value":"draft"');
  const secretaryIds = new Map<string, number>();
  let cycleId = 0;
  // The branch's snapshot names the panel by user id: the engine's ids, made ours once the people exist.
  let branchSnapshot = String(s.branch.snapshot);

  await db.transaction(async (trx) => {
    if (await trx('cycles').where({ year: YEAR }).first()) throw new Error('cycle exists');
    cycleId = idOf((await trx('cycles').insert({ ...without(s.cycle, 'id'), state: 'draft', snapshot: draftSnapshot, version: 1, created_at: AT.create, updated_at: AT.create }).returning('id'))[0]);
    // People by email: the office exists; leaders, secretaries and the panel are created, in the engine's order.
    const isLeader = (o: { user: Row }) => s.roles.some((r) => r.user_id === o.user.id && r.role === 'leader');
    const people: Row[] = [
      ...s.others.filter(isLeader).map((o) => o.user),
      ...branches.map((b) => restamp(without(s.user, 'id'), s.n, numberIn(b.code), ['email', 'name'])),
      ...s.others.filter((o) => !isLeader(o)).map((o) => o.user),
    ];
    const emails = people.map((p) => String(p.email));
    const existing = new Set<string>();
    for (const part of chunks(emails, 500)) for (const u of await trx('users').whereIn('email', part).select('email')) existing.add(u.email);
    const created: { row: Row; id: number }[] = [];
    for (const part of chunks(people.filter((p) => !existing.has(String(p.email))), 200)) {
      const ids = await trx('users').insert(part.map((p) => ({ ...without(p, 'id'), created_at: AT.create }))).returning('id');
      part.forEach((p, i) => created.push({ row: p, id: idOf(ids[i]) }));
    }
    const idByEmail = new Map(created.map((c) => [String(c.row.email), c.id]));
    for (const b of branches) secretaryIds.set(b.code, idByEmail.get(b.secretaryEmail)!);
    // Roles and the cycle's people, as the engine linked them.
    const engineIdToOurs = (engineUserId: unknown) => {
      const other = s.others.find((o) => o.user.id === engineUserId);
      return other ? idByEmail.get(String(other.user.email))! : officeId;
    };
    const roles = [
      ...s.roles.map((r) => ({ user_id: engineIdToOurs(r.user_id), role: r.role })),
      ...branches.map((b) => ({ user_id: secretaryIds.get(b.code)!, role: 'secretary' })),
    ];
    for (const part of chunks(roles, 500)) await trx('user_roles').insert(part).onConflict(['user_id', 'role']).ignore();
    await trx('cycle_people').insert(s.cyclePeople.map((p) => ({ ...p, cycle_id: cycleId, user_id: engineIdToOurs(p.user_id) })));
    const parsed = JSON.parse(branchSnapshot) as { context: { expectedEvaluators: string[] } };
    parsed.context.expectedEvaluators = parsed.context.expectedEvaluators.map((id) => String(engineIdToOurs(Number(id))));
    branchSnapshot = JSON.stringify(parsed);
    const roster = branches.map((b, position) => ({ ...restamp(without(s.roster, 'id'), s.n, numberIn(b.code), ['code', 'name', 'secretary_email', 'secretary_name']), cycle_id: cycleId, position }));
    for (const part of chunks(roster, 200)) await trx('cycle_branches').insert(part);
    // Every new person's one-time link and invitation, 500 people at a time (held in memory no longer than that).
    for (const group of chunks(created, 500)) {
      const invitations = group.map((c) => {
        const other = s.others.find((o) => o.user.email === c.row.email);
        const n = numberIn(String(c.row.email));
        return other
          ? invitationFor(other, c.row, c.id, (r) => r)
          : invitationFor(s, c.row, c.id, (r) => restamp(r, s.n, n, ['subject', 'body_text', 'body_html']));
      });
      await trx('password_tokens').insert(invitations.map((i) => i.token));
      for (const part of chunks(invitations.map((i) => i.mail), 100)) await trx('outbox').insert(part);
    }
    await appendAudit(trx, pg, `cycle:${cycleId}`, [audit({ cycle_id: cycleId, event_type: 'CREATE', data: JSON.stringify({ newUsers: created.length }), to_state: 'draft', version: 1, at: AT.create })], true);
  });

  await db.transaction(async (trx) => {
    const n = await trx('cycles').where({ id: cycleId, version: 1 }).update({ state: s.cycle.state, snapshot: s.cycle.snapshot, version: 2, updated_at: AT.launch });
    if (n !== 1) throw new Error('lost race');
    await appendAudit(trx, pg, `cycle:${cycleId}`, [audit({ cycle_id: cycleId, event_type: 'LAUNCH', from_state: 'draft', to_state: String(s.cycle.state), version: 2, at: AT.launch })]);
  });

  for (const batch of chunks(branches, 500)) {
    await db.transaction(async (trx) => {
      const rows = batch.map((b) => ({
        ...restamp(without(s.branch, 'id'), s.n, numberIn(b.code), ['code', 'name']),
        cycle_id: cycleId,
        secretary_id: secretaryIds.get(b.code)!,
        snapshot: branchSnapshot,
      }));
      const ids = (await trx('branch_reviews').insert(rows).returning('id')).map(idOf);
      await appendAudit(
        trx,
        pg,
        `cycle:${cycleId}`,
        ids.map((id) => audit({ cycle_id: cycleId, branch_review_id: id, event_type: 'LAUNCH', to_state: String(s.branch.state), version: 1, at: AT.launch })),
      );
      const notices = batch.map((b, i) => {
        const m = restamp(without(s.notice, 'id'), s.n, numberIn(b.code), ['to_email', 'subject', 'body_text', 'body_html']);
        return { ...m, cycle_id: cycleId, branch_review_id: ids[i], message_id: `<${randomUUID()}@example.org>`, dedupe_key: `br:${ids[i]}:v1:notice:${m.to_email}` };
      });
      for (const part of chunks(notices, 100)) await trx('outbox').insert(part);
      const timers = ids.flatMap((id) => s.timers.map((t) => ({ ...without(t, 'id'), cycle_id: cycleId, branch_review_id: id })));
      for (const part of chunks(timers, 200)) await trx('timers').insert(part);
    });
  }
  // As the engine: PostgreSQL's planner statistics brought up to date after the bulk insert.
  if (pg) await db.raw('analyze branch_reviews, cycle_branches');
}

// ── events ───────────────────────────────────────────────────────────────────

export interface Secretary { code: string; id: number; name: string }

/**
 * ACKNOWLEDGE by hand, one transaction: the row read (locked on PostgreSQL), its snapshot, phase,
 * state and deadline columns written with version + 1 only if the version is unchanged, the audit
 * record appended to the chain. (The engine queues no mail for ACKNOWLEDGE.)
 */
export async function baselineAcknowledge(side: Side, cycleId: number, who: Secretary, now: string): Promise<void> {
  const { db, pg } = side;
  await db.transaction(async (trx) => {
    const q = trx('branch_reviews').where({ cycle_id: cycleId, code: who.code }).first();
    const row = (await (pg ? q.forUpdate() : q)) as Row & { id: number; version: number; state: string; snapshot: string; deadline_at: string };
    const snapshot = JSON.parse(row.snapshot);
    snapshot.value = 'preparing';
    const n = await trx('branch_reviews')
      .where({ id: row.id, version: row.version })
      .update({ phase: 'preparing', state: 'preparing', deadline_kind: 'materials', deadline_at: row.deadline_at, snapshot: JSON.stringify(snapshot), updated_at: now, version: row.version + 1 });
    if (n !== 1) throw new Error('lost race');
    await appendAudit(trx, pg, `cycle:${cycleId}`, [
      {
        cycle_id: cycleId, branch_review_id: row.id, actor: String(who.id), actor_name: who.name, actor_role: 'secretary', event_type: 'ACKNOWLEDGE',
        subject: null, data: null, from_state: row.state, to_state: 'preparing', version: row.version + 1, at: now,
      },
    ]);
  });
}

// ── tick ─────────────────────────────────────────────────────────────────────

/** The mails the engine queued for one fired reminder and one fired overdue step, with the branch they were for. */
export interface TickSamples { reminder: { n: number; mails: Row[] }; overdue: { n: number; mails: Row[] } }

export async function tickSamples(engineDb: Knex, now: string): Promise<TickSamples> {
  const fired = (await engineDb('audit as a')
    .join('branch_reviews as b', 'b.id', 'a.branch_review_id')
    .where({ 'a.event_type': 'DEADLINE_DUE', 'a.at': now })
    .select('a.branch_review_id', 'a.version', 'a.data', 'b.code')
    .orderBy('a.id')) as { branch_review_id: number; version: number; data: string; code: string }[];
  const setOf = async (overdue: boolean) => {
    const f = fired.find((r) => (JSON.parse(r.data).step === 'overdue') === overdue) ?? fired[0];
    if (!f) return { n: 0, mails: [] };
    const mails = (await engineDb('outbox').where('dedupe_key', 'like', `br:${f.branch_review_id}:v${f.version}:%`).orderBy('id')) as Row[];
    return { n: numberIn(f.code), mails };
  };
  return { reminder: await setOf(false), overdue: await setOf(true) };
}

/**
 * The scheduler by hand: due timers claimed 50 at a time (SKIP LOCKED on PostgreSQL), each in a
 * savepoint: skipped when a later step of its deadline is due too or the deadline no longer binds,
 * else the branch row written with version + 1, the audit record appended, the mails queued and
 * the timer marked.
 */
export async function baselineTick(side: Side, s: TickSamples, now: string): Promise<{ fired: number; skipped: number }> {
  const { db, pg } = side;
  const out = { fired: 0, skipped: 0 };
  for (;;) {
    const claimed = await db.transaction(async (trx) => {
      const q = trx('timers').where({ status: 'pending' }).andWhere('due_at', '<=', now).orderBy('due_at').orderBy('id').limit(50);
      const batch = (await (pg ? q.forUpdate().skipLocked() : q)) as (Row & { id: number; branch_review_id: number; kind: string; step: string; deadline_at: string; due_at: string })[];
      for (const t of batch) {
        await trx.transaction(async (sp) => {
          const later = await sp('timers')
            .where({ branch_review_id: t.branch_review_id, kind: t.kind, deadline_at: t.deadline_at })
            .whereIn('status', ['pending', 'fired'])
            .andWhere('due_at', '>', t.due_at)
            .andWhere('due_at', '<=', now)
            .first('id');
          const q2 = sp('branch_reviews as b').join('users as u', 'u.id', 'b.secretary_id').where('b.id', t.branch_review_id).first('b.*', 'u.email as secretary_email');
          const b = later ? undefined : ((await (pg ? q2.forUpdate('b') : q2)) as Row & { id: number; version: number; cycle_id: number; code: string; state: string; deadline_kind: string | null });
          if (!b || b.deadline_kind !== t.kind) {
            await sp('timers').where({ id: t.id }).update({ status: 'skipped', fired_at: now });
            out.skipped++;
            return;
          }
          const version = b.version + 1;
          const n = await sp('branch_reviews')
            .where({ id: b.id, version: b.version })
            .update({ phase: b.phase, state: b.state, deadline_kind: b.deadline_kind, deadline_at: b.deadline_at, snapshot: b.snapshot, updated_at: now, version });
          if (n !== 1) throw new Error('lost race');
          await appendAudit(sp, pg, `cycle:${b.cycle_id}`, [
            {
              cycle_id: b.cycle_id, branch_review_id: b.id, actor: 'system', actor_name: '系统', actor_role: 'system', event_type: 'DEADLINE_DUE', subject: null,
              data: JSON.stringify({ deadline: t.kind, step: t.step }), from_state: b.state, to_state: b.state, version, at: now,
            },
          ]);
          const sample = t.step === 'overdue' ? s.overdue : s.reminder;
          const mails = sample.mails.map((m) => {
            const row = restamp(without(m, 'id'), sample.n, numberIn(b.code), ['to_email', 'subject', 'body_text', 'body_html']);
            return { ...row, branch_review_id: b.id, cycle_id: b.cycle_id, message_id: `<${randomUUID()}@example.org>`, dedupe_key: `br:${b.id}:v${version}:${row.template}:${row.to_email}` };
          });
          if (mails.length) await sp('outbox').insert(mails);
          await sp('timers').where({ id: t.id }).update({ status: 'fired', fired_at: now });
          out.fired++;
        });
      }
      return batch.length;
    });
    if (!claimed) break;
  }
  return out;
}

// ── dashboard ────────────────────────────────────────────────────────────────

/**
 * The dashboard's data by hand, each query once: the cycle, its tallies (counts per phase, grade,
 * histogram band and segment, overdue summed over the binding deadlines — the summary the schema's
 * triggers keep on every write, the baseline's writes included), last year's cycle, a page of 50
 * and the 10 most overdue by index, each segment's lowest and highest score and its first place in
 * the roster by index, and the year's quarterly cycles with their tallies.
 */
export async function baselineDashboard(db: Knex, now: string): Promise<unknown> {
  const cycle = (await db('cycles').where({ year: YEAR }).first()) as { id: number; year: number };
  const where = { cycle_id: cycle.id };
  const tallies = (await db('branch_review_tallies')
    .where(where)
    .whereNot('branches', 0)
    .select('phase', 'deadline_kind', 'deadline_at', 'segment', 'grade', 'band', 'branches', 'score_cents', db.raw("case when deadline_at <> '' and deadline_at < ? then 1 else 0 end as overdue", [now]))) as Row[];
  const previous = await db('cycles').where({ year: cycle.year - 1 }).first();
  const columns = ['id', 'code', 'name', 'phase', 'state', 'version', 'final_score', 'grade', 'rank', 'deadline_kind', 'deadline_at', 'segment'];
  const page = await db('branch_reviews').where(where).select(columns).orderBy('code', 'asc').offset(0).limit(50);
  const mostOverdue = await db('branch_reviews').where(where).where('deadline_at', '<', now).select(columns).orderBy('deadline_at', 'asc').orderBy('code', 'asc').offset(0).limit(10);
  // Per segment ('' is none): where the roster first names it, and, once scored, its lowest branch and highest score.
  const segments = [...new Set(tallies.map((t) => String(t.segment)))];
  const scored = [...new Set(tallies.filter((t) => Number(t.band) >= 0).map((t) => String(t.segment)))];
  const ofSegment = (s: string) => (s === '' ? 'segment is null' : 'segment = ?');
  const bind = (s: string) => (s === '' ? [cycle.id] : [cycle.id, s]);
  const [order] = segments.length ? await db.select(db.raw(segments.map((s, i) => `(select min(position) from cycle_branches where cycle_id = ? and ${ofSegment(s)}) as first_${i}`).join(', '), segments.flatMap(bind))) : [];
  const extremes = scored.length
    ? await db.select(
        db.raw(
          scored
            .map((s, i) =>
              ['code', 'name', 'final_score'].map((c) => `(select ${c} from branch_reviews where cycle_id = ? and ${ofSegment(s)} and final_score is not null order by final_score, code limit 1) as ${c}_${i}`).join(', ') +
              `, (select max(final_score) from branch_reviews where cycle_id = ? and ${ofSegment(s)}) as max_${i}`,
            )
            .join(', '),
          scored.flatMap((s) => [...bind(s), ...bind(s), ...bind(s), ...bind(s)]),
        ),
      )
    : [];
  const quarters = (await db('cycles').where({ year: cycle.year }).whereNot('id', cycle.id)) as { id: number }[];
  const quarterTallies = quarters.length ? await db('branch_review_tallies').whereIn('cycle_id', quarters.map((q) => q.id)).whereNot('branches', 0) : [];
  return { tallies, previous, page, mostOverdue, order, extremes, quarters, quarterTallies };
}

// ── board ────────────────────────────────────────────────────────────────────

/**
 * The office board's first page (/cycles/:cycle) by hand: the cycle, its tallies (the counts above
 * the table) and the same page query, 50 rows by code.
 */
export async function baselineBoard(db: Knex, now: string): Promise<unknown> {
  const cycle = (await db('cycles').where({ year: YEAR }).first()) as { id: number };
  const tallies = await db('branch_review_tallies')
    .where({ cycle_id: cycle.id })
    .whereNot('branches', 0)
    .select('phase', 'deadline_kind', 'deadline_at', 'segment', 'grade', 'band', 'branches', 'score_cents', db.raw("case when deadline_at <> '' and deadline_at < ? then 1 else 0 end as overdue", [now]));
  const columns = ['id', 'code', 'name', 'phase', 'state', 'version', 'final_score', 'grade', 'rank', 'deadline_kind', 'deadline_at', 'segment'];
  const page = await db('branch_reviews').where({ cycle_id: cycle.id }).select(columns).orderBy('code', 'asc').offset(0).limit(50);
  return { tallies, page };
}

// ── export ───────────────────────────────────────────────────────────────────

/**
 * Every branch one plan item in its snapshot, on either side's database, before the export figure
 * (not timed): the ledger then has a row per branch to write. The same update on both sides.
 */
export async function givePlanItems(side: Side): Promise<void> {
  const item = JSON.stringify([{ id: 'I1', problem: '党建与业务融合不够', measure: '设立党员先锋岗', owner: '书记', dueDate: '2021-06-30', status: 'open', progress: [] }]);
  if (side.pg) await side.db.raw(`update branch_reviews set snapshot = jsonb_set(snapshot::jsonb, '{context,planItems}', ?::jsonb)::text`, [item]);
  else await side.db.raw(`update branch_reviews set snapshot = json_set(snapshot, '$.context.planItems', json(?))`, [item]);
}

const LEDGER_COLUMNS = ['code', 'name', 'id', 'problem', 'measure', 'owner', 'due', 'status', 'progress'];
const ITEM_STATUS: Record<string, string> = { open: '未开始', inProgress: '整改中', verified: '已销号' };

/**
 * The ledger (整改台账) by hand: the cycle's branches read by code, 500 at a time as the engine pages
 * them, each snapshot parsed and its plan items written as rows of a streamed workbook to `out`.
 */
export async function baselineLedger(db: Knex, out: string): Promise<number> {
  const cycle = (await db('cycles').where({ year: YEAR }).first()) as { id: number };
  const file = fs.createWriteStream(out);
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: file, useStyles: true, useSharedStrings: false });
  const ws = wb.addWorksheet('整改台账');
  ws.columns = LEDGER_COLUMNS.map((key) => ({ header: key, key }));
  let rows = 0;
  for (let offset = 0; ; offset += 500) {
    const page = (await db('branch_reviews').where({ cycle_id: cycle.id }).orderBy('code').offset(offset).limit(500)) as { code: string; name: string; snapshot: string }[];
    for (const b of page) {
      const items = (JSON.parse(b.snapshot).context.planItems ?? []) as { id: string; problem: string; measure: string; owner: string; dueDate: string; status: string; progress: { note: string }[] }[];
      for (const it of items) {
        ws.addRow({ code: b.code, name: b.name, id: it.id, problem: it.problem, measure: it.measure, owner: it.owner, due: it.dueDate, status: ITEM_STATUS[it.status], progress: it.progress.map((p) => p.note).join('；') }).commit();
        rows++;
      }
    }
    if (page.length < 500) break;
  }
  ws.commit();
  await wb.commit();
  await new Promise<void>((resolve, reject) => (file.closed ? resolve() : file.once('close', resolve).once('error', reject)));
  return rows;
}
