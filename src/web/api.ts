// The JSON API (DESIGN.md: HTTP). Each route is declared once with its schemas, so the same
// declaration validates requests and produces the OpenAPI document.
import fs from 'node:fs';
import type { Request, RequestHandler, Response, Router } from 'express';
import multer from 'multer';
import { z } from 'zod';
import { forgotPassword, setPasswordWithToken, signIn, signOut } from '../engine/accounts';
import { castBallotByToken, issueBallots } from '../engine/ballots';
import { EXPORT_KINDS, exportDocument } from '../engine/exports';
import { branchView, dashboard, readableBranch, requireCycleFor, tasksFor, visibleCycles } from '../engine/views';
import { ballotChoiceSchema, eventTypeSchema } from '../domain/schemas';
import { parseBranchesCsv, parsePanelCsv, rosterText } from '../domain/roster';
import { AppError, fromZod, invalidInput } from '../errors';
import type { Services } from '../services';
import { listMails, requeueMail } from '../store/outbox';
import { getBranchReview } from '../store/branchReviews';
import { setLocale } from '../store/users';
import { getFile, insertFile, saveScoreDraft } from '../store/web';
import { cookieOptions, LANG_COOKIE, requireViewer, SESSION_COOKIE } from './session';
import { MAX_UPLOAD_BYTES, multerError, removeUpload, storeUpload, uploadPath } from './uploads';

type Method = 'get' | 'post' | 'put' | 'delete';

export interface ApiRoute {
  method: Method;
  path: string;
  summary: string;
  /** Who may call it; the handler checks the branch. */
  access: 'public' | 'user' | 'office' | 'office+leader';
  body?: z.ZodType;
  query?: z.ZodType;
  multipart?: string[];
  responses: Record<number, string>;
  status?: number;
  handler: (req: Request, res: Response, s: Services) => Promise<unknown>;
}

const now = () => new Date().toISOString();

const sessionBody = z.object({ email: z.string().min(1), password: z.string().min(1) });
const forgotBody = z.object({ email: z.string().min(1) });
const resetBody = z.object({ token: z.string().min(1), password: z.string() });
const eventBody = z.object({ type: eventTypeSchema, data: z.unknown().optional(), expectedVersion: z.number().int().optional() });
const cycleEventBody = z.object({ type: z.literal('PUBLISH_RESULTS') });
const draftBody = z.object({ scores: z.record(z.string(), z.number().nullable()), comment: z.string().max(2000).optional() });
const localeBody = z.object({ locale: z.enum(['zh-CN', 'en']) });
const deputyBody = z.object({ deputy: z.object({ email: z.email('邮箱格式不正确'), name: z.string().trim().min(1).max(100) }).nullable() });
const ballotBody = z.object({ choice: ballotChoiceSchema });
const ballotIssueBody = z.object({ count: z.number().int().min(1).max(1000) });
const mailQuery = z.object({ status: z.enum(['queued', 'sent', 'dead']).optional() });
const exportQuery = z.object({ kind: z.enum(EXPORT_KINDS) });

const ok = { 200: 'OK' };
const errs = { 401: 'not signed in', 403: 'not allowed', 404: 'not found', 422: 'invalid input' };

function parse<T>(schema: z.ZodType<T>, value: unknown, prefix?: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw fromZod(r.error, prefix);
  return r.data;
}

/** Express 5 types a path parameter as string | string[]; ours are single segments. */
export const param = (req: Request, name: string): string => String(req.params[name]);

function actorOf(req: Request) {
  return requireViewer(req).actor;
}

function requireOffice(req: Request) {
  const actor = actorOf(req);
  if (!actor.roles.includes('office')) throw new AppError('FORBIDDEN', '仅党委办公室可以操作 (office only)');
  return actor;
}

export const apiRoutes: ApiRoute[] = [
  {
    method: 'get', path: '/api/health', summary: 'Liveness and database check', access: 'public', responses: ok,
    handler: async (_req, _res, s) => {
      await s.db.raw('select 1');
      return { status: 'ok', database: s.db.client.config.client === 'pg' ? 'postgresql' : 'sqlite' };
    },
  },
  {
    method: 'post', path: '/api/session', summary: 'Sign in (sets the session cookie)', access: 'public', body: sessionBody,
    responses: { 200: 'signed in', 401: 'wrong email or password', 429: 'too many failures' },
    handler: async (req, res, s) => {
      const { email, password } = parse(sessionBody, req.body);
      const r = await signIn(s.db, email, password, req.ip ?? 'unknown');
      res.cookie(SESSION_COOKIE, r.cookie, cookieOptions(s));
      return { user: { id: r.user.id, email: r.user.email, name: r.user.name, locale: r.user.locale, roles: r.roles }, csrfToken: r.csrf };
    },
  },
  {
    method: 'get', path: '/api/session', summary: 'The signed-in user and the CSRF token', access: 'user', responses: { ...ok, 401: errs[401] },
    handler: async (req) => {
      const v = requireViewer(req);
      return { user: { id: v.actor.id, email: v.actor.email, name: v.actor.name, roles: v.actor.roles }, csrfToken: v.csrf };
    },
  },
  {
    method: 'delete', path: '/api/session', summary: 'Sign out', access: 'user', responses: { ...ok, 401: errs[401] },
    handler: async (req, res, s) => {
      await signOut(s.db, requireViewer(req).cookie);
      res.clearCookie(SESSION_COOKIE, { path: '/' });
      return { signedOut: true };
    },
  },
  {
    method: 'post', path: '/api/password/forgot', summary: 'Mail a one-time link to reset the password', access: 'public', body: forgotBody, status: 202,
    responses: { 202: 'accepted (whether or not the email is known)' },
    handler: async (req, _res, s) => {
      await forgotPassword(s.db, parse(forgotBody, req.body).email, { baseUrl: s.settings.baseUrl, mailFrom: s.settings.mailFrom });
      return { accepted: true };
    },
  },
  {
    method: 'post', path: '/api/password/reset', summary: 'Set a password with a one-time link (invitation or reset)', access: 'public', body: resetBody,
    responses: { ...ok, 404: 'link invalid, used or expired', 422: errs[422] },
    handler: async (req, _res, s) => {
      const { token, password } = parse(resetBody, req.body);
      const user = await setPasswordWithToken(s.db, token, password);
      return { passwordSet: true, email: user.email };
    },
  },
  {
    method: 'put', path: '/api/me/locale', summary: 'Choose the language of pages and mail', access: 'user', body: localeBody, responses: { ...ok, 401: errs[401] },
    handler: async (req, res, s) => {
      const { locale } = parse(localeBody, req.body);
      await setLocale(s.db, requireViewer(req).actor.id!, locale);
      res.cookie(LANG_COOKIE, locale, { sameSite: 'lax', path: '/' });
      return { locale };
    },
  },
  {
    method: 'get', path: '/api/tasks', summary: "The signed-in user's tasks", access: 'user', responses: { ...ok, 401: errs[401] },
    handler: async (req, _res, s) => ({ tasks: await tasksFor(s.db, actorOf(req), now()) }),
  },
  {
    method: 'get', path: '/api/cycles', summary: 'Cycles the user takes part in (all, for the office and leaders)', access: 'user', responses: { ...ok, 401: errs[401] },
    handler: async (req, _res, s) => ({
      cycles: (await visibleCycles(s.db, actorOf(req))).map((c) => ({ id: c.id, year: c.year, title: c.title, state: c.state })),
    }),
  },
  {
    method: 'post', path: '/api/cycles', summary: 'Create a cycle from its JSON configuration', access: 'office',
    body: z.record(z.string(), z.unknown()), status: 201, responses: { 201: 'created', ...errs },
    handler: async (req, _res, s) => {
      const { cycle } = await s.engine.createCycle(req.body, requireOffice(req));
      return { cycle: { id: cycle.id, year: cycle.year, state: cycle.state } };
    },
  },
  {
    method: 'post', path: '/api/cycles/import', summary: 'Create a cycle from uploaded files: config (JSON), branches and panel (CSV or Excel)', access: 'office',
    multipart: ['config', 'branches', 'panel'], status: 201, responses: { 201: 'created', ...errs },
    handler: async (req, _res, s) => {
      const actor = requireOffice(req);
      const files = (req.files as Express.Multer.File[] | undefined) ?? [];
      const byField = new Map(files.map((f) => [f.fieldname, f]));
      const configFile = byField.get('config');
      const configText = configFile ? configFile.buffer.toString('utf8') : (req.body?.configText as string | undefined);
      if (!configText) throw invalidInput([{ field: 'config', message: '请上传周期配置 JSON 文件' }]);
      let config: Record<string, unknown>;
      try {
        config = JSON.parse(configText);
      } catch (err) {
        throw invalidInput([{ field: 'config', message: `不是合法的 JSON：${(err as Error).message}` }]);
      }
      const branches = byField.get('branches');
      const panel = byField.get('panel');
      if (branches) config.branches = parseBranchesCsv(await rosterText(branches.originalname, branches.buffer));
      if (panel) config.panel = parsePanelCsv(await rosterText(panel.originalname, panel.buffer));
      const { cycle } = await s.engine.createCycle(config, actor);
      return { cycle: { id: cycle.id, year: cycle.year, state: cycle.state } };
    },
  },
  {
    method: 'post', path: '/api/cycles/:cycle/launch', summary: 'Launch a cycle: every branch notified', access: 'office',
    responses: { ...ok, ...errs, 409: 'already launched' },
    handler: async (req, _res, s) => {
      const { cycle, created } = await s.engine.launchCycle(param(req, 'cycle'), requireOffice(req));
      return { cycle: { id: cycle.id, year: cycle.year, state: cycle.state }, created };
    },
  },
  {
    method: 'post', path: '/api/cycles/:cycle/events', summary: 'A cycle-wide event (PUBLISH_RESULTS)', access: 'office', body: cycleEventBody,
    responses: { ...ok, ...errs, 409: 'not every branch is scored' },
    handler: async (req, _res, s) => {
      parse(cycleEventBody, req.body);
      const { cycle, published } = await s.engine.publishResults(param(req, 'cycle'), requireOffice(req));
      return { cycle: { id: cycle.id, year: cycle.year, state: cycle.state }, published };
    },
  },
  {
    method: 'get', path: '/api/cycles/:cycle', summary: 'Cycle status: counts per phase and every branch', access: 'office+leader', responses: { ...ok, ...errs },
    handler: async (req, _res, s) => dashboard(s.db, param(req, 'cycle'), actorOf(req), now()),
  },
  {
    method: 'get', path: '/api/cycles/:cycle/export', summary: 'Download results or ledger (.xlsx), bulletin or letters (HTML)', access: 'office+leader',
    query: exportQuery, responses: { 200: 'the document', ...errs, 409: 'results not published yet' },
    handler: async (req, res, s) => {
      const file = await exportDocument(s.db, param(req, 'cycle'), parse(exportQuery, req.query).kind, actorOf(req));
      res.setHeader('Content-Type', file.contentType);
      res.setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.filename)}`);
      res.send(file.body);
      return undefined;
    },
  },
  {
    method: 'get', path: '/api/cycles/:cycle/branches/:branch', summary: 'One branch review, as the viewer may see it', access: 'user', responses: { ...ok, ...errs },
    handler: async (req, _res, s) => branchView(s.db, param(req, 'cycle'), param(req, 'branch'), actorOf(req), now()),
  },
  {
    method: 'post', path: '/api/cycles/:cycle/branches/:branch/events', summary: 'Send a branch event (Idempotency-Key honoured)', access: 'user', body: eventBody,
    responses: { ...ok, ...errs, 409: 'EVENT_NOT_ALLOWED or VERSION_CONFLICT' },
    handler: async (req, _res, s) => {
      const body = parse(eventBody, req.body);
      return s.engine.sendBranchEvent({
        cycle: param(req, 'cycle'),
        branch: param(req, 'branch'),
        type: body.type,
        data: body.data,
        actor: actorOf(req),
        expectedVersion: body.expectedVersion,
        idempotencyKey: req.get('idempotency-key') ?? undefined,
      });
    },
  },
  {
    method: 'put', path: '/api/cycles/:cycle/branches/:branch/score-draft', summary: "Save the evaluator's draft scores", access: 'user', body: draftBody,
    responses: { ...ok, ...errs },
    handler: async (req, _res, s) => {
      const body = parse(draftBody, req.body);
      const { branch, rights } = await readableBranch(s.db, param(req, 'cycle'), param(req, 'branch'), actorOf(req));
      if (!rights.evaluator) throw new AppError('FORBIDDEN', '您不是该支部的评委 (not an evaluator of this branch)');
      await saveScoreDraft(s.db, branch.id, actorOf(req).id!, body, now());
      return { saved: true };
    },
  },
  {
    method: 'put', path: '/api/cycles/:cycle/branches/:branch/deputy', summary: "Name (or with null remove) the deputy who acts for the branch's secretary", access: 'user',
    body: deputyBody, responses: { ...ok, ...errs, 409: 'branch finished or changed meanwhile' },
    handler: async (req, _res, s) => {
      const { deputy } = parse(deputyBody, req.body);
      return s.engine.setDeputy(param(req, 'cycle'), param(req, 'branch'), deputy, actorOf(req));
    },
  },
  {
    method: 'post', path: '/api/cycles/:cycle/branches/:branch/resend-notice', summary: 'Send the notice again', access: 'office', responses: { ...ok, ...errs },
    handler: async (req, _res, s) => s.engine.resendNotice(param(req, 'cycle'), param(req, 'branch'), requireOffice(req)),
  },
  {
    method: 'post', path: '/api/cycles/:cycle/branches/:branch/files', summary: 'Upload a file (report material or evidence), 10 MB at most', access: 'user',
    multipart: ['file'], status: 201, responses: { 201: 'stored', ...errs },
    handler: async (req, _res, s) => {
      const actor = actorOf(req);
      const { branch, rights } = await readableBranch(s.db, param(req, 'cycle'), param(req, 'branch'), actor);
      if (!rights.secretary && !rights.office) throw new AppError('FORBIDDEN', '只有本支部书记或党委办公室可以上传 (not your branch)');
      const file = ((req.files as Express.Multer.File[] | undefined) ?? [])[0];
      if (!file) throw invalidInput([{ field: 'file', message: '请选择文件' }]);
      const stored = storeUpload(s.settings.dataDir, file);
      try {
        await insertFile(s.db, {
          id: stored.id, user_id: actor.id!, branch_review_id: branch.id, original_name: stored.originalName,
          mime: stored.mime, size: stored.size, sha256: stored.sha256, created_at: now(),
        });
      } catch (err) {
        removeUpload(s.settings.dataDir, stored.id);
        throw err;
      }
      return { file: { id: stored.id, name: stored.originalName, size: stored.size } };
    },
  },
  {
    method: 'get', path: '/api/files/:id', summary: 'Download an uploaded file (as allowed on its branch)', access: 'user', responses: { 200: 'the file', ...errs },
    handler: async (req, res, s) => {
      const file = await getFile(s.db, String(param(req, 'id')));
      if (!file) throw new AppError('NOT_FOUND', '文件不存在');
      const branch = (await getBranchReview(s.db, file.branch_review_id))!;
      await readableBranch(s.db, branch.cycle_id, branch.code, actorOf(req));
      const p = uploadPath(s.settings.dataDir, file.id);
      if (!fs.existsSync(p)) throw new AppError('NOT_FOUND', '文件不存在');
      res.setHeader('Content-Type', file.mime);
      res.setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.original_name)}`);
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.sendFile(p);
      return undefined;
    },
  },
  {
    method: 'get', path: '/api/mail', summary: 'The outbox: queued, sent and dead letters', access: 'office', query: mailQuery, responses: { ...ok, ...errs },
    handler: async (req, _res, s) => {
      requireOffice(req);
      const { status } = parse(mailQuery, req.query);
      const rows = await listMails(s.db, { status });
      return {
        mails: rows.map((m) => ({ id: m.id, to: m.to_email, template: m.template, subject: m.subject, status: m.status, attempts: m.attempts, lastError: m.last_error, createdAt: m.created_at, sentAt: m.sent_at })),
      };
    },
  },
  {
    method: 'post', path: '/api/mail/:id/retry', summary: 'Put a dead letter back in the queue', access: 'office', responses: { ...ok, ...errs },
    handler: async (req, _res, s) => {
      requireOffice(req);
      if (!(await requeueMail(s.db, Number(param(req, 'id')), now()))) throw new AppError('NOT_FOUND', '没有该死信 (no such dead letter)');
      return { requeued: Number(param(req, 'id')) };
    },
  },
  {
    method: 'post', path: '/api/cycles/:cycle/branches/:branch/ballots', summary: 'Issue anonymous democratic-appraisal ballots', access: 'office', body: ballotIssueBody,
    status: 201, responses: { 201: 'issued', ...errs },
    handler: async (req, _res, s) =>
      issueBallots(s, { cycle: param(req, 'cycle'), branch: param(req, 'branch'), count: parse(ballotIssueBody, req.body).count, actor: requireOffice(req) }),
  },
  {
    method: 'post', path: '/api/ballots/:token', summary: 'Cast a ballot (no sign-in; once per token)', access: 'public', body: ballotBody,
    responses: { ...ok, 404: 'unknown ballot', 409: 'BALLOT_USED', 422: errs[422] },
    handler: async (req, _res, s) => castBallotByToken(s.db, String(param(req, 'token')), parse(ballotBody, req.body).choice),
  },
];

/** Multipart with hard limits; only the route's own file fields are accepted. */
function multipart(fields: string[]): RequestHandler {
  const parse = multer({ storage: multer.memoryStorage(), limits: { fileSize: MAX_UPLOAD_BYTES, files: fields.length, fields: 10 } }).any();
  return (req, res, next) =>
    parse(req, res, (err?: unknown) => {
      if (err) return next(multerError(err) ?? err);
      const stray = ((req.files as Express.Multer.File[] | undefined) ?? []).find((f) => !fields.includes(f.fieldname));
      next(stray ? invalidInput([{ field: stray.fieldname, message: '未知的上传字段' }]) : undefined);
    });
}

/** Mounts the routes: access checked first, then the handler; errors go to the one error handler. */
export function mountApi(router: Router, services: Services): void {
  for (const route of apiRoutes) {
    const handlers: RequestHandler[] = route.multipart ? [multipart(route.multipart)] : [];
    handlers.push(async (req, res, next) => {
      try {
        if (route.access !== 'public') requireViewer(req);
        if (route.access === 'office') requireOffice(req);
        if (route.access === 'office+leader') await requireCycleFor(services.db, param(req, 'cycle'), actorOf(req));
        const result = await route.handler(req, res, services);
        if (result !== undefined && !res.headersSent) res.status(route.status ?? 200).json(result);
      } catch (err) {
        next(err);
      }
    });
    router[route.method](route.path, ...handlers);
  }
}
