// The outbox dispatcher: sends queued mails after their transaction committed, marks each sent only
// after the server accepted it (250), backs off on temporary failures and dead-letters the rest.
//
// `concurrency` mails are kept in flight (a sliding window, not groups waiting on their slowest), and the
// next batch is claimed while the last of the current one is still being sent. A mail holds its place in
// the window until its 250 is recorded, so a crash can make at most `concurrency` mails go twice (with
// their Message-IDs: SMTP is at least once). The 250s are recorded in groups: whatever was accepted
// while the previous group was being written goes in the next single UPDATE (src/store/outbox.ts).
import type { Tx } from '../store/db';
import { claimDueMails, markFailed, markSentMany, releaseClaims, type ClaimCursor, type MailRow } from '../store/outbox';
import { DISPATCH_CONCURRENCY, type MailTransport, type OutgoingMail } from './transport';
import { postToRobot, webhookOf } from './webhook';

export interface DispatchOptions {
  mailFrom: string;
  maxAttempts?: number;
  /** First retry after this many seconds, doubling each time, at most 6 hours. */
  backoffSeconds?: number;
  batchSize?: number;
  /** How long a claimed mail is reserved for this worker before another may send it. */
  leaseSeconds?: number;
  /** Mails in flight at once, sent or accepted but not yet recorded (default DISPATCH_CONCURRENCY). */
  concurrency?: number;
  /** Once aborted (graceful shutdown), the mails being sent are finished and recorded, and the rest of the claims handed back. */
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

/**
 * Records the 250s in groups, one UPDATE at a time. A mail holds its place in the window until its
 * group is written, so a group is written once it is `groupSize` large, once no other mail is still
 * being sent (nothing more would join it), or `maxDelayMs` after its first mail (a slow server).
 */
class SentMarks {
  private pending: { id: number; done: (err?: unknown) => void }[] = [];
  private writing = false;
  private timer: NodeJS.Timeout | null = null;
  /** Mails handed to the transport and not yet answered. */
  sending = 0;
  constructor(
    private readonly db: Tx,
    private readonly at: string,
    private readonly groupSize: number,
    private readonly maxDelayMs = 20,
  ) {}

  record(id: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ id, done: (err) => (err === undefined ? resolve() : reject(err)) });
      this.poke();
    });
  }

  /** Called when something changed: a mail was answered, or a group written. */
  poke(): void {
    if (this.writing || !this.pending.length) return;
    if (this.pending.length >= this.groupSize || this.sending === 0) void this.write();
    else this.timer ??= setTimeout(() => void this.write(), this.maxDelayMs);
  }

  private async write(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.writing || !this.pending.length) return;
    this.writing = true;
    const group = this.pending.splice(0);
    let failure: unknown;
    try {
      await markSentMany(this.db, group.map((m) => m.id), this.at);
    } catch (err) {
      failure = err ?? new Error('marking mails sent failed');
    }
    this.writing = false;
    for (const m of group) m.done(failure);
    this.poke();
  }
}

export async function dispatch(db: Tx, transport: MailTransport, now: string, opts: DispatchOptions): Promise<DispatchResult> {
  const maxAttempts = opts.maxAttempts ?? 5;
  const base = opts.backoffSeconds ?? 60;
  const batchSize = opts.batchSize ?? 50;
  const window = Math.max(1, opts.concurrency ?? DISPATCH_CONCURRENCY);
  const leaseUntil = addSeconds(now, opts.leaseSeconds ?? 300);
  const result: DispatchResult = { sent: 0, failed: 0, dead: 0 };
  const marks = new SentMarks(db, now, Math.max(1, Math.ceil(window / 2)));

  // Claimed and not started. Refilled by one claim at a time, begun once fewer than a window's worth
  // are left, so the senders rarely wait on it.
  const claimed: MailRow[] = [];
  let claiming = null as Promise<void> | null;
  let drained = false;
  let failure = null as { err: unknown } | null;
  const stopped = () => failure !== null || opts.signal?.aborted === true;
  let after: ClaimCursor | undefined; // the last mail claimed: each claim goes on from there
  const claimMore = (): Promise<void> =>
    (claiming ??= claimDueMails(db, now, leaseUntil, batchSize, after)
      .then((rows) => {
        if (!rows.length) drained = true;
        else after = rows[rows.length - 1];
        claimed.push(...rows);
      })
      .finally(() => (claiming = null)));

  async function next(): Promise<MailRow | undefined> {
    while (!stopped()) {
      if (!drained && claimed.length < window) {
        const refill = claimMore();
        if (!claimed.length) await refill;
        else refill.catch(() => {}); // seen by whoever awaits it next
      }
      const mail = claimed.shift();
      if (mail || drained) return mail;
    }
    return undefined;
  }

  async function sender(): Promise<void> {
    try {
      for (let mail = await next(); mail; mail = await next()) {
        await sendOne(db, transport, marks, mail, now, opts.mailFrom, maxAttempts, base, result);
      }
    } catch (err) {
      failure ??= { err };
    }
  }

  await Promise.all(Array.from({ length: window }, sender));
  // Stopped early (shutdown or an error): what is still claimed goes back to the queue for the next pass.
  await claiming?.catch(() => {});
  const unsent = claimed.splice(0).map((m) => m.id!);
  if (unsent.length) await releaseClaims(db, unsent);
  if (failure) throw failure.err;
  return result;
}

/** A queued mail as it goes out, under its own Message-ID. */
export function outgoingMail(mail: Pick<MailRow, 'message_id' | 'to_email' | 'subject' | 'body_text' | 'body_html' | 'attachments' | 'template'>, from: string): OutgoingMail {
  return {
    messageId: mail.message_id,
    from,
    to: mail.to_email,
    subject: mail.subject,
    text: mail.body_text,
    html: mail.body_html,
    attachments: mail.attachments ? JSON.parse(mail.attachments) : undefined,
    // Lets an office's mail rules (and our tests) tell the kinds of mail apart.
    headers: { 'X-Shuping-Template': mail.template },
  };
}

async function sendOne(
  db: Tx,
  transport: MailTransport,
  marks: SentMarks,
  mail: MailRow,
  now: string,
  from: string,
  maxAttempts: number,
  base: number,
  result: DispatchResult,
): Promise<void> {
  marks.sending++;
  try {
    // A group robot's message (群通知) goes by HTTP; its failures are retried like a mail's.
    if (mail.channel === 'webhook') {
      const { target, message } = webhookOf(mail);
      await postToRobot(target, message, now);
    } else await transport.send(outgoingMail(mail, from));
  } catch (err) {
    marks.sending--;
    marks.poke();
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
  // Accepted (250): recorded with the others accepted meanwhile; its place in the window is freed after.
  marks.sending--;
  await marks.record(mail.id!);
  result.sent++;
}
