// Runtime settings, all from the environment (README.md: configuration and Deployment; the time zone rule in docs/rules.md).
import net from 'node:net';
import path from 'node:path';

/** What express's 'trust proxy' is given: false (the socket's address), a hop count, or addresses/subnets. */
export type TrustProxy = false | number | string[];

export interface Settings {
  dataDir: string;
  databaseUrl: string | undefined;
  smtpUrl: string | undefined;
  mailFrom: string;
  port: number;
  baseUrl: string;
  timezone: string;
  /** TRUST_PROXY: whose X-Forwarded-For names the client. Unset: nobody's (the socket's address). */
  trustProxy: TrustProxy;
  /** SCHEDULER=off: this process serves pages and the API only, no deadline scheduler nor mail dispatcher. */
  scheduler: boolean;
  /** TICK_SECONDS: how often the scheduler and the dispatcher run (default 60). */
  tickSeconds: number;
  /** LOG_LEVEL: pino's level (default info; silent for none). */
  logLevel: string;
}

const NAMED_RANGES = ['loopback', 'linklocal', 'uniquelocal'];
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** An address, a subnet (address/bits) or one of express's names (loopback, linklocal, uniquelocal). */
function isProxyAddress(entry: string): boolean {
  if (NAMED_RANGES.includes(entry)) return true;
  const [addr, bits, extra] = entry.split('/');
  const family = net.isIP(addr);
  if (!family || extra !== undefined) return false;
  if (bits === undefined) return true;
  return /^[0-9]{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

export function parseTrustProxy(value: string | undefined): TrustProxy {
  const v = (value ?? '').trim();
  if (v === '' || v === 'false' || v === '0') return false;
  if (/^[0-9]{1,2}$/.test(v)) return Number(v);
  const list = v.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = list.filter((e) => !isProxyAddress(e));
  if (bad.length) {
    throw new Error(`TRUST_PROXY must be a hop count (e.g. 1) or a comma-separated list of addresses, subnets or loopback/linklocal/uniquelocal, got ${bad.join(', ')}`);
  }
  return list;
}

export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const port = Number(env.PORT || 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got ${env.PORT}`);
  const baseUrl = (env.BASE_URL || `http://localhost:${port}`).replace(/\/$/, '');
  if (!/^https?:\/\/[^/]+/.test(baseUrl)) throw new Error(`BASE_URL must be an absolute http(s) URL such as https://shuping.example.org, got ${env.BASE_URL}`);
  const scheduler = (env.SCHEDULER || 'on').toLowerCase();
  if (!['on', 'off'].includes(scheduler)) throw new Error(`SCHEDULER must be on or off, got ${env.SCHEDULER}`);
  const tickSeconds = Number(env.TICK_SECONDS || 60);
  if (!(tickSeconds > 0 && tickSeconds <= 86_400)) throw new Error(`TICK_SECONDS must be a number of seconds, got ${env.TICK_SECONDS}`);
  const logLevel = env.LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${env.LOG_LEVEL}`);
  return {
    dataDir: path.resolve(env.DATA_DIR || './data'),
    databaseUrl: env.DATABASE_URL || undefined,
    smtpUrl: env.SMTP_URL || undefined,
    mailFrom: env.MAIL_FROM || '述评系统 <shuping@localhost>',
    port,
    baseUrl,
    timezone: env.TZ_NAME || 'Asia/Shanghai',
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    scheduler: scheduler === 'on',
    tickSeconds,
    logLevel,
  };
}
