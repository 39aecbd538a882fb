// The cycle the bench seeds: the example cycle's rules with N generated branches. Every branch's
// code, name, secretary and email carry the same fixed-width number (B000042, 第000042党支部,
// 王000042, b000042@example.org), so a row rendered for one branch becomes another's by replacing
// that number: the baseline copies the rows the engine wrote once and stamps them per branch.
import fs from 'node:fs';

export const YEAR = 2020;
export const OFFICE = { email: 'office@example.org', name: '党委办公室' };

/** The instants of the run: every figure passes its own `now`, so results do not depend on the clock. */
export const AT = {
  create: '2020-11-20T01:00:00Z',
  launch: '2020-11-20T02:00:00Z',
  events: '2020-11-21T02:00:00Z',
  /** the moment the tick's timers are moved to, and the tick's `now` */
  timersDue: '2020-11-22T00:00:00.000Z',
  tick: '2020-11-22T01:00:00Z',
  mail: '2020-11-22T02:00:00Z',
  /** the morning after the materials deadline: every branch still preparing is overdue */
  dashboard: '2020-12-05T02:00:00Z',
};

export const WIDTH = 6;
export const pad = (i: number): string => String(i).padStart(WIDTH, '0');
export const codeOf = (i: number) => `B${pad(i)}`;

export interface BranchSpec { code: string; name: string; secretaryName: string; secretaryEmail: string }

export function branchSpecs(n: number): BranchSpec[] {
  if (n >= 10 ** WIDTH) throw new Error(`at most ${10 ** WIDTH - 1} branches`);
  return Array.from({ length: n }, (_, k) => {
    const p = pad(k + 1);
    return { code: `B${p}`, name: `第${p}党支部`, secretaryName: `王${p}`, secretaryEmail: `b${p}@example.org` };
  });
}

/** The example cycle (examples/cycle-2020.json) with `n` branches and a panel without 回避 declarations. */
export function cycleConfig(n: number): Record<string, unknown> & { branches: BranchSpec[] } {
  const example = JSON.parse(fs.readFileSync(new URL('../examples/cycle-2020.json', import.meta.url), 'utf8'));
  example.year = YEAR;
  example.branches = branchSpecs(n);
  example.panel = (example.panel as { email: string; branchCode?: string }[]).filter((p) => !p.branchCode && !/^b\d/.test(p.email));
  return example;
}

/** The number a row was rendered for, replaced by another branch's (see the top of the file). */
export function restamp<T extends Record<string, unknown>>(row: T, from: number, to: number, fields: (keyof T)[]): T {
  const a = pad(from);
  const b = pad(to);
  const out = { ...row };
  for (const f of fields) if (typeof out[f] === 'string') out[f] = (out[f] as string).replaceAll(a, b) as T[keyof T];
  return out;
}

/** The number in a generated code or email (B000042 → 42). */
export const numberIn = (s: string): number => Number(/(\d{6})/.exec(s)?.[1] ?? NaN);

/** Splits 0..n-1 into the branches each event figure uses: 40 % one client, 40 % eight clients, 20 % bulk. */
export function partitions(n: number): { single: number[]; eight: number[]; bulk: number[] } {
  const all = Array.from({ length: n }, (_, i) => i);
  const a = Math.round(n * 0.4);
  const b = Math.round(n * 0.8);
  return { single: all.slice(0, a), eight: all.slice(a, b), bulk: all.slice(b) };
}
