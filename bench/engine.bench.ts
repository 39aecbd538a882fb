// The bench of issue 8: each figure of the engine next to a baseline doing the same database work as
// hand-written knex (bench/baseline.ts), in the same run, on fresh databases; the targets checked.
//
//   npm run -s bench -- --branches N --db sqlite|postgres [--pg-url URL] [--json FILE] [--compare FILE] [--peer-branches M]
//
// `npm run bench` alone is a short run (300 branches, SQLite). On PostgreSQL the run works in
// throwaway schemas of --pg-url, BENCH_DATABASE_URL or postgres://postgres@127.0.0.1:5432/postgres.
// The engine and the baseline each have a database of their own, seeded alike; where a figure
// allows it, engine and baseline take turns over slices of the work, so a machine whose load
// changes during the run weighs on both alike. Missed targets are reported, not fatal; a crash
// exits non-zero.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { Actor } from '../src/engine/index';
import { dispatch } from '../src/mail/dispatcher';
import { baselineAcknowledge, baselineBoard, baselineDashboard, baselineLaunch, baselineLedger, baselineTick, givePlanItems, launchSamples, tickSamples, type LaunchSamples, type Secretary } from './baseline';
import { countDifferences, Databases, DEFAULT_PG_URL, rowCounts, type Dialect, type Side } from './databases';
import { AT, cycleConfig, OFFICE, partitions, YEAR } from './fixture';
import { dueMails, mailParts, nodemailerPool, nodemailerSend, queueMails, startSmtp, type LocalSmtp } from './mail';
import { createPeerTable, PEER_TABLE, peerContext, peerLaunch, peerSignal } from './peer';
import { compare, judge, MEMORY_LIMIT_MB, percentile, table, writeJson, type Report, type Row } from './report';

const HELP = `npm run -s bench -- [--branches N] [--db sqlite|postgres] [--pg-url URL] [--json FILE] [--compare FILE] [--peer-branches M]
  --branches N       branches in the cycle (default 300)
  --db               sqlite (default: files in a temporary directory) or postgres (throwaway schemas)
  --pg-url URL       PostgreSQL database to make the schemas in (default BENCH_DATABASE_URL or ${DEFAULT_PG_URL})
  --json FILE        write { rows, peakRssMb, … } to FILE
  --compare FILE     an earlier --json: time per event and the dashboard's p95, now against then
  --peer-branches M  branches run through bpmn-engine (default min(N, 10000))
  --mails M          mails sent in the mail figure (default 1000)
  --only LIST        only these figures, comma-separated (launch always runs: it seeds the cycle),
                     e.g. --only events,tick — for working on one figure; the README's tables are whole runs`;

const { values: opts } = parseArgs({
  options: {
    branches: { type: 'string', default: '300' },
    db: { type: 'string', default: 'sqlite' },
    'pg-url': { type: 'string' },
    json: { type: 'string' },
    compare: { type: 'string' },
    'peer-branches': { type: 'string' },
    mails: { type: 'string', default: '1000' },
    only: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (opts.help) {
  console.log(HELP);
  process.exit(0);
}
const N = Number(opts.branches);
const dialect = opts.db as Dialect;
const MAILS = Number(opts.mails);
const PEER_N = Math.min(N, Number(opts['peer-branches'] ?? Math.min(N, 10_000)));
if (!Number.isInteger(N) || N < 10) throw new Error(`--branches must be a whole number ≥ 10, got ${opts.branches}`);
if (dialect !== 'sqlite' && dialect !== 'postgres') throw new Error(`--db must be sqlite or postgres, got ${opts.db}`);
if (!Number.isInteger(MAILS) || MAILS < 1) throw new Error(`--mails must be a whole number, got ${opts.mails}`);
if (!Number.isInteger(PEER_N) || PEER_N < 1) throw new Error(`--peer-branches must be a whole number, got ${opts['peer-branches']}`);
const FIGURES = ['launch', 'events', 'events x8', 'bulk events', 'tick', 'dashboard', 'board', 'export', 'mail', 'peer'] as const;
const only = opts.only ? new Set(opts.only.split(',').map((f) => f.trim())) : undefined;
for (const f of only ?? []) if (!(FIGURES as readonly string[]).includes(f)) throw new Error(`--only: no figure ${f} (${FIGURES.join(', ')})`);
/** Whether this run measures the figure (every figure unless --only names others). */
const wants = (figure: (typeof FIGURES)[number]) => !only || figure === 'launch' || only.has(figure);
const pgUrl = opts['pg-url'] ?? process.env.BENCH_DATABASE_URL ?? DEFAULT_PG_URL;

const now = () => performance.now();

/**
 * With BENCH_SQL=TEXT, the engine's statements in every region whose label contains TEXT (say
 * `run:events x8:engine`) are counted by their first 70 characters and printed at the end: which
 * statements a figure's extra SQL per op are.
 */
const SQL_OF = process.env.BENCH_SQL;
const sqlTally = new Map<string, number>();
function tallySql(sql: string): void {
  if (!phase.includes(SQL_OF!)) return;
  const key = `${phase}  ${sql.slice(0, 70)}`;
  sqlTally.set(key, (sqlTally.get(key) ?? 0) + 1);
}
process.on('exit', () => {
  for (const [key, n] of [...sqlTally].sort()) console.log(`${String(n).padStart(7)}  ${key}`);
});
/**
 * Where each side of each figure ran, on the clock of V8's CPU profiles (µs): with BENCH_MARKS=FILE
 * they are written to FILE, so a profile taken with `node --cpu-prof` can be cut to one figure's engine side.
 */
const marks: { label: string; from: number; to: number }[] = [];
const micros = () => Number(process.hrtime.bigint() / 1000n);
/** SQL statements each side sent (knex's 'query' events, BEGIN/COMMIT/SAVEPOINT included), and by region. */
const issued = { engine: 0, baseline: 0 };
const statements = new Map<string, number>();
async function region<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const side = label.endsWith(':engine') ? 'engine' : label.endsWith(':baseline') ? 'baseline' : undefined;
  const before = side ? issued[side] : 0;
  const from = micros();
  const outer = phase;
  phase = label;
  try {
    return await fn();
  } finally {
    phase = outer;
    marks.push({ label, from, to: micros() });
    if (side) statements.set(label, (statements.get(label) ?? 0) + issued[side] - before);
  }
}
/** `a vs b statements per op` for a figure's two sides. */
const perOp = (label: string, ops: number) =>
  `${((statements.get(`${label}:engine`) ?? 0) / ops).toFixed(1)} vs ${((statements.get(`${label}:baseline`) ?? 0) / ops).toFixed(1)} SQL statements per ${label.split(':')[1] === 'launch' ? 'branch' : 'op'}`;
const perSecond = (count: number, ms: number) => (count / ms) * 1000;
const mib = (bytes: number) => Math.round(bytes / 2 ** 20);
/** What the run is doing, for the memory sampler: the resident set's peak is attributed to it. */
let phase = 'start';
const peakRss = new Map<string, number>();
setInterval(() => {
  const rss = process.memoryUsage().rss;
  if (rss > (peakRss.get(phase) ?? 0)) peakRss.set(phase, rss);
}, 50).unref();
// A full collection before each figure (V8 then hands freed pages back): each figure's resident set
// is what it holds, not the garbage the figure before it left (the baseline's tick, say).
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;
const progress = (msg: string) => {
  collectGarbage();
  phase = msg;
  process.stderr.write(`  · ${msg} (rss ${mib(process.memoryUsage().rss)} MiB, heap ${mib(process.memoryUsage().heapUsed)} MiB)\n`);
};

/** Runs `fn` over `items` with `concurrency` workers; the elapsed time and every call's latency. */
async function timed<T>(items: T[], concurrency: number, fn: (item: T) => Promise<unknown>): Promise<{ ms: number; latencies: number[] }> {
  const latencies: number[] = [];
  let next = 0;
  const start = now();
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      const t = now();
      await fn(item);
      latencies.push(now() - t);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return { ms: now() - start, latencies };
}

/** Engine and baseline in turns over `rounds` slices of the same items; their summed times and latencies. */
async function inTurns<T>(
  label: string,
  items: T[],
  rounds: number,
  engine: (slice: T[]) => Promise<{ ms: number; latencies: number[] }>,
  baseline: (slice: T[]) => Promise<{ ms: number; latencies: number[] }>,
) {
  const e = { ms: 0, latencies: [] as number[] };
  const b = { ms: 0, latencies: [] as number[] };
  const size = Math.ceil(items.length / rounds);
  for (let i = 0; i < items.length; i += size) {
    const slice = items.slice(i, i + size);
    const re = await region(`${label}:engine`, () => engine(slice));
    const rb = await region(`${label}:baseline`, () => baseline(slice));
    e.ms += re.ms;
    e.latencies.push(...re.latencies);
    b.ms += rb.ms;
    b.latencies.push(...rb.latencies);
  }
  return { e, b };
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const pcts = (xs: number[]) => {
  const s = sorted(xs);
  return { p50: percentile(s, 50), p95: percentile(s, 95) };
};

/** Each secretary as the engine's actorByEmail would give them (read in one query, not timed). */
async function secretaries(side: Side): Promise<Map<string, Actor & Secretary>> {
  const cycle = await side.db('cycles').where({ year: YEAR }).first();
  const rows = (await side.db('branch_reviews as b').join('users as u', 'u.id', 'b.secretary_id').where('b.cycle_id', cycle.id).select('b.code', 'u.id', 'u.email', 'u.name')) as {
    code: string;
    id: number;
    email: string;
    name: string;
  }[];
  const roles = new Map<number, string[]>();
  for (const r of (await side.db('user_roles').select('user_id', 'role')) as { user_id: number; role: string }[]) roles.set(r.user_id, [...(roles.get(r.user_id) ?? []), r.role]);
  return new Map(rows.map((r) => [r.code, { code: r.code, id: r.id, email: r.email, name: r.name, roles: roles.get(r.id) ?? [] }]));
}

interface SuiteResult { rows: Row[]; notes: string[]; peakRssMb: number; rssByFigureMb: Record<string, number> }

/** Every figure at `n` branches, on databases of their own. */
async function suite(dbs: Databases, smtp: LocalSmtp, n: number, name: string, sizes: { mails: number; peer: number }): Promise<SuiteResult> {
  const E = await dbs.open(`${name}_engine`, smtp.url);
  const B = await dbs.open(`${name}_base`);
  const engine = E.services.engine;
  E.db.on('query', (q: { sql: string }) => {
    issued.engine++;
    if (SQL_OF) tallySql(q.sql);
  });
  B.db.on('query', () => issued.baseline++);
  const rows: Row[] = [];
  const notes: string[] = [];
  const sameRows = async (after: string) => {
    const diff = countDifferences(await rowCounts(E), await rowCounts(B), [PEER_TABLE]);
    if (diff.length) notes.push(`after ${after}, rows of engine/baseline differ: ${diff.join(', ')}`);
  };

  for (const side of [E, B]) {
    const e = side.services.engine;
    await e.addUser({ email: OFFICE.email, name: OFFICE.name, roles: ['office'] }, await e.consoleActor(undefined, true));
  }
  const office = await engine.actorByEmail(OFFICE.email);
  const officeB = await B.services.engine.actorByEmail(OFFICE.email);
  const config = cycleConfig(n);
  const branches = config.branches;

  // ── launch: create + launch, against the same rows inserted by hand ──
  progress(`${name}: launch ${n}`);
  let t = now();
  let refused: string | undefined;
  try {
    await region(`${name}:launch:engine`, async () => {
      await engine.createCycle(config, office, AT.create);
      await engine.launchCycle(YEAR, office, { now: AT.launch });
    });
  } catch (err) {
    // A cycle larger than the engine accepts (its configuration schema bounds the branches): the
    // engine's database is seeded by hand with the rows a launch writes, from a launch of 10
    // branches, so that every other figure still runs at this size against the engine.
    const e = err as { code?: string; message?: string };
    if (e.code !== 'INVALID_INPUT' || !/branches/.test(String(e.message))) throw err;
    refused = String(e.message);
  }
  const launchE = now() - t;
  let samples: LaunchSamples;
  if (refused) {
    const P = await dbs.open(`${name}_probe`);
    const pe = P.services.engine;
    await pe.addUser({ email: OFFICE.email, name: OFFICE.name, roles: ['office'] }, await pe.consoleActor(undefined, true));
    const probeOffice = await pe.actorByEmail(OFFICE.email);
    await pe.createCycle(cycleConfig(10), probeOffice, AT.create);
    await pe.launchCycle(YEAR, probeOffice, { now: AT.launch });
    samples = await launchSamples(P.db, branches[0]);
    await dbs.close(P);
    progress(`${name}: the engine refused ${n} branches (${refused}); its database seeded by hand`);
    await baselineLaunch(E, branches, samples, office.id!);
  } else {
    samples = await launchSamples(E.db, branches[0]);
  }
  t = now();
  await region(`${name}:launch:baseline`, () => baselineLaunch(B, branches, samples, officeB.id!));
  const launchB = now() - t;
  rows.push(
    refused
      ? { figure: 'launch', unit: 'branches/s', engine: NaN, baseline: perSecond(n, launchB), ratio: NaN, note: `the engine refuses a cycle of ${n} branches: ${refused}` }
      : { figure: 'launch', unit: 'branches/s', engine: perSecond(n, launchE), baseline: perSecond(n, launchB), ratio: launchE / launchB, note: perOp(`${name}:launch`, n) },
  );
  await sameRows('launch');

  // ── events: ACKNOWLEDGE by each branch's secretary, one transaction each ──
  const secE = await secretaries(E);
  const secB = await secretaries(B);
  const cycleB = (await B.db('cycles').where({ year: YEAR }).first()).id as number;
  const codes = branches.map((b) => b.code);
  const part = partitions(n);
  const ack = (code: string) => engine.sendBranchEvent({ cycle: YEAR, branch: code, type: 'ACKNOWLEDGE', actor: secE.get(code)!, now: AT.events });
  const ackB = (code: string) => baselineAcknowledge(B, cycleB, secB.get(code)!, AT.events);

  if (wants('events')) {
    progress(`${name}: events ${part.single.length} (1 client)`);
    const one = await inTurns(
      `${name}:events`,
      part.single.map((i) => codes[i]),
      10,
      (s) => timed(s, 1, ack),
      (s) => timed(s, 1, ackB),
    );
    rows.push({ figure: 'events', unit: 'events/s', engine: perSecond(part.single.length, one.e.ms), baseline: perSecond(part.single.length, one.b.ms), ratio: one.e.ms / one.b.ms, ...pcts(one.e.latencies), note: perOp(`${name}:events`, part.single.length) });
  }

  if (wants('events x8')) {
    progress(`${name}: events ${part.eight.length} (8 clients)`);
    const eight = await inTurns(
      `${name}:events x8`,
      part.eight.map((i) => codes[i]),
      10,
      (s) => timed(s, 8, ack),
      (s) => timed(s, 8, ackB),
    );
    rows.push({ figure: 'events x8', unit: 'events/s', engine: perSecond(part.eight.length, eight.e.ms), baseline: perSecond(part.eight.length, eight.b.ms), ratio: eight.e.ms / eight.b.ms, ...pcts(eight.e.latencies), note: perOp(`${name}:events x8`, part.eight.length) });
  }

  if (wants('bulk events')) {
    progress(`${name}: bulk events ${part.bulk.length} (batches of 500)`);
    const bulk = await inTurns(
      `${name}:bulk events`,
      part.bulk.map((i) => codes[i]),
      Math.ceil(part.bulk.length / 500),
      async (s) => {
        const t0 = now();
        const results = await engine.sendBranchEvents(
          s.map((code) => ({ cycle: YEAR, branch: code, type: 'ACKNOWLEDGE', actor: secE.get(code)! })),
          AT.events,
        );
        const refused = results.find((r) => !r.ok);
        if (refused && !refused.ok) throw refused.error;
        const ms = now() - t0;
        return { ms, latencies: [ms] };
      },
      (s) => timed(s, 1, ackB),
    );
    rows.push({
      figure: 'bulk events',
      unit: 'events/s',
      engine: perSecond(part.bulk.length, bulk.e.ms),
      baseline: perSecond(part.bulk.length, bulk.b.ms),
      ratio: bulk.e.ms / bulk.b.ms,
      note: `baseline: one transaction per event; ${perOp(`${name}:bulk events`, part.bulk.length)}`,
    });
  }
  await sameRows('the events');
  const [se, sb] = await Promise.all([E, B].map((side) => side.db('branch_reviews').where({ code: codes[0] }).first('snapshot')));
  if (se.snapshot !== sb.snapshot) notes.push('the baseline wrote another snapshot than the engine after ACKNOWLEDGE');

  if (wants('tick')) {
    // ── tick: 10 % of the timers moved due, fired by the scheduler ──
    const moved: number[] = [];
    for (const side of [E, B]) moved.push(await side.db('timers').whereRaw('id % 10 = 0').update({ due_at: AT.timersDue }));
    if (moved[0] !== moved[1]) notes.push(`tick: ${moved[0]} timers due for the engine, ${moved[1]} for the baseline`);
    progress(`${name}: tick ${moved[0]} due timers`);
    t = now();
    const fired = await region(`${name}:tick:engine`, () => engine.fireDueTimers(AT.tick));
    const tickE = now() - t;
    const tickS = await tickSamples(E.db, AT.tick);
    t = now();
    const firedB = await region(`${name}:tick:baseline`, () => baselineTick(B, tickS, AT.tick));
    const tickB = now() - t;
    if (fired.timersFired !== firedB.fired) notes.push(`tick: the engine fired ${fired.timersFired} timers, the baseline ${firedB.fired}`);
    rows.push({
      figure: 'tick',
      unit: 'timers/s',
      engine: perSecond(moved[0], tickE),
      baseline: perSecond(moved[1], tickB),
      ratio: tickE / tickB,
      note: `${fired.timersFired} fired, ${moved[0] - fired.timersFired} skipped; ${perOp(`${name}:tick`, moved[0])}`,
    });
    await sameRows('the tick');
  }

  if (wants('dashboard')) {
    // ── dashboard: the data of the page, repeatedly ──
    const reps = n <= 1000 ? 60 : 30;
    progress(`${name}: dashboard × ${reps}`);
    for (let i = 0; i < 3; i++) {
      await engine.dashboard(YEAR, office, AT.dashboard, { limit: 50 });
      await baselineDashboard(B.db, AT.dashboard);
    }
    const dash = await inTurns(
      `${name}:dashboard`,
      Array.from({ length: reps }, (_, i) => i),
      reps,
      () => timed([0], 1, () => engine.dashboard(YEAR, office, AT.dashboard, { limit: 50 })),
      () => timed([0], 1, () => baselineDashboard(B.db, AT.dashboard)),
    );
    const board = await engine.dashboard(YEAR, office, AT.dashboard, { limit: 50 });
    if (board.total !== n || board.branches.length !== Math.min(50, n)) notes.push(`dashboard: total ${board.total}, ${board.branches.length} rows on the page`);
    const dE = pcts(dash.e.latencies);
    const dB = pcts(dash.b.latencies);
    rows.push({ figure: 'dashboard', unit: 'ms (median)', engine: dE.p50, baseline: dB.p50, ratio: dE.p50 / dB.p50, ...dE, note: `baseline p95 ${dB.p95.toFixed(1)} ms; ${perOp(`${name}:dashboard`, reps)}` });
  }

  if (wants('board')) {
    // ── board: the office board's first page (/cycles/:cycle), the data its route reads, repeatedly ──
    const reps = n <= 1000 ? 60 : 30;
    progress(`${name}: board × ${reps}`);
    const boardPage = async () => {
      const d = await engine.dashboard(YEAR, office, AT.dashboard, {});
      const codes = d.branches.map((b) => b.code);
      await engine.scoringProgress(d.cycle.id, office, codes);
      await engine.repeatFlags(d.cycle.id, office, codes);
      await engine.duplicateEvidence(d.cycle.id, office);
      return d;
    };
    for (let i = 0; i < 3; i++) {
      await boardPage();
      await baselineBoard(B.db, AT.dashboard);
    }
    const board = await inTurns(
      `${name}:board`,
      Array.from({ length: reps }, (_, i) => i),
      reps,
      () => timed([0], 1, boardPage),
      () => timed([0], 1, () => baselineBoard(B.db, AT.dashboard)),
    );
    const bE = pcts(board.e.latencies);
    const bB = pcts(board.b.latencies);
    rows.push({ figure: 'board', unit: 'ms (median)', engine: bE.p50, baseline: bB.p50, ratio: bE.p50 / bB.p50, ...bE, note: `baseline: the page query by hand, p95 ${bB.p95.toFixed(1)} ms; ${perOp(`${name}:board`, reps)}` });
  }

  if (wants('export')) {
    // ── export: the ledger (整改台账) of every branch, streamed to a file, against the same pages by hand ──
    progress(`${name}: export ${n}`);
    for (const side of [E, B]) await givePlanItems(side);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shuping-bench-export-'));
    try {
      const outE = path.join(dir, 'engine.xlsx');
      t = now();
      await region(`${name}:export:engine`, async () => {
        const file = await engine.exportDocument(YEAR, 'ledger', office);
        const sink = fs.createWriteStream(outE);
        await file.write(sink);
        if (!sink.writableFinished) await new Promise<void>((resolve, reject) => sink.once('finish', () => resolve()).once('error', reject));
      });
      const exportE = now() - t;
      t = now();
      const written = await region(`${name}:export:baseline`, () => baselineLedger(B.db, path.join(dir, 'baseline.xlsx')));
      const exportB = now() - t;
      if (written !== n) notes.push(`export: the baseline wrote ${written} rows of ${n}`);
      const bytes = [fs.statSync(outE).size, fs.statSync(path.join(dir, 'baseline.xlsx')).size];
      rows.push({ figure: 'export', unit: 'branches/s', engine: perSecond(n, exportE), baseline: perSecond(n, exportB), ratio: exportE / exportB, note: `ledger .xlsx, ${mib(bytes[0])} vs ${mib(bytes[1])} MiB; ${perOp(`${name}:export`, n)}` });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  if (wants('mail')) {
    // ── mail: the dispatcher against nodemailer's pooled transport, to the same local server ──
    progress(`${name}: mail ${sizes.mails}`);
    // Both sides keep one pool open through the figure, and each first sends untimed as many mails
    // as it then sends timed, so that neither pays alone for new connections (the server delays its
    // greeting) or cold code: nodemailer's code is warmed by both sides, the dispatcher's (its
    // claims and marks) only by the engine's, and after 100 mails V8 had not yet optimized it (the
    // figure read 1.14–1.16 after 100, 1.09–1.11 after 300, 1.00–1.05 after 1,000 at 10,000
    // branches). Then the mails go in parts, the engine first in one and nodemailer first in the
    // next (A B B A …): the machine's drift falls on both sides alike.
    const pool = nodemailerPool(smtp);
    const warmUpMails = sizes.mails;
    const before = smtp.received();
    const sent = { sent: 0, failed: 0 };
    let mailE = 0;
    let mailB = 0;
    try {
      const parts = mailParts(sizes.mails);
      for (const [part, count] of [warmUpMails, ...parts].entries()) {
        const warmUp = part === 0;
        await queueMails(E, count, AT.mail);
        const mails = await dueMails(E, AT.mail);
        const engineSide = async () => {
          t = now();
          const r = await region(`${name}:mail${warmUp ? ' warm-up' : ''}:engine`, () => dispatch(E.db, E.services.transport, AT.mail, { mailFrom: E.services.settings.mailFrom }));
          if (!warmUp) mailE += now() - t;
          sent.sent += r.sent;
          sent.failed += r.failed;
        };
        const baselineSide = async () => {
          t = now();
          await region(`${name}:mail${warmUp ? ' warm-up' : ''}:baseline`, () => nodemailerSend(pool, mails, E.services.settings.mailFrom));
          if (!warmUp) mailB += now() - t;
        };
        for (const side of part % 2 === 1 ? [engineSide, baselineSide] : [baselineSide, engineSide]) await side();
      }
    } finally {
      pool.close();
    }
    const total = sizes.mails + warmUpMails;
    if (sent.sent !== total || smtp.received() - before !== 2 * total) {
      notes.push(`mail: the dispatcher sent ${sent.sent} of ${total} (${sent.failed} failed), the server received ${smtp.received() - before} of ${2 * total}`);
    }
    rows.push({ figure: 'mail', unit: 'mails/s', engine: perSecond(sizes.mails, mailE), baseline: perSecond(sizes.mails, mailB), ratio: mailE / mailB, note: `baseline: nodemailer, pooled as the engine's; ${perOp(`${name}:mail`, sizes.mails)}` });
  }

  if (wants('peer')) {
    // ── the peer: bpmn-engine, the same flow per branch, its state saved in the same database ──
    progress(`${name}: peer ${sizes.peer} branches`);
    await createPeerTable(E);
    const context = await peerContext();
    const peerCodes = codes.slice(0, sizes.peer);
    t = now();
    await region(`${name}:peer launch:peer`, () => peerLaunch(E, context, peerCodes));
    const peerLaunchMs = now() - t;
    const peerEvents = await region(`${name}:peer events:peer`, () => timed(peerCodes, 1, (code) => peerSignal(E, context, code)));
    const launch = rows.find((r) => r.figure === 'launch')!;
    const events = rows.find((r) => r.figure === 'events');
    const peerNote = sizes.peer < n ? `peer: ${sizes.peer} of the ${n} branches` : undefined;
    const peerLaunchRate = perSecond(sizes.peer, peerLaunchMs);
    const peerEventRate = perSecond(sizes.peer, peerEvents.ms);
    rows.push({ figure: 'peer launch', unit: 'branches/s', engine: launch.engine, baseline: peerLaunchRate, ratio: peerLaunchRate / launch.engine, note: peerNote });
    if (events) rows.push({ figure: 'peer events', unit: 'events/s', engine: events.engine, baseline: peerEventRate, ratio: peerEventRate / events.engine, note: peerNote });
  }

  // The memory target is the engine's: the resident set sampled while the engine's side of a figure
  // ran at this size (the baseline's and the peer's work run in the same process, at other times).
  const enginePeak = Math.max(0, ...[...peakRss].filter(([label]) => label.startsWith(`${name}:`) && label.endsWith(':engine')).map(([, b]) => b));
  const peakRssMb = enginePeak / 2 ** 20;
  // Per figure: the resident set does not shrink between figures, so a figure inherits its predecessors' peak.
  const rssByFigureMb = Object.fromEntries(
    [...peakRss].filter(([label]) => label.startsWith(`${name}:`) && label.endsWith(':engine')).map(([label, b]) => [label.split(':')[1], mib(b)]),
  );
  // The baseline's audit chain is whole (it hashed as the engine does); checked below the size where reading every record is cheap.
  if (n <= 20_000) {
    for (const [label, side] of [['engine', E], ['baseline', B]] as const) {
      const e = side.services.engine;
      await e.verifyAudit(await e.actorByEmail(OFFICE.email)).catch((err: Error) => notes.push(`audit verify (${label}): ${err.message}`));
    }
  }
  await dbs.close(E);
  await dbs.close(B);
  return { rows: rows.map(judge), notes, peakRssMb, rssByFigureMb };
}

const loadStart = os.loadavg();
const smtp = await startSmtp();
const dbs = new Databases(dialect, pgUrl);
/** The commit measured, and whether the working tree differed from it. */
function revision(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: new URL('..', import.meta.url), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = git('status', '--porcelain', '--untracked-files=no', '--', 'src', 'workflows', 'db', 'bench') !== '';
    return `${git('rev-parse', '--short', 'HEAD')}${dirty ? ' + uncommitted changes' : ''}`;
  } catch {
    return 'unknown revision';
  }
}
const rev = revision();
const where = dialect === 'postgres' ? `postgresql (${pgUrl.replace(/\/\/[^@/]*@/, '//')}, throwaway schemas)` : 'sqlite (temporary files)';
console.log(`shuping bench (${rev}): ${N} branches, ${where}, node ${process.version}, ${os.cpus().length} cores, load ${loadStart.map((l) => l.toFixed(2)).join(' ')}`);
try {
  const warm = Math.min(N, 60);
  await suite(dbs, smtp, warm, 'warm', { mails: Math.min(MAILS, 50), peer: Math.min(PEER_N, 30) });
  const result = await suite(dbs, smtp, N, 'run', { mails: MAILS, peer: PEER_N });
  const loadEnd = os.loadavg();
  const report: Report = {
    rows: result.rows,
    peakRssMb: Math.round(result.peakRssMb * 10) / 10,
    processPeakRssMb: Math.round(process.resourceUsage().maxRSS / 102.4) / 10,
    rssByFigureMb: result.rssByFigureMb,
    branches: N,
    db: dialect,
    load: { start: loadStart, end: loadEnd },
    cores: os.cpus().length,
    at: new Date().toISOString(),
    revision: rev,
  };
  console.log(table(report));
  console.log('ratio = engine time / baseline time (= baseline per second / engine per second): above 1 the engine is slower.');
  for (const r of result.rows) if (r.note) console.log(`  ${r.figure}: ${r.note}`);
  // The bench itself keeps about one and a half cores busy (node, SQLite's or PostgreSQL's threads).
  const busy = loadStart[0] > os.cpus().length || loadEnd[0] > os.cpus().length + 1.5;
  const [worst, bytes] = [...peakRss].sort((a, b) => b[1] - a[1])[0] ?? ['', 0];
  const engineWorst = [...peakRss].filter(([label]) => label.endsWith(':engine')).sort((a, b) => b[1] - a[1])[0]?.[0];
  console.log(
    `peak RSS: ${report.peakRssMb.toFixed(0)} MiB while the engine worked (during ${engineWorst ?? '–'}); the whole process ${report.processPeakRssMb?.toFixed(0)} MiB` +
      (worst ? ` (sampled: ${mib(bytes)} MiB during ${worst})` : ''),
  );
  console.log(`  by figure (engine side, MiB): ${Object.entries(result.rssByFigureMb).map(([f, m]) => `${f} ${m}`).join(', ')}`);
  console.log(`load average at the end ${loadEnd.map((l) => l.toFixed(2)).join(' ')}${busy ? ' — the machine was busy: the figures are noisy' : ''}`);
  const missed = result.rows.filter((r) => r.pass === false).map((r) => r.figure);
  if (report.peakRssMb >= MEMORY_LIMIT_MB) missed.push('peak RSS');
  console.log(missed.length ? `targets missed: ${missed.join(', ')}` : 'every target holds');
  for (const note of result.notes) console.log(`note: ${note}`);
  if (opts.compare) for (const line of compare(report, opts.compare)) console.log(line);
  if (opts.json) writeJson(opts.json, report);
  if (process.env.BENCH_MARKS) fs.writeFileSync(process.env.BENCH_MARKS, `${JSON.stringify(marks)}\n`);
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  await dbs.cleanup();
  await smtp.close();
}
