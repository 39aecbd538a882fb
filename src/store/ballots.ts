import type { Tx } from './db';
import type { Ballots } from '../domain/scoring';

export interface BallotRow {
  token: string;
  cycle_id: number;
  branch_review_id: number;
  choice: string | null;
  issued_at: string;
  cast_at: string | null;
}

export async function insertBallots(db: Tx, rows: BallotRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) await db('ballots').insert(rows.slice(i, i + 200));
}

export const findBallot = (db: Tx, token: string): Promise<BallotRow | undefined> => db<BallotRow>('ballots').where({ token }).first();

/** Casts once: the update only matches an unused ballot, so two racing casts cannot both count. */
export async function castBallot(db: Tx, token: string, choice: string, at: string): Promise<boolean> {
  const n = await db('ballots').where({ token }).whereNull('choice').update({ choice, cast_at: at });
  return n === 1;
}

/** 民主测评 counts per branch review of a cycle. */
export async function ballotCounts(db: Tx, cycleId: number): Promise<Map<number, Ballots>> {
  const rows = (await db('ballots')
    .where({ cycle_id: cycleId })
    .whereNotNull('choice')
    .groupBy('branch_review_id', 'choice')
    .select('branch_review_id', 'choice')
    .count({ n: '*' })) as { branch_review_id: number; choice: string; n: number | string }[];
  const out = new Map<number, Ballots>();
  for (const r of rows) {
    const b = out.get(r.branch_review_id) ?? { satisfied: 0, basic: 0, unsatisfied: 0 };
    if (r.choice === '满意') b.satisfied += Number(r.n);
    else if (r.choice === '基本满意') b.basic += Number(r.n);
    else b.unsatisfied += Number(r.n);
    out.set(r.branch_review_id, b);
  }
  return out;
}
