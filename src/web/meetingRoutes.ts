// Routes of the meeting day and of problems followed to closure (issue 10), declared as api.ts
// declares its routes (and spread into its list): schemas, access, the policy's action, a handler.
import { z } from 'zod';
import { branchCodeSchema, cycleRefSchema, emailTypedSchema, idText, linkTokenSchema, safeText, scoreDraftSchema } from '../domain/schemas';
import { fromZod } from '../errors';
import type { ApiRoute } from './api';
import { followMeeting } from './meetingStream';

function parse<T>(schema: z.ZodType<T>, value: unknown, prefix?: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw fromZod(r.error, prefix);
  return r.data;
}

const cycleParams = z.object({ cycle: cycleRefSchema });
const branchParams = z.object({ cycle: cycleRefSchema, branch: branchCodeSchema });
const problemParams = z.object({ cycle: cycleRefSchema, branch: branchCodeSchema, id: idText() });
const hallParams = z.object({ token: linkTokenSchema });
const linkParams = z.object({ token: linkTokenSchema });
const linkBranchParams = z.object({ token: linkTokenSchema, branch: branchCodeSchema });
const panelLinkParams = z.object({ cycle: cycleRefSchema, id: idText() });
/** The office issues every member's link, or one member's (by email). */
export const panelLinksBody = z.object({ email: emailTypedSchema.optional() });
/** A score through a link: SUBMIT_SCORE's data (checked against the rubric by the engine), with the version the form was read at. */
export const linkScoreBody = z.object({ scores: z.record(z.string().max(60), z.number()), comment: safeText(2000, { min: 0, trim: false }).optional(), expectedVersion: z.number().int().min(0).max(2 ** 31 - 1).optional() });
const ok = { 200: 'OK' };
const errs = { 401: 'not signed in', 403: 'not allowed', 404: 'not found', 422: 'invalid input' };

/** One command of the meeting runner (the engine checks each command's own fields). */
export const meetingBody = z.object({
  command: z.enum(['order', 'group', 'select', 'start', 'pause', 'next', 'remarks']),
  codes: z.array(branchCodeSchema).max(10_000).optional(),
  bySegment: z.boolean().optional(),
  code: branchCodeSchema.optional(),
  text: safeText(20_000).optional(),
  expectedVersion: z.number().int().min(0).max(2 ** 31 - 1).optional(),
});
export const problemBody = z.object({
  category: safeText(100),
  /** the page's source picker: `qa:N` or `comment:N` (the same as fromQa / fromComment) */
  from: z.string().regex(/^(qa|comment):[0-9]{1,5}$/, '来源不正确').optional(),
  text: safeText(2000).optional(),
  fromQa: z.number().int().min(0).max(10_000).optional(),
  fromComment: z.number().int().min(0).max(10_000).optional(),
});

const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

export const meetingRoutes: ApiRoute[] = [
  {
    method: 'get', path: '/api/cycles/:cycle/meeting', summary: "The meeting runner's view: agenda, current branch and segment, timer instants, Q&A, quorum (who scored, never what)",
    access: 'user', requires: 'RUN_MEETING', params: cycleParams, responses: { ...ok, ...errs },
    handler: async (f, s) => s.engine.meetingView(f.params.cycle, f.actor()),
  },
  {
    method: 'post', path: '/api/cycles/:cycle/meeting', summary: 'A command of the meeting runner: order, group, select, start, pause, next, remarks (总结讲话)',
    access: 'user', requires: 'RUN_MEETING', params: cycleParams, body: meetingBody, responses: { ...ok, ...errs, 409: 'VERSION_CONFLICT or the cycle is not running' },
    handler: async (f, s) => {
      const { expectedVersion, ...command } = parse(meetingBody, f.body);
      return s.engine.meetingCommand(f.params.cycle, defined(command), f.actor(), { expectedVersion });
    },
  },
  {
    method: 'get', path: '/api/cycles/:cycle/meeting/stream', summary: "Server-sent events: the runner's view whenever it changes (event `meeting`), with heartbeats",
    access: 'user', requires: 'RUN_MEETING', params: cycleParams, responses: { 200: 'text/event-stream', ...errs },
    handler: async (f, s) => {
      const actor = f.actor();
      await s.engine.meetingFingerprint(f.params.cycle, actor);
      return followMeeting({
        fingerprint: () => s.engine.meetingFingerprint(f.params.cycle, actor),
        view: () => s.engine.meetingView(f.params.cycle, actor),
        subscribe: (wake) => s.engine.onMeetingChange(() => wake()),
      });
    },
  },
  {
    method: 'post', path: '/api/cycles/:cycle/meeting/displays', summary: 'Issue a hall display link (大屏链接): read-only, no sign-in, revocable', status: 201,
    access: 'user', requires: 'RUN_MEETING', params: cycleParams, responses: { 201: 'issued', ...errs },
    handler: async (f, s) => {
      const { url } = await s.engine.issueDisplay(f.params.cycle, f.actor());
      return { url };
    },
  },
  {
    method: 'delete', path: '/api/cycles/:cycle/meeting/displays', summary: "Revoke every display link of the cycle's meeting",
    access: 'user', requires: 'RUN_MEETING', params: cycleParams, responses: { ...ok, ...errs },
    handler: async (f, s) => s.engine.revokeDisplayLinks(f.params.cycle, f.actor()),
  },
  {
    method: 'get', path: '/api/hall/:token', summary: 'What the hall display shows: current branch and speaker, segment, timer instants, who is next (nothing confidential)',
    access: 'public', params: hallParams, responses: { ...ok, 404: 'link unknown or revoked' },
    handler: async (f, s) => s.engine.hallView(f.params.token),
  },
  {
    method: 'get', path: '/api/hall/:token/stream', summary: 'Server-sent events for the hall display: its view whenever the meeting changes; `gone` once the link is revoked',
    access: 'public', params: hallParams, responses: { 200: 'text/event-stream', 404: 'link unknown or revoked' },
    handler: async (f, s) => {
      const token = f.params.token;
      await s.engine.hallFingerprint(token);
      return followMeeting({
        fingerprint: () => s.engine.hallFingerprint(token),
        view: () => s.engine.hallView(token),
        subscribe: (wake) => s.engine.onMeetingChange(() => wake()),
      });
    },
  },
  {
    method: 'get', path: '/api/cycles/:cycle/branches/:branch/problems', summary: "A branch's problem list: categories, repeats (屡查屡犯), items, carried-over items; for the office, evidence used twice",
    access: 'user', params: branchParams, responses: { ...ok, ...errs },
    handler: async (f, s) => s.engine.branchProblems(f.params.cycle, f.params.branch, f.actor()),
  },
  {
    method: 'post', path: '/api/cycles/:cycle/branches/:branch/problems', summary: 'Raise a problem for a branch: from a Q&A line (fromQa), a panel comment (fromComment) or by hand', status: 201,
    access: 'user', requires: 'MANAGE_PROBLEMS', params: branchParams, body: problemBody, responses: { 201: 'raised', ...errs, 409: 'the plan is submitted' },
    handler: async (f, s) => {
      const { from, ...body } = parse(problemBody, f.body);
      const [kind, n] = from ? from.split(':') : [];
      const source = kind === 'qa' ? { fromQa: Number(n) } : kind === 'comment' ? { fromComment: Number(n) } : {};
      return s.engine.addProblem(f.params.cycle, f.params.branch, defined({ ...body, ...source }), f.actor());
    },
  },
  {
    method: 'delete', path: '/api/cycles/:cycle/branches/:branch/problems/:id', summary: 'Withdraw a problem raised by mistake (kept, marked removed)',
    access: 'user', requires: 'MANAGE_PROBLEMS', params: problemParams, responses: { ...ok, ...errs, 409: 'the plan is submitted' },
    handler: async (f, s) => s.engine.removeProblem(f.params.cycle, f.params.branch, Number(f.params.id), f.actor()),
  },
  {
    method: 'get', path: '/api/cycles/:cycle/evidence/duplicates', summary: 'Evidence files (by SHA-256) used for two branches or two items',
    access: 'user', requires: 'CHECK_EVIDENCE', params: cycleParams, responses: { ...ok, ...errs },
    handler: async (f, s) => s.engine.duplicateEvidence(f.params.cycle, f.actor()),
  },
  {
    method: 'post', path: '/api/cycles/:cycle/panel-links', summary: "Issue (reissue) the panel's scoring links, or one member's: each with its URL, expiry and QR code (SVG); older links revoked", status: 201,
    access: 'user', requires: 'ISSUE_PANEL_LINKS', params: cycleParams, body: panelLinksBody, responses: { 201: 'issued', ...errs, 409: 'the cycle is not running' },
    handler: async (f, s) => s.engine.issuePanelLinks(f.params.cycle, f.actor(), { email: parse(panelLinksBody, f.body ?? {}).email }),
  },
  {
    method: 'get', path: '/api/cycles/:cycle/panel-links', summary: 'Who on the panel holds a live scoring link, and until when',
    access: 'user', requires: 'ISSUE_PANEL_LINKS', params: cycleParams, responses: { ...ok, ...errs },
    handler: async (f, s) => s.engine.panelLinkStatus(f.params.cycle, f.actor()),
  },
  {
    method: 'delete', path: '/api/cycles/:cycle/panel-links/:id', summary: "Revoke a panel member's scoring link (by user id)",
    access: 'user', requires: 'ISSUE_PANEL_LINKS', params: panelLinkParams, responses: { ...ok, ...errs },
    handler: async (f, s) => s.engine.revokePanelLink(f.params.cycle, f.actor(), Number(f.params.id)),
  },
  {
    method: 'get', path: '/api/panel/:token', summary: "A scoring link's home: its evaluator and the branches they are to score (回避 applied)",
    access: 'public', params: linkParams, responses: { ...ok, 403: 'revoked, expired, or results published', 404: 'unknown link' },
    handler: async (f, s) => s.engine.panelHome(f.params.token),
  },
  {
    method: 'get', path: '/api/panel/:token/branches/:branch', summary: "A branch's score form through a scoring link (the rubric, the evaluator's own draft or score)",
    access: 'public', params: linkBranchParams, responses: { ...ok, 403: 'not expected to score it, or the link is no longer valid', 404: 'unknown link or branch' },
    handler: async (f, s) => s.engine.panelBranch(f.params.token, f.params.branch),
  },
  {
    method: 'post', path: '/api/panel/:token/branches/:branch/score', summary: 'Submit a score through a scoring link (SUBMIT_SCORE as the link\'s evaluator; Idempotency-Key honoured)',
    access: 'public', params: linkBranchParams, body: linkScoreBody, responses: { ...ok, 403: 'not allowed', 404: 'unknown link or branch', 409: 'EVENT_NOT_ALLOWED or VERSION_CONFLICT', 422: 'invalid input' },
    handler: async (f, s) => {
      const { expectedVersion, ...data } = parse(linkScoreBody, f.body);
      return s.engine.scoreByLink({ token: f.params.token, branch: f.params.branch, data, expectedVersion, idempotencyKey: f.idempotencyKey });
    },
  },
  {
    method: 'put', path: '/api/panel/:token/branches/:branch/draft', summary: "Save the evaluator's draft scores through a scoring link",
    access: 'public', params: linkBranchParams, body: scoreDraftSchema, responses: { ...ok, 403: 'not allowed', 404: 'unknown link or branch', 409: 'score submitted or scoring closed', 422: 'invalid input' },
    handler: async (f, s) => s.engine.draftByLink({ token: f.params.token, branch: f.params.branch, draft: parse(scoreDraftSchema, f.body) }),
  },
  {
    method: 'get', path: '/api/cycles/:cycle/repeats', summary: 'Branches with a problem category raised again from an earlier cycle (屡查屡犯)',
    access: 'user', requires: 'VIEW_CYCLE', params: cycleParams, responses: { ...ok, ...errs },
    handler: async (f, s) => ({ repeats: await s.engine.repeatFlags(f.params.cycle, f.actor()) }),
  },
];
