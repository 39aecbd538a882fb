// A cycle of many branches for the tests of several processes, and the check that every committed
// event is whole: snapshot, audit, outbox and timers agree branch by branch.
import { actorByEmail } from '../../src/engine/actors';
import type { Services } from '../../src/services';
import { bootstrapOffice, exampleConfig, OFFICE } from './cycle';

export const code = (i: number) => `B${String(i + 1).padStart(2, '0')}`;
export const secretaryOf = (branch: string) => `${branch.toLowerCase()}@example.org`;

/** The example cycle with `n` branches, launched; with `liveReview`, every branch presenting (述职), ready for RECORD_QA. */
export async function bigCycle(s: Services, n: number, opts: { liveReview?: boolean } = {}): Promise<string[]> {
  const codes = Array.from({ length: n }, (_, i) => code(i));
  const config = {
    ...exampleConfig(),
    branches: codes.map((c) => ({ code: c, name: `第${c}党支部`, secretaryName: `书记${c}`, secretaryEmail: secretaryOf(c) })),
  };
  const office = await bootstrapOffice(s);
  await s.engine.createCycle(config, office, '2020-11-19T02:00:00Z');
  await s.engine.launchCycle(2020, office, { now: '2020-11-20T02:00:00Z' });
  if (opts.liveReview) {
    for (const c of codes) {
      const secretary = await actorByEmail(s.db, secretaryOf(c));
      const send = (type: string, data: unknown, actor = office) =>
        s.engine.sendBranchEvent({ cycle: 2020, branch: c, type, data, actor, now: '2020-11-25T02:00:00Z' });
      await send('ACKNOWLEDGE', undefined, secretary);
      await send('SUBMIT_MATERIALS', { summary: '述职报告' }, secretary);
      await send('ACCEPT_MATERIALS', undefined);
      await send('START_PRESENTATION', undefined);
    }
  }
  return codes;
}

export { OFFICE };

interface AuditRow { branch_review_id: number | null; event_type: string; version: number | null; data: string | null }

/**
 * Every committed event is whole. For each branch: its versions run 1..version with one audit record
 * each (LAUNCH is version 1); its snapshot's Q&A are the RECORD_QA records' in version order; each
 * EXTEND_DEADLINE has its mail queued, and the timers that are not cancelled count down to the deadline
 * the snapshot holds. Returns the problems found (none when whole).
 */
export async function wholeness(db: Services['db']): Promise<string[]> {
  const problems: string[] = [];
  const branches = (await db('branch_reviews').select('id', 'code', 'version', 'snapshot')) as { id: number; code: string; version: number; snapshot: string }[];
  const audit = (await db('audit').whereNotNull('branch_review_id').orderBy('id').select('branch_review_id', 'event_type', 'version', 'data')) as AuditRow[];
  const mails = (await db('outbox').whereNotNull('branch_review_id').select('branch_review_id', 'dedupe_key', 'template')) as { branch_review_id: number; dedupe_key: string; template: string }[];
  const timers = (await db('timers').select('branch_review_id', 'kind', 'status', 'deadline_at')) as { branch_review_id: number; kind: string; status: string; deadline_at: string }[];
  for (const b of branches) {
    const records = audit.filter((a) => a.branch_review_id === b.id && a.version !== null).sort((x, y) => x.version! - y.version!);
    const versions = records.map((r) => r.version);
    const expected = Array.from({ length: b.version }, (_, i) => i + 1);
    if (JSON.stringify(versions) !== JSON.stringify(expected)) problems.push(`${b.code}: version ${b.version} but audit versions ${versions.join(',')}`);
    const context = JSON.parse(b.snapshot).context as { qa: { question: string }[]; deadlines: Record<string, string> };
    const qa = records.filter((r) => r.event_type === 'RECORD_QA').map((r) => JSON.parse(r.data!).question);
    if (JSON.stringify(context.qa.map((q) => q.question)) !== JSON.stringify(qa)) problems.push(`${b.code}: snapshot has ${context.qa.length} Q&A, audit ${qa.length}`);
    for (const r of records.filter((x) => x.event_type === 'EXTEND_DEADLINE')) {
      if (!mails.some((m) => m.branch_review_id === b.id && m.template === 'deadlineExtended' && m.dedupe_key.includes(`:v${r.version}:`))) {
        problems.push(`${b.code}: EXTEND_DEADLINE v${r.version} has no mail`);
      }
    }
    const extendedMails = mails.filter((m) => m.branch_review_id === b.id && m.template === 'deadlineExtended').length;
    const extends_ = records.filter((x) => x.event_type === 'EXTEND_DEADLINE').length;
    if (extendedMails < extends_) problems.push(`${b.code}: ${extends_} extensions, ${extendedMails} mails`);
    for (const kind of Object.keys(context.deadlines)) {
      const mine = timers.filter((t) => t.branch_review_id === b.id && t.kind === kind);
      // Pending reminders count down to the deadline the snapshot holds; the older ones were cancelled (or had already fired or been skipped).
      const stale = mine.filter((t) => t.status === 'pending' && t.deadline_at !== context.deadlines[kind]);
      if (stale.length) problems.push(`${b.code}: ${stale.length} pending ${kind} timers for a deadline the snapshot no longer holds`);
      if (!mine.some((t) => t.status !== 'cancelled' && t.deadline_at === context.deadlines[kind])) problems.push(`${b.code}: no ${kind} timers for ${context.deadlines[kind]}`);
    }
  }
  return problems;
}

export const auditQuestions = async (db: Services['db']): Promise<Map<string, { branch: number; version: number }[]>> => {
  const rows = (await db('audit').where({ event_type: 'RECORD_QA' }).select('branch_review_id', 'version', 'data')) as AuditRow[];
  const byQuestion = new Map<string, { branch: number; version: number }[]>();
  for (const r of rows) {
    const q = JSON.parse(r.data!).question as string;
    byQuestion.set(q, [...(byQuestion.get(q) ?? []), { branch: r.branch_review_id!, version: r.version! }]);
  }
  return byQuestion;
};

export const actorOffice = (s: Services) => actorByEmail(s.db, OFFICE);
