// Engine overhead: events applied through the engine vs the same writes as raw SQL, measured in one run.
// `npm run bench` (SQLite in a temp dir); `BENCH_DATABASE_URL=postgres://… npm run bench` for PostgreSQL.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadSettings } from '../src/config';
import { openServices } from '../src/services';

const BRANCHES = Number(process.env.BENCH_BRANCHES ?? 300);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shuping-bench-'));
const pg = process.env.BENCH_DATABASE_URL;
const s = await openServices(loadSettings({ DATA_DIR: dataDir, DATABASE_URL: pg, BASE_URL: 'http://bench' }));
const db = s.db;
if (pg) for (const t of ['ballots', 'idempotency_keys', 'timers', 'outbox', 'audit', 'branch_reviews', 'cycle_people', 'cycles', 'user_roles', 'users']) await db(t).del();

const config = JSON.parse(fs.readFileSync(new URL('../examples/cycle-2020.json', import.meta.url), 'utf8'));
config.branches = Array.from({ length: BRANCHES }, (_, i) => {
  const code = `B${String(i + 1).padStart(5, '0')}`;
  return { code, name: `第${i + 1}党支部`, secretaryName: `书记${i + 1}`, secretaryEmail: `${code.toLowerCase()}@example.org` };
});
config.panel = config.panel.filter((p: { branchCode?: string }) => !p.branchCode);
await s.engine.addUser({ email: 'office@example.org', name: '党委办公室', roles: ['office'] }, await s.engine.consoleActor(undefined, true));
const office = await s.engine.actorByEmail('office@example.org');

let t = performance.now();
await s.engine.createCycle(config, office);
await s.engine.launchCycle(2020, office, { now: '2020-11-20T02:00:00Z' });
const launchMs = performance.now() - t;

// Engine: ACKNOWLEDGE for every branch, each event its own transaction with audit (secretaries act).
const secretaries = await Promise.all(config.branches.map((b: { secretaryEmail: string }) => s.engine.actorByEmail(b.secretaryEmail)));
t = performance.now();
for (const [i, b] of config.branches.entries()) {
  await s.engine.sendBranchEvent({ cycle: 2020, branch: b.code, type: 'ACKNOWLEDGE', actor: secretaries[i], now: '2020-11-21T02:00:00Z' });
}
const engineMs = performance.now() - t;

// Baseline: the same reads and writes by hand — read the row, versioned update of a snapshot, the
// audit chain's head read and moved, the audit record inserted.
const rows = await db('branch_reviews').select('id', 'cycle_id', 'version', 'snapshot', 'state');
t = performance.now();
for (const r of rows) {
  await db.transaction(async (trx) => {
    const row = await trx('branch_reviews').where({ id: r.id }).first();
    const snap = JSON.parse(row.snapshot);
    snap.value = 'preparing';
    const n = await trx('branch_reviews').where({ id: r.id, version: row.version }).update({ snapshot: JSON.stringify(snap), state: 'preparing', phase: 'preparing', version: row.version + 1, updated_at: new Date().toISOString() });
    if (n !== 1) throw new Error('lost race');
    const chain = `cycle:${row.cycle_id}`;
    const head = pg ? await trx('audit_chains').where({ chain }).forUpdate().first() : await trx('audit_chains').where({ chain }).first();
    await trx('audit').insert({ cycle_id: row.cycle_id, branch_review_id: r.id, actor: 'x', event_type: 'ACKNOWLEDGE', data: null, from_state: row.state, to_state: 'preparing', version: row.version + 1, at: new Date().toISOString(), chain, seq: head.seq + 1, prev_hash: head.last_hash, hash: head.last_hash });
    await trx('audit_chains').where({ chain }).update({ seq: head.seq + 1, last_hash: head.last_hash });
  });
}
const rawMs = performance.now() - t;

const perSec = (ms: number) => Math.round((BRANCHES / ms) * 1000);
console.log(`database: ${pg ? 'postgresql' : 'sqlite'}, branches: ${BRANCHES}`);
console.log(`launch (create + notice + timers): ${launchMs.toFixed(0)} ms (${perSec(launchMs)} branches/s)`);
console.log(`engine events: ${perSec(engineMs)}/s   raw SQL baseline: ${perSec(rawMs)}/s`);
console.log(`ratio engine/raw time: ${(engineMs / rawMs).toFixed(2)}x`);
await s.close();
fs.rmSync(dataDir, { recursive: true, force: true });
