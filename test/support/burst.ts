// Concurrent clients sending branch events over HTTP until told to stop (or the server is gone),
// each request's outcome recorded: an answer (status, code, version) or a network error.
import { call, type Session } from './http';
import { sleep } from './processes';

export interface Outcome {
  n: number;
  client: number;
  branch: string;
  type: string;
  /** the HTTP status, or 'network' when no answer came */
  status: number | 'network';
  code?: string;
  version?: number;
  /** the question (RECORD_QA) or the new deadline (EXTEND_DEADLINE) that names this request in the audit */
  marker: string;
  error?: string;
  /** when the request was sent and when its answer (or error) came, ms since the epoch */
  sentAt: number;
  doneAt: number;
}

export interface BurstOptions {
  /** where client c sends its n-th request */
  base(client: number, n: number): string;
  sessions: Session[];
  codes: string[];
  /** 'partition': each branch belongs to one client, so no request races another */
  assign: 'random' | 'partition';
  /** RECORD_QA only, or alternating with EXTEND_DEADLINE (which queues a mail and rewrites timers) */
  mix: 'qa' | 'qa+extend';
  stop(): boolean;
  /** a client gives up after this many network errors in a row (the server is gone) */
  maxNetworkErrors?: number;
  onOutcome?(o: Outcome, all: Outcome[]): void;
}

/** Far ahead of any real clock, and later with every request, so each extension is valid. */
const extendUntil = (n: number) => new Date(Date.UTC(2031, 0, 1) + n * 60_000).toISOString();

export async function burst(opts: BurstOptions): Promise<Outcome[]> {
  const all: Outcome[] = [];
  let next = 0;
  await Promise.all(
    opts.sessions.map(async (session, client) => {
      const mine = opts.assign === 'partition' ? opts.codes.filter((_, i) => i % opts.sessions.length === client) : opts.codes;
      let networkErrors = 0;
      while (!opts.stop() && networkErrors < (opts.maxNetworkErrors ?? 3)) {
        const n = next++;
        const branch = mine[Math.floor(Math.random() * mine.length)];
        const extend = opts.mix === 'qa+extend' && n % 2 === 1;
        const marker = extend ? extendUntil(n) : `q${n}`;
        const body = extend
          ? { type: 'EXTEND_DEADLINE', data: { deadline: 'followUp', until: marker } }
          : { type: 'RECORD_QA', data: { question: marker, answer: `a${n}`, askedBy: '考评组' } };
        const o: Outcome = { n, client, branch, type: body.type, status: 'network', marker, sentAt: Date.now(), doneAt: 0 };
        try {
          const res = await call(opts.base(client, n), 'POST', `/api/cycles/2020/branches/${branch}/events`, { session, body });
          o.status = res.status;
          o.code = res.json?.error?.code;
          o.version = res.json?.version;
          networkErrors = 0;
        } catch (err) {
          const cause = (err as { cause?: { code?: string; message?: string } }).cause;
          o.error = cause?.code ?? cause?.message ?? String(err);
          networkErrors++;
        }
        o.doneAt = Date.now();
        all.push(o);
        if (o.status === 'network') await sleep(50);
        opts.onOutcome?.(o, all);
      }
    }),
  );
  return all;
}

/** The audit records (branch id, version) naming each marker. */
export async function auditByMarker(db: import('../../src/store/db').Db): Promise<Map<string, { branch: number; version: number; type: string }[]>> {
  const rows = (await db('audit').whereIn('event_type', ['RECORD_QA', 'EXTEND_DEADLINE']).select('branch_review_id', 'version', 'data', 'event_type')) as {
    branch_review_id: number;
    version: number;
    data: string;
    event_type: string;
  }[];
  const out = new Map<string, { branch: number; version: number; type: string }[]>();
  for (const r of rows) {
    const d = JSON.parse(r.data) as { question?: string; until?: string };
    const marker = r.event_type === 'RECORD_QA' ? d.question! : d.until!;
    out.set(marker, [...(out.get(marker) ?? []), { branch: r.branch_review_id, version: r.version, type: r.event_type }]);
  }
  return out;
}
