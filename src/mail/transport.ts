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

/** The pool's SMTP connections: nodemailer's own default (maxConnections 5), as the bench's nodemailer side has. */
export const SMTP_CONNECTIONS = 5;

/**
 * Mails one dispatcher has in flight: being sent, or accepted and waiting for their group's record.
 * Twice the connections, so that every connection has its next mail ready while half the window
 * waits for its 250s to be written; also the most mails a crash can make go twice.
 */
export const DISPATCH_CONCURRENCY = 2 * SMTP_CONNECTIONS;

export interface MailTransport {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/**
 * A pooled connection unless the URL says otherwise (`?pool=false`): a new connection per mail costs
 * a TCP and TLS handshake and a greeting each, about a hundred milliseconds.
 */
export function smtpTransport(url: string): MailTransport {
  const u = new URL(url);
  if (!u.searchParams.has('pool')) u.searchParams.set('pool', 'true');
  if (!u.searchParams.has('maxConnections')) u.searchParams.set('maxConnections', String(SMTP_CONNECTIONS));
  const transporter = nodemailer.createTransport(u.toString());
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
