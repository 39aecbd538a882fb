// Group robots (群机器人): 企业微信 and 钉钉 take a markdown message POSTed as JSON to their webhook.
// 企业微信: { msgtype: "markdown", markdown: { content } }. 钉钉: { msgtype: "markdown", markdown:
// { title, text } }, and a robot with 加签 wants `timestamp` (ms) and `sign` = URL-encoded Base64 of
// HMAC-SHA256(secret, `${timestamp}\n${secret}`) added to the URL. Both answer HTTP 200 with
// { errcode, errmsg }: errcode 0 is delivered, anything else (or a non-2xx status) is a failure.
import { createHmac } from 'node:crypto';

export type RobotKind = 'wecom' | 'dingtalk';
export interface WebhookTarget { kind: RobotKind; url: string; secret?: string }
export interface GroupMessage { title: string; markdown: string }

export function robotPayload(kind: RobotKind, message: GroupMessage): Record<string, unknown> {
  return kind === 'wecom'
    ? { msgtype: 'markdown', markdown: { content: message.markdown } }
    : { msgtype: 'markdown', markdown: { title: message.title, text: message.markdown } };
}

/** 钉钉 加签: the signature of a timestamp (ms) with the robot's secret, as its documentation computes it. */
export function dingtalkSign(secret: string, timestamp: number): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`, 'utf8').digest('base64');
}

/** The URL to POST to: a signed 钉钉 robot gets timestamp and sign as query parameters. */
export function robotUrl(target: WebhookTarget, timestamp: number): string {
  if (target.kind !== 'dingtalk' || !target.secret) return target.url;
  const url = new URL(target.url);
  url.searchParams.set('timestamp', String(timestamp));
  url.searchParams.set('sign', dingtalkSign(target.secret, timestamp));
  return url.toString();
}

/** Where a message goes, without the token in the URL: for listing the outbox. */
export function robotLabel(target: WebhookTarget): string {
  const url = new URL(target.url);
  return `${target.kind}:${url.host}${url.pathname}`.slice(0, 254);
}

/** Sends one message; throws (with the robot's errcode or the HTTP status) unless it was delivered. */
export async function postToRobot(target: WebhookTarget, message: GroupMessage, now: string, timeoutMs = 15_000): Promise<void> {
  const res = await fetch(robotUrl(target, Date.parse(now)), {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(robotPayload(target.kind, message)),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`HTTP ${res.status}: ${text.slice(0, 300)}`);
  let answer: { errcode?: unknown; errmsg?: unknown };
  try {
    answer = JSON.parse(text);
  } catch {
    throw new Error(`HTTP ${res.status}, not the robot's JSON answer: ${text.slice(0, 300)}`);
  }
  if (answer.errcode !== 0) throw new Error(`errcode ${String(answer.errcode)}: ${String(answer.errmsg ?? '')}`.slice(0, 500));
}

/** An outbox row of the webhook channel carries its target in `attachments` and its message in subject/body_text. */
export function webhookOf(row: { attachments: string | null; subject: string; body_text: string }): { target: WebhookTarget; message: GroupMessage } {
  const target = (JSON.parse(row.attachments ?? '{}') as { webhook?: WebhookTarget }).webhook;
  if (!target) throw new Error('webhook row without a target');
  return { target, message: { title: row.subject, markdown: row.body_text } };
}
