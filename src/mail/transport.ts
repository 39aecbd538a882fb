// SMTP when SMTP_URL is set; otherwise each mail becomes an .eml file in DATA_DIR/outbox/.
import fs from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';

export interface OutgoingMail {
  messageId: string;
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  attachments?: { filename: string; content: string; contentType: string }[];
  headers?: Record<string, string>;
}

/** The pool's SMTP connections: nodemailer's own default (maxConnections 5). */
export const SMTP_CONNECTIONS = 5;

/**
 * Mails one connection carries before the pool replaces it: as many as the server lets it.
 * nodemailer's default (100) reconnects every hundred mails, and every new connection waits for
 * the server's greeting, which servers delay on purpose (smtp-server 100 ms, Postfix's postscreen
 * seconds). A server that closes a connection gets a new one (a mail cut off on it is retried like
 * any temporary failure); `?maxMessages=` sets a limit.
 */
export const SMTP_MESSAGES_PER_CONNECTION = Infinity;

/**
 * Mails one dispatcher has in flight: being sent, or accepted and waiting for their group's record.
 * Four for each connection, so that every connection has its next mail ready while the mails it
 * sent wait for their 250s to be written; also the most mails a crash can make go twice.
 */
export const DISPATCH_CONCURRENCY = 4 * SMTP_CONNECTIONS;

/**
 * The URL's pool settings, with ours where it has none: pooled (`?pool=false` opts out: a new
 * connection per mail costs a TCP and TLS handshake and a greeting each, about a hundred
 * milliseconds), SMTP_CONNECTIONS connections, SMTP_MESSAGES_PER_CONNECTION mails on each.
 */
export function pooledSmtpUrl(url: string): string {
  const u = new URL(url);
  const defaults = { pool: 'true', maxConnections: String(SMTP_CONNECTIONS), maxMessages: String(SMTP_MESSAGES_PER_CONNECTION) };
  for (const [key, value] of Object.entries(defaults)) if (!u.searchParams.has(key)) u.searchParams.set(key, value);
  return u.toString();
}

export interface MailTransport {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

export function smtpTransport(url: string): MailTransport {
  const transporter = nodemailer.createTransport(pooledSmtpUrl(url));
  return {
    async send(mail) {
      await transporter.sendMail(mail);
    },
    close: () => transporter.close(),
  };
}

/** Writes the raw message; the file is named by Message-ID, so a re-send overwrites rather than duplicates. */
export function fileTransport(dir: string): MailTransport {
  const builder = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(mail) {
      const info = (await builder.sendMail(mail)) as unknown as { message: Buffer };
      fs.mkdirSync(dir, { recursive: true });
      const name = mail.messageId.replace(/[<>]/g, '').replace(/[^A-Za-z0-9._@-]/g, '_');
      const tmp = path.join(dir, `.${name}.tmp`);
      fs.writeFileSync(tmp, info.message);
      fs.renameSync(tmp, path.join(dir, `${name}.eml`));
    },
    close: () => builder.close(),
  };
}

export function transportFor(settings: { smtpUrl?: string; dataDir: string }): MailTransport {
  return settings.smtpUrl ? smtpTransport(settings.smtpUrl) : fileTransport(path.join(settings.dataDir, 'outbox'));
}
