// A real SMTP server in-process (smtp-server), recording what it accepted.
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

export interface Received { messageId: string; to: string; subject: string; text: string; parsed: ParsedMail }

export class TestSmtp {
  received: Received[] = [];
  /** When set, every DATA is answered with this error (e.g. 550 for a permanent refusal). */
  reject: { code: number; message: string } | null = null;
  /** Milliseconds to wait before answering each DATA (a slow server). */
  delayMs = 0;
  /** Called with each message once it is recorded, before the server answers 250 (e.g. to kill the sender then). */
  beforeAccept: ((m: Received) => void | Promise<void>) | null = null;
  /** Connections opened by senders so far. */
  connections = 0;
  /** Server errors other than a sender's reset connection. */
  readonly errors: Error[] = [];
  private server?: SMTPServer;
  port = 0;

  async start(port = 0): Promise<this> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onConnect: (_session, callback) => {
        this.connections++;
        callback();
      },
      onData: (stream, _session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', async () => {
          if (this.reject) {
            const err = Object.assign(new Error(this.reject.message), { responseCode: this.reject.code });
            callback(err);
            return;
          }
          const parsed = await simpleParser(Buffer.concat(chunks));
          const to = Array.isArray(parsed.to) ? parsed.to.map((a) => a.text).join(',') : (parsed.to?.text ?? '');
          const received = { messageId: parsed.messageId ?? '', to, subject: parsed.subject ?? '', text: parsed.text ?? '', parsed };
          this.received.push(received);
          if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
          if (this.beforeAccept) await this.beforeAccept(received);
          callback();
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    // A sender killed mid-dialogue resets its connections (crash tests kill the dispatcher with
    // several pooled connections open): the server reports each reset as an error, which is no failure.
    this.server.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') this.errors.push(err);
    });
    this.port = (this.server.server.address() as { port: number }).port;
    return this;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
    this.server = undefined;
  }
}
