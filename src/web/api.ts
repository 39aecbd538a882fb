// The JSON API. Each route is a plain declaration: its schemas (which validate the request and make
// the OpenAPI document), who may call it, and a `query(frame)` that calls one of the engine's use
// cases and returns data. Routes never touch the response: cookies and downloads are declared in
// what they return (./replies.ts), and src/web/errors.ts maps typed errors to HTTP in one table.
import type { Request, RequestHandler, Router } from 'express';
import multer from 'multer';
import { z } from 'zod';
import '../domain/zodZh';
import { ALL_EXPORT_FORMATS, authorize, EXPORT_KINDS, MAX_UPLOAD_BYTES, type Actor, type BoardOptions, type GlobalAction } from '../engine/index';
import {
  ballotChoiceSchema,
  ballotTokenSchema,
  branchCodeSchema,
  cycleRefSchema,
  deputySchema,
  emailTypedSchema,
  eventTypeSchema,
  fileIdSchema,
  idempotencyKeySchema,
  idText,
  safeText,
  scoreDraftSchema,
} from '../domain/schemas';
import { parseBranchesCsv, parsePanelCsv, rosterText } from '../domain/roster';
import { AppError, fromZod, invalidInput } from '../errors';
import type { Services } from '../services';
import { clearCookie, download, notModified, replyWith, sendFile, tagged, withCookies } from './replies';
import { cookieOptions, LANG_COOKIE, requireViewer, SESSION_COOKIE, type Viewer } from './session';
import { multerError } from './uploads';
import { meetingRoutes } from './meetingRoutes';

type Method = 'get' | 'post' | 'put' | 'delete';

/** What a route's query is given: the request, parsed, and who is asking. */
export interface Frame {
  params: Record<string, string>;
  body: unknown;
  query: Record<string, unknown>;
  files: Express.Multer.File[];
  /** the signed-in viewer (routes that are not public always have one) */
  viewer?: Viewer;
  /** the signed-in actor; throws UNAUTHENTICATED when there is none */
  actor(): Actor;
  idempotencyKey?: string;
  /** If-None-Match, for routes that answer 304 */
  ifNoneMatch?: string;
  /** the client's address, as the proxy setting trusts it */
  client: string;
}

export interface ApiRoute {
  method: Method;
  path: string;
  summary: string;
  /** Whether a sign-in is needed at all. */
  access: 'public' | 'user';
  /**
   * The policy's global action the caller needs, asked before anything is read or parsed (the use
   * case asks again); the policy decides the rest (the branch, the phase) inside the use case.
   */
  requires?: GlobalAction;
  params?: z.ZodType;
  body?: z.ZodType;
  query?: z.ZodType;
  multipart?: string[];
  /** Asked before a multipart body is read, so nobody uploads bytes they may not store. */
  beforeUpload?: (frame: Frame, s: Services) => Promise<void>;
  responses: Record<number, string>;
  status?: number;
  handler: (frame: Frame, s: Services) => Promise<unknown>;
}

/** Years and ids: positive integers that fit every database's integer (src/domain/schemas.ts). */
const cycleRef = cycleRefSchema;
const branchCode = branchCodeSchema;
const cycleParams = z.object({ cycle: cycleRef });
const branchParams = z.object({ cycle: cycleRef, branch: branchCode });
const idParams = z.object({ id: idText() });
const fileParams = z.object({ id: fileIdSchema });
const tokenParams = z.object({ token: ballotTokenSchema });

/** Passwords are safe text too, but never trimmed. */
const password = (min: number) => safeText(200, { trim: false, min });
const sessionBody = z.object({ email: emailTypedSchema, password: password(1) });
const forgotBody = z.object({ email: emailTypedSchema });
const resetBody = z.object({ token: safeText(200), password: password(0) });
const eventBody = z.object({ type: eventTypeSchema, data: z.unknown().optional(), expectedVersion: z.number().int().min(0).max(2 ** 31 - 1).optional() });
const batchBody = z.object({
  events: z
    .array(z.object({ branch: branchCode, type: z.string().max(40), data: z.unknown().optional(), expectedVersion: z.number().int().min(0).max(2 ** 31 - 1).optional(), key: idempotencyKeySchema.optional() }))
    .min(1, '至少一个事件')
    .max(1000, '一次最多 1000 个事件'),
});
/** The board's page, sort and filter, as the dashboard's table asks for them. */
export const boardQuery = z.object({
  offset: z.coerce.number().int().min(0).max(1_000_000).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
  sort: z.enum(['code', 'name', 'phase', 'overdue', 'score', 'grade', 'rank']).optional(),
  dir: z.enum(['asc', 'desc']).optional(),
  q: safeText(100, { min: 0 }).optional(),
  phase: z.string().regex(/^[A-Za-z]{1,40}$/).optional(),
  overdue: z.enum(['1', 'true']).optional(),
}).transform(({ overdue, ...o }) => ({ ...o, overdueOnly: overdue !== undefined }));
const cycleEventBody = z.object({ type: z.literal('PUBLISH_RESULTS') });
const draftBody = scoreDraftSchema;
const localeBody = z.object({ locale: z.enum(['zh-CN', 'en']) });
const deputyBody = z.object({ deputy: deputySchema });
const ballotBody = z.object({ choice: ballotChoiceSchema });
const ballotIssueBody = z.object({ count: z.number().int().min(1).max(1000) });
const unlockBody = z.object({ email: emailTypedSchema });
/** A cycle's configuration is an object; its fields are the engine's to check (cycleConfigSchema). */
const configObject = z.record(z.string(), z.unknown());
const mailQuery = z.object({ status: z.enum(['queued', 'sent', 'dead']).optional() });
const exportQuery = z.object({ kind: z.enum(EXPORT_KINDS), format: z.enum(ALL_EXPORT_FORMATS).optional() });
const auditQuery = z.object({ cycle: cycleRef.optional() });

/** First run, and the office's users page (account roles only: secretaries and evaluators come from cycles). */
const setupBody = z.object({ email: z.email('邮箱格式不正确').max(254), name: safeText(100), password: z.string().min(8, '密码至少 8 位').max(200, '密码过长') });
const accountRoles = z.array(z.enum(['office', 'leader'])).max(2);
const inviteBody = z.object({ email: emailTypedSchema, name: safeText(100), roles: accountRoles.optional() });
const rolesBody = z.object({ roles: accountRoles });

const ok = { 200: 'OK' };
const errs = { 401: 'not signed in', 403: 'not allowed', 404: 'not found', 422: 'invalid input' };

export function parse<T>(schema: z.ZodType<T>, value: unknown, prefix?: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw fromZod(r.error, prefix);
  return r.data;
}

const cycleHead = (c: { id: number; year: number; state: string }) => ({ id: c.id, year: c.year, state: c.state });

export const apiRoutes: ApiRoute[] = [
  {
    method: 'get', path: '/api/health', summary: 'Liveness and database check', access: 'public', responses: ok,
    handler: async (_f, s) => s.engine.health(),
  },
  {
    method: 'post', path: '/api/session', summary: 'Sign in (sets the session cookie)', access: 'public', body: sessionBody,
    responses: { 200: 'signed in', 401: 'wrong email or password', 429: 'too many failures' },
    handler: async (f, s) => {
      const { email, password } = parse(sessionBody, f.body);
      const r = await s.engine.signIn(email, password, f.client);
      const data = { user: { id: r.user.id, email: r.user.email, name: r.user.name, locale: r.user.locale, roles: r.roles }, csrfToken: r.csrf };
      return withCookies(data, [{ name: SESSION_COOKIE, value: r.cookie, options: cookieOptions(s) }]);
    },
  },
  {
    method: 'get', path: '/api/session', summary: 'The signed-in user and the CSRF token', access: 'user', responses: { ...ok, 401: errs[401] },
    handler: async (f) => {
      const v = f.viewer!;
      return { user: { id: v.actor.id, email: v.actor.email, name: v.actor.name, roles: v.actor.roles }, csrfToken: v.csrf };
    },
  },
  {
    method: 'delete', path: '/api/session', summary: 'Sign out', access: 'user', responses: { ...ok, 401: errs[401] },
    handler: async (f, s) => {
      await s.engine.signOut(f.viewer!.cookie);
      return withCookies({ signedOut: true }, [clearCookie(SESSION_COOKIE)]);
    },
  },
  {
    method: 'post', path: '/api/password/forgot', summary: 'Mail a one-time link to reset the password', access: 'public', body: forgotBody, status: 202,
    responses: { 202: 'accepted (whether or not the email is known)' },
    handler: async (f, s) => {
      await s.engine.forgotPassword(parse(forgotBody, f.body).email);
      return { accepted: true };
    },
  },
  {
    method: 'post', path: '/api/password/reset', summary: 'Set a password with a one-time link (invitation or reset)', access: 'public', body: resetBody,
    responses: { ...ok, 404: 'link invalid, used or expired', 422: errs[422] },
    handler: async (f, s) => {
      const { token, password } = parse(resetBody, f.body);
      const user = await s.engine.setPasswordWithToken(token, password);
      return { passwordSet: true, email: user.email };
    },
  },
  {
    method: 'put', path: '/api/me/locale', summary: 'Choose the language of pages and mail', access: 'user', body: localeBody, responses: { ...ok, 401: errs[401] },
    handler: async (f, s) => {
      const { locale } = await s.engine.setLocale(f.actor(), parse(localeBody, f.body).locale);
      return withCookies({ locale }, [{ name: LANG_COOKIE, value: locale, options: { sameSite: 'lax', path: '/' } }]);
    },
  },
  {
    method: 'get', path: '/api/tasks', summary: "The signed-in user's tasks", access: 'user', responses: { ...ok, 401: errs[401] },
    handler: async (f, s) => ({ tasks: await s.engine.tasks(f.actor()) }),
  },
  {
    method: 'get', path: '/api/cycles', summary: 'Cycles the user takes part in (all, for the office and leaders)', access: 'user', responses: { ...ok, 401: errs[401] },
    handler: async (f, s) => ({
      cycles: (await s.engine.visibleCycles(f.actor())).map((c) => ({ id: c.id, year: c.year, title: c.title, state: c.state })),
    }),
  },
  {
    method: 'post', path: '/api/cycles', summary: 'Create a cycle from its JSON configuration', access: 'user', requires: 'CREATE_CYCLE',
    body: configObject, status: 201, responses: { 201: 'created', ...errs },
    handler: async (f, s) => ({ cycle: cycleHead((await s.engine.createCycle(f.body, f.actor())).cycle) }),
  },
  {
    method: 'post', path: '/api/cycles/import', summary: 'Create a cycle from uploaded files: config (JSON), branches and panel (CSV or Excel)', access: 'user', requires: 'CREATE_CYCLE',
    multipart: ['config', 'branches', 'panel'], status: 201, responses: { 201: 'created', ...errs },
    handler: async (f, s) => {
      const byField = new Map(f.files.map((file) => [file.fieldname, file]));
      const configFile = byField.get('config');
      const configText = configFile ? configFile.buffer.toString('utf8') : ((f.body as Record<string, unknown> | undefined)?.configText as string | undefined);
      if (!configText) throw invalidInput([{ field: 'config', message: '请上传周期配置 JSON 文件' }]);
      let config: Record<string, unknown>;
      try {
        config = JSON.parse(configText);
      } catch (err) {
        throw invalidInput([{ field: 'config', message: `不是合法的 JSON：${(err as Error).message}` }]);
      }
      config = parse(configObject, config, 'config');
      const branches = byField.get('branches');
      const panel = byField.get('panel');
      if (branches) config.branches = parseBranchesCsv(await rosterText(branches.originalname, branches.buffer, 'branches'));
      if (panel) config.panel = parsePanelCsv(await rosterText(panel.originalname, panel.buffer, 'panel'));
      return { cycle: cycleHead((await s.engine.createCycle(config, f.actor())).cycle) };
    },
  },
  {
    method: 'post', path: '/api/cycles/:cycle/launch', summary: 'Launch a cycle: every branch notified', access: 'user', requires: 'LAUNCH', params: cycleParams,
    responses: { ...ok, ...errs, 409: 'already launched' },
    handler: async (f, s) => {
      const { cycle, created } = await s.engine.launchCycle(f.params.cycle, f.actor());
      return { cycle: cycleHead(cycle), created };
    },
  },
  {
    method: 'post', path: '/api/cycles/:cycle/events', summary: 'A cycle-wide event (PUBLISH_RESULTS)', access: 'user', requires: 'PUBLISH_RESULTS', params: cycleParams, body: cycleEventBody,
    responses: { ...ok, ...errs, 409: 'not every branch is scored' },
    handler: async (f, s) => {
      parse(cycleEventBody, f.body);
      const { cycle, published } = await s.engine.publishResults(f.params.cycle, f.actor());
      return { cycle: cycleHead(cycle), published };
    },
  },
  {
    method: 'get', path: '/api/cycles/:cycle', summary: 'Cycle status: counts per phase and every branch', access: 'user', requires: 'VIEW_CYCLE', params: cycleParams,
    responses: { ...ok, 304: 'unchanged since the ETag sent in If-None-Match', ...errs },
    query: boardQuery,
    handler: async (f, s) => {
      const opts = f.query as BoardOptions;
      const now = new Date().toISOString();
      const etag = await s.engine.dashboardTag(f.params.cycle, f.actor(), now, opts);
      if (f.ifNoneMatch === etag) return notModified(etag);
      return tagged(await s.engine.dashboard(f.params.cycle, f.actor(), now, opts), etag);
    },
  },
  {
    method: 'get', path: '/api/cycles/:cycle/export', summary: 'Download results or ledger (.xlsx), bulletin (HTML or .docx) or letters (HTML, one .docx, or a zip of one .docx per branch)', access: 'user', requires: 'EXPORT',
    params: cycleParams, query: exportQuery, responses: { 200: 'the document', ...errs, 409: 'results not published yet' },
    handler: async (f, s) => {
      const { kind, format } = parse(exportQuery, f.query);
      return download(await s.engine.exportDocument(f.params.cycle, kind, f.actor(), format));
    },
  },
  {
    method: 'get', path: '/api/cycles/:cycle/branches/:branch', summary: 'One branch review, as the viewer may see it', access: 'user', params: branchParams,
    responses: { ...ok, ...errs },
    handler: async (f, s) => s.engine.branchView(f.params.cycle, f.params.branch, f.actor()),
  },
  {
    method: 'post', path: '/api/cycles/:cycle/branches/:branch/events', summary: 'Send a branch event (Idempotency-Key honoured)', access: 'user',
    params: branchParams, body: eventBody, responses: { ...ok, ...errs, 409: 'EVENT_NOT_ALLOWED or VERSION_CONFLICT' },
    handler: async (f, s) => {
      const body = parse(eventBody, f.body);
      return s.engine.sendBranchEvent({
        cycle: f.params.cycle,
        branch: f.params.branch,
        type: body.type,
        data: body.data,
        actor: f.actor(),
        expectedVersion: body.expectedVersion,
        idempotencyKey: f.idempotencyKey,
      });
    },
  },
  {
    method: 'post', path: '/api/cycles/:cycle/events/batch', summary: 'Many branch events in one transaction, a savepoint each (a stack of paper score sheets)', access: 'user',
    params: cycleParams, body: batchBody, responses: { ...ok, ...errs },
    handler: async (f, s) => {
      const { events } = parse(batchBody, f.body);
      const actor = f.actor();
      const results = await s.engine.sendBranchEvents(
        events.map((e) => ({ cycle: f.params.cycle, branch: e.branch, type: e.type, data: e.data, actor, expectedVersion: e.expectedVersion, idempotencyKey: e.key })),
      );
      return { results: results.map((r, i) => (r.ok ? { line: i + 1, ...r.answer } : { line: i + 1, ...r.error.toJSON() })) };
    },
  },
  {
    method: 'put', path: '/api/cycles/:cycle/branches/:branch/score-draft', summary: "Save the evaluator's draft scores", access: 'user',
    params: branchParams, body: draftBody, responses: { ...ok, ...errs, 409: 'score submitted or scoring closed' },
    handler: async (f, s) => s.engine.saveScoreDraft({ cycle: f.params.cycle, branch: f.params.branch, draft: parse(draftBody, f.body), actor: f.actor() }),
  },
  {
    method: 'put', path: '/api/cycles/:cycle/branches/:branch/deputy', summary: "Name (or with null remove) the deputy who acts for the branch's secretary", access: 'user',
    params: branchParams, body: deputyBody, responses: { ...ok, ...errs, 409: 'branch finished, changed meanwhile, or CONFLICT_OF_INTEREST' },
    handler: async (f, s) => s.engine.setDeputy(f.params.cycle, f.params.branch, parse(deputyBody, f.body).deputy, f.actor()),
  },
  {
    method: 'post', path: '/api/cycles/:cycle/branches/:branch/resend-notice', summary: 'Send the notice again', access: 'user', requires: 'RESEND_NOTICE', params: branchParams,
    responses: { ...ok, ...errs },
    handler: async (f, s) => s.engine.resendNotice(f.params.cycle, f.params.branch, f.actor()),
  },
  {
    method: 'post', path: '/api/cycles/:cycle/branches/:branch/files', summary: 'Upload a file (report material or evidence), 10 MB at most', access: 'user',
    params: branchParams, multipart: ['file'], status: 201, responses: { 201: 'stored', ...errs },
    beforeUpload: (f, s) => s.engine.mayUpload({ cycle: f.params.cycle, branch: f.params.branch, actor: f.actor() }),
    handler: async (f, s) => s.engine.uploadFile({ cycle: f.params.cycle, branch: f.params.branch, actor: f.actor(), file: f.files[0] }),
  },
  {
    method: 'get', path: '/api/files/:id', summary: 'Download an uploaded file (as allowed on its branch)', access: 'user', params: fileParams,
    responses: { 200: 'the file', ...errs },
    handler: async (f, s) => {
      const { row, path } = await s.engine.fileForDownload(f.params.id, f.actor());
      return sendFile({ filename: row.original_name, contentType: row.mime, path });
    },
  },
  {
    method: 'get', path: '/api/mail', summary: 'The outbox: queued, sent and dead letters', access: 'user', requires: 'MAIL_ADMIN', query: mailQuery, responses: { ...ok, ...errs },
    handler: async (f, s) => {
      const { mails } = await s.engine.listMail(f.actor(), parse(mailQuery, f.query));
      return {
        mails: mails.map((m) => ({ id: m.id, to: m.to_email, template: m.template, subject: m.subject, status: m.status, attempts: m.attempts, lastError: m.last_error, createdAt: m.created_at, sentAt: m.sent_at })),
      };
    },
  },
  {
    method: 'post', path: '/api/mail/:id/retry', summary: 'Put a dead letter back in the queue', access: 'user', requires: 'MAIL_ADMIN', params: idParams, responses: { ...ok, ...errs },
    handler: async (f, s) => s.engine.retryMail(Number(f.params.id), f.actor()),
  },
  {
    method: 'post', path: '/api/users/unlock', summary: 'Forget failed sign-ins for an email (解锁)', access: 'user', requires: 'UNLOCK_ACCOUNT', body: unlockBody, responses: { ...ok, ...errs },
    handler: async (f, s) => s.engine.unlockAccount(parse(unlockBody, f.body).email, f.actor()),
  },
  {
    method: 'get', path: '/api/audit/verify', summary: 'Verify the hash chain of the audit (the whole, or one cycle)', access: 'user', requires: 'AUDIT_VERIFY', query: auditQuery,
    responses: { ...ok, ...errs, 409: 'AUDIT_TAMPERED' },
    handler: async (f, s) => s.engine.verifyAudit(f.actor(), parse(auditQuery, f.query).cycle),
  },
  {
    method: 'post', path: '/api/cycles/:cycle/branches/:branch/ballots', summary: 'Issue anonymous democratic-appraisal ballots', access: 'user', requires: 'ISSUE_BALLOTS',
    params: branchParams, body: ballotIssueBody, status: 201, responses: { 201: 'issued', ...errs },
    handler: async (f, s) => s.engine.issueBallots({ cycle: f.params.cycle, branch: f.params.branch, count: parse(ballotIssueBody, f.body).count, actor: f.actor() }),
  },
  {
    method: 'post', path: '/api/ballots/:token', summary: 'Cast a ballot (no sign-in; once per token)', access: 'public', params: tokenParams, body: ballotBody,
    responses: { ...ok, 404: 'unknown ballot', 409: 'BALLOT_USED', 422: errs[422] },
    handler: async (f, s) => s.engine.castBallot(f.params.token, parse(ballotBody, f.body).choice),
  },
  {
    method: 'post', path: '/api/setup', summary: 'First run: create the first office account (only while nobody has an account)', access: 'public', body: setupBody, status: 201,
    responses: { 201: 'set up', 409: 'ALREADY_SET_UP', 422: errs[422] },
    handler: async (f, s) => s.engine.setUp(parse(setupBody, f.body)),
  },
  {
    method: 'get', path: '/api/users', summary: 'People, their roles, whether active, invited or locked, and the branches they are deputy for', access: 'user', requires: 'MANAGE_USERS',
    responses: { ...ok, ...errs },
    handler: async (f, s) => ({ users: await s.engine.listUsers(f.actor()) }),
  },
  {
    method: 'post', path: '/api/users', summary: 'Invite a person (mailed a one-time link), optionally with account roles', access: 'user', requires: 'MANAGE_USERS', body: inviteBody, status: 201,
    responses: { 201: 'invited', ...errs },
    handler: async (f, s) => s.engine.inviteUser(parse(inviteBody, f.body), f.actor()),
  },
  {
    method: 'put', path: '/api/users/:id/roles', summary: "Set a person's account roles (office, leader)", access: 'user', requires: 'MANAGE_USERS', params: idParams, body: rolesBody,
    responses: { ...ok, ...errs },
    handler: async (f, s) => s.engine.setUserRoles(Number(f.params.id), parse(rolesBody, f.body), f.actor()),
  },
  {
    method: 'post', path: '/api/users/:id/deactivate', summary: 'Deactivate an account (never deleted): no sign-in, sessions ended', access: 'user', requires: 'MANAGE_USERS', params: idParams,
    responses: { ...ok, ...errs },
    handler: async (f, s) => s.engine.setUserActive(Number(f.params.id), false, f.actor()),
  },
  {
    method: 'post', path: '/api/users/:id/reactivate', summary: 'Make a deactivated account active again', access: 'user', requires: 'MANAGE_USERS', params: idParams,
    responses: { ...ok, ...errs },
    handler: async (f, s) => s.engine.setUserActive(Number(f.params.id), true, f.actor()),
  },
  {
    method: 'post', path: '/api/users/:id/invitation', summary: 'Mail a new invitation link (older unused ones revoked)', access: 'user', requires: 'MANAGE_USERS', params: idParams,
    responses: { ...ok, ...errs },
    handler: async (f, s) => s.engine.resendInvitation(Number(f.params.id), f.actor()),
  },
  {
    method: 'delete', path: '/api/files/:id', summary: 'Remove an uploaded file (to replace it) while the materials are being prepared', access: 'user', params: fileParams,
    responses: { ...ok, ...errs, 409: 'materials submitted or accepted' },
    handler: async (f, s) => s.engine.removeFile(f.params.id, f.actor()),
  },
  // the meeting day and problems followed to closure (issue 10): ./meetingRoutes.ts
  ...meetingRoutes,
  {
    method: 'get', path: '/api/templates/branches.xlsx', summary: 'The branch list template (Excel: header row, an example row, the columns explained)', access: 'user', requires: 'CREATE_CYCLE',
    responses: { 200: 'the template', 401: errs[401], 403: errs[403] },
    handler: async (f, s) => bytes(await s.engine.rosterTemplate('branches', f.actor())),
  },
  {
    method: 'get', path: '/api/templates/panel.xlsx', summary: 'The panel list template (Excel: header row, an example row, the columns explained)', access: 'user', requires: 'CREATE_CYCLE',
    responses: { 200: 'the template', 401: errs[401], 403: errs[403] },
    handler: async (f, s) => bytes(await s.engine.rosterTemplate('panel', f.actor())),
  },
  {
    method: 'get', path: '/api/cycles/:cycle/draft', summary: "A draft cycle's whole configuration, and what launching it will do (notices, invitations, deadlines already past)", access: 'user', requires: 'CREATE_CYCLE',
    params: cycleParams, responses: { ...ok, ...errs, 409: 'not a draft' },
    handler: async (f, s) => s.engine.draftView(f.params.cycle, f.actor()),
  },
  {
    method: 'put', path: '/api/cycles/:cycle/draft', summary: "Replace a draft's configuration (JSON in config or configText) and roster (branches, panel: CSV or Excel)", access: 'user', requires: 'CREATE_CYCLE',
    params: cycleParams, multipart: ['config', 'branches', 'panel'], responses: { ...ok, ...errs, 409: 'not a draft, or changed meanwhile' },
    handler: async (f, s) => ({ cycle: cycleHead((await s.engine.updateDraft(f.params.cycle, await configFromUpload(f), f.actor())).cycle) }),
  },
  {
    method: 'delete', path: '/api/cycles/:cycle', summary: 'Delete a draft cycle (marked deleted; its audit records stay)', access: 'user', requires: 'CREATE_CYCLE',
    params: cycleParams, responses: { ...ok, ...errs, 409: 'not a draft' },
    handler: async (f, s) => s.engine.deleteDraft(f.params.cycle, f.actor()),
  },
];

/** A document already in memory (a template), as a download. */
const bytes = (file: { filename: string; contentType: string; body: Buffer }) =>
  download({ filename: file.filename, contentType: file.contentType, write: async (out) => void out.end(file.body) });

/** A cycle's configuration from the wizard's upload: JSON (a file or text), with the roster from CSV or Excel files when given. */
async function configFromUpload(f: Frame): Promise<Record<string, unknown>> {
  const byField = new Map(f.files.map((file) => [file.fieldname, file]));
  const configFile = byField.get('config');
  const configText = configFile ? configFile.buffer.toString('utf8') : ((f.body as Record<string, unknown> | undefined)?.configText as string | undefined);
  if (!configText) throw invalidInput([{ field: 'config', message: '缺少周期配置' }]);
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(configText);
  } catch {
    throw invalidInput([{ field: 'config', message: '周期配置不是合法的 JSON' }]);
  }
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw invalidInput([{ field: 'config', message: '周期配置须为一组字段' }]);
  const branches = byField.get('branches');
  const panel = byField.get('panel');
  if (branches) config.branches = parseBranchesCsv(await rosterText(branches.originalname, branches.buffer, 'branches'));
  if (panel) config.panel = parsePanelCsv(await rosterText(panel.originalname, panel.buffer, 'panel'));
  return config;
}

/** Multipart with hard limits; only the route's own file fields are accepted. */
function multipart(fields: string[]): RequestHandler {
  const parse = multer({ storage: multer.memoryStorage(), limits: { fileSize: MAX_UPLOAD_BYTES, files: fields.length, fields: 10 } }).any();
  return (req, res, next) =>
    parse(req, res, (err?: unknown) => {
      if (err) return next(multerError(err));
      const stray = ((req.files as Express.Multer.File[] | undefined) ?? []).find((f) => !fields.includes(f.fieldname));
      next(stray ? invalidInput([{ field: stray.fieldname, message: '未知的上传字段' }]) : undefined);
    });
}

/**
 * The request as the route declared it, validated once at the edge: path parameters, the query (none
 * unless declared), the JSON body when the route declares one, and the Idempotency-Key header.
 */
function frameOf(req: Request, route: ApiRoute): Frame {
  const params = route.params ? (parse(route.params, req.params) as Record<string, string>) : (req.params as Record<string, string>);
  const query = route.query ? (parse(route.query, req.query) as Record<string, unknown>) : {};
  const body = route.body ? parse(route.body, req.body) : req.body;
  const key = req.get('idempotency-key');
  return {
    params,
    body,
    query,
    files: (req.files as Express.Multer.File[] | undefined) ?? [],
    viewer: req.viewer,
    actor: () => requireViewer(req).actor,
    idempotencyKey: key === undefined ? undefined : parse(idempotencyKeySchema, key, 'Idempotency-Key'),
    ifNoneMatch: req.get('if-none-match')?.slice(0, 200),
    client: req.ip ?? 'unknown',
  };
}

/** Mounts the routes: who may call, then (for uploads) may they upload here, then the body, then the query. */
export function mountApi(router: Router, services: Services): void {
  for (const route of apiRoutes) {
    const gate: RequestHandler = async (req, _res, next) => {
      try {
        if (route.access !== 'public') requireViewer(req);
        if (route.requires) authorize(requireViewer(req).actor, route.requires);
        if (route.beforeUpload) await route.beforeUpload(frameOf(req, route), services);
        next();
      } catch (err) {
        next(err);
      }
    };
    const run: RequestHandler = async (req, res, next) => {
      try {
        const result = await route.handler(frameOf(req, route), services);
        replyWith(res, route.status ?? 200, result);
      } catch (err) {
        next(err);
      }
    };
    router[route.method](route.path, gate, ...(route.multipart ? [multipart(route.multipart)] : []), run);
  }
}

