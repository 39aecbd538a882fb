// The SMTP pool keeps its connections for as long as the server does: nodemailer's default would
// replace each one every hundred mails, and every new connection waits for the server's greeting.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SMTP_CONNECTIONS, smtpTransport, type MailTransport } from '../../src/mail/transport';
import { TestSmtp } from '../support/smtp';

const mail = (i: number) => ({
  messageId: `<pool-${i}@example.org>`,
  from: 'shuping@example.org',
  to: `b${i}@example.org`,
  subject: `提醒 ${i}`,
  text: '请按时提交述职材料。',
  html: '<p>请按时提交述职材料。</p>',
});

describe('the pooled SMTP transport', () => {
  let smtp: TestSmtp;
  let transport: MailTransport | undefined;
  beforeEach(async () => {
    smtp = await new TestSmtp().start();
  });
  afterEach(async () => {
    transport?.close();
    await smtp.stop();
  });

  it(`sends 600 mails (more than a hundred a connection) over at most ${SMTP_CONNECTIONS} connections`, async () => {
    transport = smtpTransport(smtp.url);
    await Promise.all(Array.from({ length: 600 }, (_, i) => transport!.send(mail(i))));
    expect(smtp.received).toHaveLength(600);
    expect(smtp.connections).toBeGreaterThan(0);
    expect(smtp.connections).toBeLessThanOrEqual(SMTP_CONNECTIONS);
  });

  it('replaces a connection after the mails the URL allows it (?maxMessages=)', async () => {
    transport = smtpTransport(`${smtp.url}?maxMessages=10&maxConnections=1`);
    for (let i = 0; i < 30; i++) await transport.send(mail(i));
    expect(smtp.received).toHaveLength(30);
    expect(smtp.connections).toBe(3);
  });
});
