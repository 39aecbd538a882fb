// A local HTTP server standing in for the group robots (企业微信 at /wecom, 钉钉 at /dingtalk): it
// checks each message's format as the robots document it, a signed 钉钉 robot's timestamp and sign,
// answers { errcode, errmsg } as they do, and can refuse (errcode ≠ 0) on demand.
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RobotMessage { robot: 'wecom' | 'dingtalk'; body: any; query: URLSearchParams; at: number }

export const DINGTALK_SECRET = 'SEC0123456789abcdef';

export class TestRobots {
  received: RobotMessage[] = [];
  /** Answers errcode ≠ 0 to this robot while set. */
  refuse: { robot: 'wecom' | 'dingtalk'; errcode: number; errmsg: string } | null = null;
  problems: string[] = [];
  private server?: http.Server;
  base = '';

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      let raw = '';
      req.setEncoding('utf8');
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://robot');
        const robot = url.pathname === '/wecom' ? 'wecom' : url.pathname === '/dingtalk' ? 'dingtalk' : null;
        const answer = (errcode: number, errmsg: string) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ errcode, errmsg }));
        };
        if (!robot || req.method !== 'POST') return answer(404, 'no such robot');
        let body: any;
        try {
          body = JSON.parse(raw);
        } catch {
          this.problems.push(`${robot}: body is not JSON`);
          return answer(40008, 'invalid message type');
        }
        const problem = robot === 'wecom' ? checkWecom(body, url) : checkDingtalk(body, url, req.url ?? '');
        if (problem) {
          this.problems.push(`${robot}: ${problem}`);
          return answer(robot === 'dingtalk' && problem.startsWith('sign') ? 310000 : 40008, problem);
        }
        if (this.refuse?.robot === robot) return answer(this.refuse.errcode, this.refuse.errmsg);
        this.received.push({ robot, body, query: url.searchParams, at: Date.now() });
        answer(0, 'ok');
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => this.server?.close(() => r()));
  }

  of(robot: 'wecom' | 'dingtalk'): RobotMessage[] {
    return this.received.filter((m) => m.robot === robot);
  }

  /** The text of a message, whichever robot got it. */
  static text(m: RobotMessage): string {
    return m.robot === 'wecom' ? m.body.markdown.content : m.body.markdown.text;
  }
}

function checkWecom(body: any, url: URL): string | null {
  if (!url.searchParams.get('key')) return 'no key in the webhook URL';
  if (body?.msgtype !== 'markdown') return `msgtype ${body?.msgtype}`;
  if (typeof body.markdown?.content !== 'string' || !body.markdown.content) return 'markdown.content missing';
  if (Buffer.byteLength(body.markdown.content) > 4096) return 'markdown.content over 4096 bytes';
  if (Object.keys(body.markdown).length !== 1) return 'markdown has fields other than content';
  return null;
}

function checkDingtalk(body: any, url: URL, raw: string): string | null {
  if (!url.searchParams.get('access_token')) return 'no access_token';
  // The sign is URL-encoded in the query: Base64's + / = never appear raw.
  if (/[+/=]/.test(/[?&]sign=([^&]*)/.exec(raw)?.[1] ?? '')) return 'sign: not URL-encoded';
  const timestamp = url.searchParams.get('timestamp');
  const sign = url.searchParams.get('sign');
  if (!timestamp || !sign) return 'sign: timestamp or sign missing';
  // As 钉钉's documentation computes it: Base64(HMAC-SHA256(secret, timestamp + "\n" + secret)), URL-encoded.
  const expected = createHmac('sha256', DINGTALK_SECRET).update(`${timestamp}\n${DINGTALK_SECRET}`).digest('base64');
  if (sign !== expected) return `sign mismatch: ${sign} ≠ ${expected}`;
  if (body?.msgtype !== 'markdown') return `msgtype ${body?.msgtype}`;
  if (typeof body.markdown?.title !== 'string' || !body.markdown.title) return 'markdown.title missing';
  if (typeof body.markdown?.text !== 'string' || !body.markdown.text) return 'markdown.text missing';
  return null;
}
