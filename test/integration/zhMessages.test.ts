// Acceptance: what a zh-CN reader is told — API errors and pages — never shows a statechart's codes
// (improvementPlanning, SUBMIT_SCORE) or a validator's English ("Invalid input", "expected object").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CYCLE_STATES, EVENT_META, CYCLE_EVENT_META, PHASES } from '../../workflows/index';
import { localizeMessage } from '../../src/web/i18n';
import { driver, sheet } from '../support/cycle';
import { makeTestEnv, type TestEnv } from '../support/db';
import { call, setPasswords, signIn, startServer, type HttpServer, type Session } from '../support/http';

const CODES = [...new Set([...PHASES, ...CYCLE_STATES, 'presenting', 'questioning', ...Object.keys(EVENT_META), ...Object.keys(CYCLE_EVENT_META)])];
const CODE_RE = new RegExp(`\\b(${CODES.join('|')})\\b`);
/** Codes that are no English word (improvementPlanning, SUBMIT_SCORE): not even the English hint may show them. */
const CODE_ONLY_RE = new RegExp(`\\b(${CODES.filter((c) => /[A-Z_]/.test(c)).join('|')})\\b`);
const VALIDATOR_RE = /Invalid input|expected \w+|received \w+|Required|String must|Expected|Too (small|big)/;

/** Every text a person reads of an error answer: the message and each issue's message. */
function texts(json: any): string[] {
  const e = json?.error ?? {};
  return [e.message ?? '', ...((e.details?.issues ?? []) as { message: string }[]).map((i) => i.message)];
}

/** The visible text of a page: no scripts (the messages catalogue is data), no tags or attributes. */
const visible = (html: string) =>
  html.replace(/<script[\s\S]*?<\/script>/g, ' ').replace(/<template[\s\S]*?<\/template>/g, ' ').replace(/<[^>]+>/g, ' ').replace(/&[a-z]+;|&#\d+;/g, ' ');

describe('zh-CN messages use the glossary, not codes or validator English', () => {
  let env: TestEnv;
  let http: HttpServer;
  let office: Session;
  let secretary: Session;
  let evaluator: Session;

  beforeAll(async () => {
    env = await makeTestEnv('sqlite');
    await driver(env.services).create('2020-11-19T02:00:00Z');
    await driver(env.services).launch('2020-11-20T02:00:00Z');
    await setPasswords(env.services);
    http = await startServer(env.services);
    office = await signIn(http.base, 'office@example.org');
    secretary = await signIn(http.base, 'b01@example.org');
    evaluator = await signIn(http.base, 'panel1@example.org');
  });
  afterAll(async () => {
    await http?.close();
    await env?.cleanup();
  });

  const ev = '/api/cycles/2020/branches/B01/events';
  const cases: [string, () => Session | undefined, string, string, unknown, number][] = [
    ['an event the phase does not take', () => office, 'POST', ev, { type: 'ACCEPT_MATERIALS' }, 409],
    ['a score in the wrong phase', () => evaluator, 'POST', ev, { type: 'SUBMIT_SCORE', data: { scores: sheet(90) } }, 409],
    ['an event of another role', () => secretary, 'POST', ev, { type: 'EXEMPT', data: { reason: '撤并' } }, 403],
    ['a cycle-wide event on a branch', () => office, 'POST', ev, { type: 'PUBLISH_RESULTS' }, 422],
    ['an unknown event', () => office, 'POST', ev, { type: 'NOPE' }, 422],
    ['no body at all', () => office, 'POST', ev, {}, 422],
    ['data missing', () => office, 'POST', ev, { type: 'EXEMPT' }, 422],
    ['data of the wrong type', () => office, 'POST', ev, { type: 'EXEMPT', data: { reason: 42 } }, 422],
    ['a launch of a launched cycle', () => office, 'POST', '/api/cycles/2020/launch', undefined, 409],
    ['publishing too early', () => office, 'POST', '/api/cycles/2020/events', { type: 'PUBLISH_RESULTS' }, 409],
    ['a cycle without anything', () => office, 'POST', '/api/cycles', {}, 422],
    ['a deputy without fields', () => office, 'PUT', '/api/cycles/2020/branches/B01/deputy', { deputy: {} }, 422],
    ['a sign-in without fields', () => undefined, 'POST', '/api/session', {}, 422],
    ['a draft with a string score', () => evaluator, 'PUT', '/api/cycles/2020/branches/B01/score-draft', { scores: { a: 'x' } }, 422],
    ['a ballot with an unknown choice', () => undefined, 'POST', '/api/ballots/abcdefghijkl', {}, 422],
  ];

  it.each(cases)('%s', async (_name, who, method, path, body, status) => {
    const a = await call(http.base, method, path, { session: who(), body });
    expect(a.status, a.text).toBe(status);
    for (const t of texts(a.json)) {
      expect(t, a.text).not.toMatch(CODE_ONLY_RE);
      expect(localizeMessage(t, 'zh-CN'), a.text).not.toMatch(CODE_RE);
      expect(t, a.text).not.toMatch(VALIDATOR_RE);
      expect(t, a.text).toMatch(/[\u4e00-\u9fff]/);
    }
    // Programs still read the codes.
    if (a.json.error.code === 'EVENT_NOT_ALLOWED' && path === ev) {
      expect(a.json.error.details.state).toBe('notified');
      expect(a.json.error.details.allowedEvents).toContain('ACKNOWLEDGE');
    }
  });

  it('names the phase and the event by their Chinese names', async () => {
    const a = await call(http.base, 'POST', ev, { session: office, body: { type: 'ACCEPT_MATERIALS' } });
    expect(a.json.error.message).toContain('「已通知」');
    expect(a.json.error.message).toContain('「材料通过」');
    expect(a.json.error.message).toContain('「免于述评」');
  });

  it.each([
    ['office', '/cycles'],
    ['office', '/cycles/2020'],
    ['office', '/cycles/2020/branches/B01'],
    ['office', '/cycles/2020/branches/NOPE'],
    ['office', '/mail'],
    ['office', '/dashboard'],
    ['secretary', '/tasks'],
    ['secretary', '/cycles/2020/branches/B01'],
    ['evaluator', '/tasks'],
  ])('the %s page %s shows no code', async (who, path) => {
    const session = { office, secretary, evaluator }[who as 'office']!;
    const a = await call(http.base, 'GET', path, { session });
    expect(a.status).toBeLessThan(500);
    const text = visible(a.text);
    expect(text).not.toMatch(CODE_RE);
    expect(text).not.toMatch(VALIDATOR_RE);
  });
});
