// The outbox dispatcher: sends queued mails after their transaction committed, marks each sent only
// after the server accepted it (250), backs off on temporary failures and dead-letters the rest.
import type { Tx } from '../store/db';
import { claimDueMails, markFailed, markSent, releaseClaims, type MailRow } from '../store/outbox';
import { DISPATCH_CONCURRENCY, type MailTransport } from './transport';
import { postToRobot, webhookOf } from './webhook';

export interface DispatchOptions {
  mailFrom: string;
  maxAttempts?: number;
  /** First retry after this many seconds, doubling each time, at most 6 hours. */
  backoffSeconds?: number;
  batchSize?: number;
  /** How long a claimed mail is reserved for this worker before another may send it. */
  leaseSeconds?: number;
  /** Mails sent at once (default DISPATCH_CONCURRENCY). */
  concurrency?: number;
  /** Once aborted (graceful shutdown), the mails being sent are finished and the rest of the batch handed back. */
  signal?: AbortSignal;
}

export interface DispatchResult { sent: number; failed: number; dead: number }

const addSeconds = (iso: string, s: number) => new Date(Date.parse(iso) + s * 1000).toISOString();

/** 5xx is permanent (the server refused this mail); anything else — 4xx, a refused connection — may pass later. */
export function isPermanent(err: unknown): boolean {
  const code = (err as { responseCode?: number }).responseCode;
  return typeof code === 'number' && code >= 500;
}

export function backoffSeconds(attempts: number, base: number): number {
  return Math.min(base * 2 ** (attempts - 1), 6 * 3600);
}

export async function dispatch(db: Tx, transport: MailTransport, now: string, opts: DispatchOptions): Promise<DispatchResult> {
  const maxAttempts = opts.maxAttempts ?? 5;
  const base = opts.backoffSeconds ?? 60;
  const result: DispatchResult = { sent: 0, failed: 0, dead: 0 };
  while (!opts.signal?.aborted) {
    const batch = await claimDueMails(db, now, addSeconds(now, opts.leaseSeconds ?? 300), opts.batchSize ?? 50);
    if (!batch.length) break;
    // A few at a time over the pooled connections; each is recorded as soon as its server answers.
    const step = opts.concurrency ?? DISPATCH_CONCURRENCY;
    for (let i = 0; i < batch.length; i += step) {
      if (opts.signal?.aborted) {
        await releaseClaims(db, batch.slice(i).map((m) => m.id!));
        break;
      }
      await Promise.all(batch.slice(i, i + step).map((mail) => sendOne(db, transport, mail, now, opts.mailFrom, maxAttempts, base, result)));
    }
  }
  return result;
}

async function sendOne(
  db: Tx,
  transport: MailTransport,
  mail: MailRow,
  now: string,
  from: string,
  maxAttempts: number,
  base: number,
  result: DispatchResult,
): Promise<void> {
  try {
    // A group robot's message (群通知) goes by HTTP; its failures are retried like a mail's.
    if (mail.channel === 'webhook') {
      const { target, message } = webhookOf(mail);
      await postToRobot(target, message, now);
    } else await transport.send({
      messageId: mail.message_id,
      from,
      to: mail.to_email,
      subject: mail.subject,
      text: mail.body_text,
      html: mail.body_html,
      attachments: mail.attachments ? JSON.parse(mail.attachments) : undefined,
      // Lets an office's mail rules (and our tests) tell the kinds of mail apart.
      headers: { 'X-Shuping-Template': mail.template },
    });
  } catch (err) {
    const attempts = mail.attempts + 1;
    const dead = isPermanent(err) || attempts >= maxAttempts;
    await markFailed(db, mail.id!, {
      attempts,
      nextAttemptAt: addSeconds(now, backoffSeconds(attempts, base)),
      error: err instanceof Error ? err.message : String(err),
      dead,
    });
    result.failed++;
    if (dead) result.dead++;
    return;
  }
  await markSent(db, mail.id!, now);
  result.sent++;
}
