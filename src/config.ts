// Runtime settings, all from the environment (README.md: configuration; the time zone rule in docs/rules.md).
import path from 'node:path';

export interface Settings {
  dataDir: string;
  databaseUrl: string | undefined;
  smtpUrl: string | undefined;
  mailFrom: string;
  port: number;
  baseUrl: string;
  timezone: string;
}

export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const port = Number(env.PORT || 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got ${env.PORT}`);
  const baseUrl = (env.BASE_URL || `http://localhost:${port}`).replace(/\/$/, '');
  if (!/^https?:\/\/[^/]+/.test(baseUrl)) throw new Error(`BASE_URL must be an absolute http(s) URL such as https://shuping.example.org, got ${env.BASE_URL}`);
  return {
    dataDir: path.resolve(env.DATA_DIR || './data'),
    databaseUrl: env.DATABASE_URL || undefined,
    smtpUrl: env.SMTP_URL || undefined,
    mailFrom: env.MAIL_FROM || '述评系统 <shuping@localhost>',
    port,
    baseUrl,
    timezone: env.TZ_NAME || 'Asia/Shanghai',
  };
}
