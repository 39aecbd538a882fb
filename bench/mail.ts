// The mail figure: an SMTP server in this process (smtp-server) that accepts and discards, the
// outbox dispatcher sending queued mails to it, and nodemailer's pooled transport sending the same
// mails to it directly.
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import nodemailer, { type Transporter } from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { outgoingMail } from '../src/mail/dispatcher';
import { pooledSmtpUrl } from '../src/mail/transport';
import type { Side } from './databases';

export interface LocalSmtp { url: string; port: number; received(): number; close(): Promise<void> }

export async function startSmtp(): Promise<LocalSmtp> {
  let received = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    // No reverse DNS lookup of the client (127.0.0.1). smtp-server still waits 100 ms before its greeting on
    // every connection (early-talker detection), as real servers delay theirs: a new connection per mail pays it.
    disableReverseLookup: true,
    maxClients: 50,
    onData(stream, _session, callback) {
      stream.on('data', () => {});
      stream.on('end', () => {
        received++;
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    received: () => received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface OutboxRow {
  id: number;
  message_id: string;
  dedupe_key: string;
  template: string;
  to_email: string;
  subject: string;
  body_text: string;
  body_html: string;
  attachments: string | null;
}

/**
 * Puts exactly `count` mails in the queue, due at `now`: copies of the notices the launch queued
 * (each with its meeting invitation attached), under new Message-IDs; every other queued mail is
 * put off, so the dispatcher sends these and nothing else.
 */
export async function queueMails(side: Side, count: number, now: string): Promise<void> {
  const { db } = side;
  await db('outbox').where({ status: 'queued' }).update({ next_attempt_at: '9999-12-31T00:00:00.000Z' });
  const notices = (await db('outbox').where({ template: 'notice' }).orderBy('id').limit(count)) as (OutboxRow & Record<string, unknown>)[];
  if (!notices.length) throw new Error('no notice to copy');
  const rows = Array.from({ length: count }, (_, i) => {
    const { id: _id, ...n } = notices[i % notices.length];
    const key = randomUUID();
    return { ...n, message_id: `<${key}@example.org>`, dedupe_key: `bench:${key}`, status: 'queued', attempts: 0, next_attempt_at: now, claimed_until: null, sent_at: null, created_at: now };
  });
  for (let i = 0; i < rows.length; i += 100) await db('outbox').insert(rows.slice(i, i + 100));
  // SQLite: the copies are a few megabytes in the write-ahead log, which the next writer would fold
  // into the database file (an automatic checkpoint) — the dispatcher, timed, and not nodemailer.
  if (!side.pg) await db.raw('pragma wal_checkpoint(truncate)');
}

/** The timed mails in four parts (fewer when there are fewer than four), as even as they divide. */
export function mailParts(mails: number): number[] {
  const parts = Math.min(4, mails);
  return Array.from({ length: parts }, (_, i) => Math.floor(mails / parts) + (i < mails % parts ? 1 : 0));
}

/** The queued mails as the dispatcher would send them (read before it does). */
export async function dueMails(side: Side, now: string): Promise<OutboxRow[]> {
  return (await side.db('outbox').where({ status: 'queued' }).andWhere('next_attempt_at', '<=', now).orderBy('id')) as OutboxRow[];
}

/**
 * nodemailer on its own: a pooled transport configured as the engine's (src/mail/transport.ts), kept
 * open across the figure's parts as the engine's is, every mail of a part handed to it at once (its
 * pool queues them).
 */
export function nodemailerPool(smtp: LocalSmtp): Transporter {
  return nodemailer.createTransport(pooledSmtpUrl(smtp.url));
}

export async function nodemailerSend(transporter: Transporter, mails: OutboxRow[], from: string): Promise<void> {
  await Promise.all(mails.map((m) => transporter.sendMail(outgoingMail(m, from))));
}
