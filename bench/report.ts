// The table, the targets of issue 8 checked beside each figure, the --json file and --compare.
import fs from 'node:fs';

/**
 * One figure. `engine` and `baseline` are throughputs (per second) or, for the dashboard and the
 * board, the median in ms. `ratio` is engine time / baseline time (= baseline throughput / engine throughput):
 * above 1 the engine is slower.
 */
export interface Row {
  figure: string;
  unit: string;
  engine: number;
  baseline: number;
  ratio: number;
  /** the engine's latency percentiles in ms, where a figure has single operations */
  p50?: number;
  p95?: number;
  /** what the target asks, and whether it holds */
  target?: string;
  pass?: boolean;
  note?: string;
}

export interface Report {
  rows: Row[];
  /** the resident set's peak while the engine's side of a figure ran (sampled every 50 ms) */
  peakRssMb: number;
  /** the whole process's peak (getrusage), baseline and peer included */
  processPeakRssMb?: number;
  /** the resident set's peak while each figure's engine side ran */
  rssByFigureMb?: Record<string, number>;
  branches: number;
  db: string;
  /** the machine's load average (1, 5, 15 min) at the start and at the end */
  load: { start: number[]; end: number[] };
  cores: number;
  at: string;
  /** the commit measured */
  revision?: string;
}

/** The targets: each a test of the row and the words printed beside it. */
const TARGETS: Record<string, { text: string; ok: (r: Row) => boolean }> = {
  launch: { text: 'time ≤ 1.5× baseline', ok: (r) => r.ratio <= 1.5 },
  events: { text: '≥ 0.8× baseline/s', ok: (r) => r.ratio <= 1 / 0.8 },
  'events x8': { text: '≥ 0.8× baseline/s', ok: (r) => r.ratio <= 1 / 0.8 },
  'bulk events': { text: '≥ 10× 1 tx/event (ratio ≤ 0.10)', ok: (r) => r.ratio <= 0.1 },
  tick: { text: 'time ≤ 1.5× baseline', ok: (r) => r.ratio <= 1.5 },
  dashboard: { text: 'p95 ≤ 50 ms', ok: (r) => (r.p95 ?? Infinity) <= 50 },
  board: { text: 'p95 ≤ 150 ms', ok: (r) => (r.p95 ?? Infinity) <= 150 },
  mail: { text: '≥ 0.9× nodemailer/s', ok: (r) => r.ratio <= 1 / 0.9 },
  'peer launch': { text: '≥ 2× peer/s (ratio ≤ 0.5)', ok: (r) => r.ratio <= 0.5 },
  'peer events': { text: '≥ 2× peer/s (ratio ≤ 0.5)', ok: (r) => r.ratio <= 0.5 },
};

export const MEMORY_LIMIT_MB = 512;

export function judge(row: Row): Row {
  const t = TARGETS[row.figure];
  if (!t) return row;
  // A figure the engine could not produce is no pass and no miss: its note says why.
  const measured = Number.isFinite(row.ratio) || (['dashboard', 'board'].includes(row.figure) && Number.isFinite(row.p95));
  return { ...row, target: t.text, pass: measured ? t.ok(row) : undefined };
}

const num = (v: number | undefined, unit = ''): string => {
  if (v === undefined) return '';
  if (!Number.isFinite(v)) return '–';
  const s = v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
  return s + unit;
};

export function table(report: Report): string {
  const head = ['figure', 'unit', 'engine', 'baseline', 'ratio', 'p50 ms', 'p95 ms', 'target'];
  const body = report.rows.map((r) => [
    r.figure,
    r.unit,
    num(r.engine),
    num(r.baseline),
    Number.isFinite(r.ratio) ? r.ratio.toFixed(2) : '–',
    num(r.p50),
    num(r.p95),
    r.target ? `${r.pass === undefined ? '–' : r.pass ? '✓' : '✗'} ${r.target}` : '',
  ]);
  const memOk = report.peakRssMb < MEMORY_LIMIT_MB;
  body.push(['peak RSS (engine)', 'MiB', report.peakRssMb.toFixed(0), '', '', '', '', `${memOk ? '✓' : '✗'} < ${MEMORY_LIMIT_MB} MiB`]);
  // Width by code points, with CJK and ✓/✗ counted as one: the table is ASCII apart from those.
  const width = (s: string) => [...s].length;
  const widths = head.map((h, i) => Math.max(width(h), ...body.map((b) => width(b[i]))));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i >= 2 && i <= 6 ? c.padStart(widths[i]) : c.padEnd(widths[i] + c.length - width(c)))).join(' | ')} |`;
  return [line(head), `|${widths.map((w, i) => (i >= 2 && i <= 6 ? '-'.repeat(w + 1) + ':' : '-'.repeat(w + 2))).join('|')}|`, ...body.map(line)].join('\n');
}

export function writeJson(file: string, report: Report): void {
  fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
}

/**
 * Against an earlier run (its --json): the time per event (one client) now / then, which should stay
 * within 1.3× from N=300 to N=10,000, and the dashboard's p95 now / then, which should grow less than
 * 3× from N=10,000 to N=100,000.
 */
export function compare(report: Report, earlierFile: string): string[] {
  const earlier = JSON.parse(fs.readFileSync(earlierFile, 'utf8')) as Report;
  const find = (r: Report, f: string) => r.rows.find((x) => x.figure === f);
  const out: string[] = [];
  const label = `N=${report.branches} ${report.db} vs N=${earlier.branches ?? '?'} ${earlier.db ?? ''}`.trim();
  // The targets are for these sizes; other pairs get the ratio without a verdict.
  const sizes = (from: number, to: number) => earlier.branches === from && report.branches === to && earlier.db === report.db;
  const verdict = (applies: boolean, ok: boolean, text: string) => (applies ? `${ok ? '✓' : '✗'} (${text})` : `(the target, ${text}, is for other sizes)`);
  const ev = [find(report, 'events'), find(earlier, 'events')];
  if (ev[0] && ev[1]) {
    const r = ev[1].engine / ev[0].engine;
    out.push(`time per event (engine, 1 client), ${label}: ×${r.toFixed(2)} ${verdict(sizes(300, 10_000), r <= 1.3, '≤ 1.3× from N=300 to N=10,000')}`);
  }
  const dash = [find(report, 'dashboard'), find(earlier, 'dashboard')];
  if (dash[0]?.p95 && dash[1]?.p95) {
    const r = dash[0].p95 / dash[1].p95;
    out.push(`dashboard p95, ${label}: ×${r.toFixed(2)} ${verdict(sizes(10_000, 100_000), r < 3, '< 3× from N=10,000 to N=100,000')}`);
  }
  return out;
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}
