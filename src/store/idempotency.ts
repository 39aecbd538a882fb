import type { Tx } from './db';

export interface IdempotentAnswer { requestHash: string; response: unknown }

export async function findAnswer(db: Tx, key: string, actor: string): Promise<IdempotentAnswer | undefined> {
  const row = await db('idempotency_keys').where({ key, actor }).first();
  return row ? { requestHash: row.request_hash, response: JSON.parse(row.response) } : undefined;
}

export async function saveAnswer(db: Tx, key: string, actor: string, requestHash: string, response: unknown, now: string): Promise<void> {
  await db('idempotency_keys').insert({ key, actor, request_hash: requestHash, response: JSON.stringify(response), created_at: now });
}
