// Server-rendered pages (nunjucks, autoescaped). Pages only read; every change goes through the JSON API.
import path from 'node:path';
import { DateTime } from 'luxon';
import type { NextFunction, Request, Response, Router } from 'express';
import nunjucks from 'nunjucks';
import { bindingDeadline, isWeighty, phasesOfKind } from '../../workflows/index';
import { DEFAULT_BANDS, DEFAULT_RUBRIC } from '../domain/scoring';
import { z } from 'zod';
import { may } from '../engine/index';
import { boardQuery } from './api';
import { ballotTokenSchema, branchCodeSchema, cycleRefSchema, linkTokenSchema } from '../domain/schemas';
import { AppError, fromZod } from '../errors';
import type { Services } from '../services';
import { clientMessages, localizeMessage, translator } from './i18n';
/** A path parameter, checked by the same schemas as the API's before any use case sees it. */
const PARAMS = { cycle: cycleRefSchema, branch: branchCodeSchema } as const;
function valid<T>(schema: z.ZodType<T>, value: unknown, field?: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw fromZod(r.error, field);
  return r.data;
}
const param = (req: Request, name: keyof typeof PARAMS): string => valid(PARAMS[name], req.params[name], name);
const dashboardQuery = z.object({ cycle: cycleRefSchema.optional() });
const mailPageQuery = z.object({
  status: z.enum(['dead', 'queued', 'sent', 'all']).optional(),
  q: z.string().trim().max(100).optional(),
  offset: z.coerce.number().int().min(0).max(1_000_000).optional(),
});
import { safeNext } from './redirects';

const viewsDir = path.join(import.meta.dirname, 'views');

/** The events a branch page offers, in the order of the work: the first is the page's one primary action. */
const PRIMARY_ORDER = ['ACKNOWLEDGE', 'SUBMIT_MATERIALS', 'ACCEPT_MATERIALS', 'START_PRESENTATION', 'END_PRESENTATION', 'SUBMIT_SCORE', 'SUBMIT_PLAN', 'APPROVE_PLAN', 'REPORT_PROGRESS', 'VERIFY_ITEM'];
/** Events done per plan item, in the plan's table: never in the menu. */
const PER_ITEM = new Set(['REPORT_PROGRESS', 'VERIFY_ITEM']);

export function arrangeActions(allowed: string[], scored: boolean): { primary: string | null; more: string[] } {
  const usable = allowed.filter((e) => !(e === 'SUBMIT_SCORE' && scored));
  const primary = PRIMARY_ORDER.find((e) => usable.includes(e)) ?? null;
  const rest = usable.filter((e) => e !== primary && !PER_ITEM.has(e));
  const order = (e: string) => (PRIMARY_ORDER.includes(e) ? PRIMARY_ORDER.indexOf(e) : 100);
  return { primary, more: rest.sort((a, b) => order(a) - order(b)) };
}

/** Repeated reminders (DEADLINE_DUE of one deadline within a few days) folded into one line with a count. */
export function foldReminders<T extends { event: string; at: string; data: unknown }>(history: T[], spanMs = 4 * 86_400_000): (T & { times: number; until?: string })[] {
  const out: (T & { times: number; until?: string })[] = [];
  for (const h of history) {
    const prev = out.at(-1);
    const kind = (h.data as { deadline?: string } | null)?.deadline;
    if (
      prev && h.event === 'DEADLINE_DUE' && prev.event === 'DEADLINE_DUE' && kind !== undefined &&
      (prev.data as { deadline?: string } | null)?.deadline === kind && Date.parse(h.at) - Date.parse(prev.at) <= spanMs
    ) {
      prev.times++;
      prev.until = h.at;
      continue;
    }
    out.push({ ...h, times: 1 });
  }
  return out;
}

/** JSON inside <script type="application/json">: "<" escaped so no text can close the tag. */
const jsonForScript = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

export function viewEngine(timezone: string) {
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(viewsDir, { noCache: process.env.NODE_ENV !== 'production' }), { autoescape: true, throwOnUndefined: false });
  env.addFilter('dt', (iso: string) => (iso ? DateTime.fromISO(iso, { zone: timezone }).toFormat('yyyy-MM-dd HH:mm') : ''));
  return env;
}

type Handler = (req: Request, res: Response) => Promise<{ view: string; data?: Record<string, unknown>; nav?: string } | void>;

export function mountPages(router: Router, services: Services): void {
  const env = viewEngine(services.settings.timezone);
  const now = () => new Date().toISOString();

  const render = (req: Request, res: Response, view: string, data: Record<string, unknown> = {}, nav?: string) => {
    const actor = req.viewer?.actor;
    const roles = {
      office: actor?.roles.includes('office'),
      leader: actor?.roles.includes('leader'),
      secretary: actor?.roles.includes('secretary'),
      evaluator: actor?.roles.includes('evaluator'),
    };
    const html = env.render(view, {
      ...data,
      t: translator(req.locale),
      locale: req.locale,
      viewer: actor,
      roles,
      nav,
      csrf: req.viewer?.csrf ?? '',
      // JSON inside <script type="application/json">: "<" escaped so no text can close the tag.
      messagesJson: JSON.stringify(clientMessages(req.locale)).replace(/</g, '\\u003c'),
    });
    res.type('html').send(html);
  };

  const page = (signedIn: boolean, handler: Handler) => async (req: Request, res: Response, next: NextFunction) => {
    try {
      if (signedIn && !req.viewer) return res.redirect(`/login?next=${encodeURIComponent(req.originalUrl)}`);
      const out = await handler(req, res);
      if (out) render(req, res, out.view, out.data, out.nav);
    } catch (err) {
      next(err);
    }
  };

  router.get('/', page(false, async (req, res) => {
    const roles = req.viewer?.actor.roles ?? [];
    // First run: nobody has an account yet, so the first visitor sets up the office's.
    if (!req.viewer && (await services.engine.needsSetup())) return void res.redirect('/setup');
    if (!req.viewer) return void res.redirect('/login');
    if (roles.includes('office')) return void res.redirect('/cycles');
    if (roles.includes('leader')) return void res.redirect('/dashboard');
    return void res.redirect('/tasks');
  }));
  // The page carries the sanitised `next`; the script follows only that value after signing in.
  router.get('/login', page(false, async (req) => ({ view: 'login.njk', data: { next: safeNext(req.query.next, services.settings.baseUrl) } })));
  router.get('/forgot', page(false, async () => ({ view: 'forgot.njk' })));
  router.get('/password/:token', page(false, async (req) => ({ view: 'password.njk', data: { token: valid(linkTokenSchema, req.params.token, 'token') } })));
  router.get('/ballot/:token', page(false, async (req) => {
    const token = valid(ballotTokenSchema, req.params.token, 'token');
    if (!(await services.engine.ballotExists(token))) throw new AppError('NOT_FOUND', '测评票不存在');
    return { view: 'ballot.njk', data: { token, choices: { satisfied: '满意', basic: '基本满意', unsatisfied: '不满意' } } };
  }));

  router.get('/cycles', page(true, async (req) => {
    if (!may(req.viewer!.actor, 'CREATE_CYCLE')) throw new AppError('FORBIDDEN', '仅党委办公室可访问');
    return { view: 'cycles.njk', data: { cycles: await services.engine.visibleCycles(req.viewer!.actor) }, nav: 'cycles' };
  }));
  // The cycle wizard (a new draft, or a draft edited) and a draft's preview before launching.
  router.get('/cycles/new', page(true, async (req) => {
    const actor = req.viewer!.actor;
    if (!may(actor, 'CREATE_CYCLE')) throw new AppError('FORBIDDEN', '仅党委办公室可访问');
    const year = new Date().getFullYear();
    const config = {
      year, title: `${year}年度基层党支部书记抓党建工作述职评议`, timezone: 'Asia/Shanghai', topics: [], deadlines: {}, meeting: {},
      rubric: DEFAULT_RUBRIC, grades: { bands: DEFAULT_BANDS, topGradeCapPercent: null }, democratic: { enabled: false, weightPercent: 30 },
      office: [{ email: actor.email, name: actor.name }], leaders: [], copyTo: [],
    };
    return { view: 'wizard.njk', data: { config, configJson: jsonForScript(config), mode: 'create' }, nav: 'cycles' };
  }));
  router.get('/cycles/:cycle/edit', page(true, async (req) => {
    const draft = await services.engine.draftView(param(req, 'cycle'), req.viewer!.actor, now());
    return { view: 'wizard.njk', data: { config: draft.config, configJson: jsonForScript(draft.config), mode: 'edit', cycle: draft.cycle }, nav: 'cycles' };
  }));
  router.get('/cycles/:cycle/draft', page(true, async (req) => {
    const draft = await services.engine.draftView(param(req, 'cycle'), req.viewer!.actor, now());
    return { view: 'draft.njk', data: { draft, c: draft.config }, nav: 'cycles' };
  }));
  router.get('/cycles/:cycle', page(true, async (req) => {
    // The board's table is paged, sorted and filtered by the server (links and a GET form).
    const parsed = boardQuery.safeParse(req.query);
    const opts = parsed.success ? parsed.data : {};
    const d = await services.engine.dashboard(param(req, 'cycle'), req.viewer!.actor, now(), opts);
    const link = (over: Record<string, string | number | undefined>) => {
      const q = new URLSearchParams();
      const merged: Record<string, string | number | undefined> = { sort: d.page.sort, dir: d.page.dir, q: d.page.q || undefined, phase: d.page.phase || undefined, offset: d.page.offset, ...over };
      for (const [k, v] of Object.entries(merged)) if (v !== undefined && v !== '' && !(k === 'offset' && v === 0)) q.set(k, String(v));
      return `/cycles/${d.cycle.id}${q.size ? `?${q}` : ''}`;
    };
    const sortLink = (col: string) => link({ sort: col, dir: d.page.sort === col && d.page.dir === 'asc' ? 'desc' : 'asc', offset: 0 });
    const pager = {
      from: d.page.total ? d.page.offset + 1 : 0,
      to: d.page.offset + d.branches.length,
      prev: d.page.offset > 0 ? link({ offset: Math.max(0, d.page.offset - d.page.limit) }) : null,
      next: d.page.offset + d.page.limit < d.page.total ? link({ offset: d.page.offset + d.page.limit }) : null,
    };
    const progress = await services.engine.scoringProgress(d.cycle.id, req.viewer!.actor, d.branches.map((b) => b.code));
    // 屡查屡犯 on this page's rows, and (the office's) evidence used twice (issue 10).
    const repeats = await services.engine.repeatFlags(d.cycle.id, req.viewer!.actor, d.branches.map((b) => b.code));
    const duplicates = may(req.viewer!.actor, 'CHECK_EVIDENCE') ? (await services.engine.duplicateEvidence(d.cycle.id, req.viewer!.actor)).duplicates : [];
    return { view: 'board.njk', data: { d, sortLink, pager, progress, repeats, duplicates }, nav: 'cycles' };
  }));
  router.get('/cycles/:cycle/branches/:branch', page(true, async (req) => {
    const v = await services.engine.branchView(param(req, 'cycle'), param(req, 'branch'), req.viewer!.actor, now());
    const notice = await services.engine.branchNotice(param(req, 'cycle'), param(req, 'branch'), req.viewer!.actor);
    // The problem list (issue 10): read with the branch, through the same policy; views/problems.njk.
    const problems = await services.engine.branchProblems(param(req, 'cycle'), param(req, 'branch'), req.viewer!.actor);
    const { primary, more } = arrangeActions(v.branch.allowedEvents, v.branch.myScoreSubmitted);
    const returned = v.branch.phase === 'preparing' && v.branch.materialsReturns.length
      ? { what: 'materials', reason: v.branch.materialsReturns.at(-1)!.reason }
      : v.branch.phase === 'improvementPlanning' && v.branch.planReturns.length ? { what: 'plan', reason: v.branch.planReturns.at(-1)!.reason } : null;
    return {
      view: 'branch.njk',
      data: {
        v, notice, problems, primary, more, returned, weighty: Object.fromEntries(v.branch.allowedEvents.map((e) => [e, isWeighty(e)])),
        filesRemovable: bindingDeadline(v.branch.phase) === 'materials' && (v.rights.office || v.rights.secretary),
        history: foldReminders(v.branch.history),
        // The steps of the branch's own kind (annual review or quarterly assessment).
        phases: phasesOfKind(v.kind), phaseIndex: phasesOfKind(v.kind).indexOf(v.branch.phase),
      },
    };
  }));
  router.get('/cycles/:cycle/branches/:branch/score', page(true, async (req) => {
    const v = await services.engine.branchView(param(req, 'cycle'), param(req, 'branch'), req.viewer!.actor, now());
    if (!v.rights.evaluator) throw new AppError('FORBIDDEN', '您不是该支部的评委');
    return { view: 'score.njk', data: { v, myScore: v.branch.scores.find((s) => s.mine) }, nav: 'tasks' };
  }));
  router.get('/tasks', page(true, async (req) => ({
    view: 'tasks.njk',
    data: { tasks: await services.engine.tasks(req.viewer!.actor, now()), returned: await services.engine.returnedBranches(req.viewer!.actor) },
    nav: 'tasks',
  })));
  router.get('/dashboard', page(true, async (req) => {
    const actor = req.viewer!.actor;
    if (!may(actor, 'VIEW_CYCLE')) throw new AppError('FORBIDDEN', '仅党委办公室和党委领导可访问');
    const cycles = await services.engine.visibleCycles(actor);
    const wanted = valid(dashboardQuery, req.query).cycle;
    const chosen = wanted ? await services.engine.cycle(wanted, actor) : cycles.find((c) => c.state !== 'draft');
    return { view: 'dashboard.njk', data: { cycles: cycles.filter((c) => c.state !== 'draft'), cycle: chosen }, nav: 'dashboard' };
  }));
  // The mail page: sent, queued and dead mails (the dead first by default), searched, each opened.
  router.get('/mail', page(true, async (req) => {
    const actor = req.viewer!.actor;
    const f = valid(mailPageQuery, req.query);
    const status = f.status === 'all' ? undefined : (f.status ?? 'dead');
    const m = await services.engine.mailPage(actor, { status, q: f.q, offset: f.offset });
    const link = (over: Record<string, string | number | undefined>) => {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries({ status: f.status ?? 'dead', q: f.q || undefined, offset: m.offset || undefined, ...over })) if (v !== undefined && v !== '') q.set(k, String(v));
      return `/mail?${q}`;
    };
    return {
      view: 'mail.njk',
      data: {
        m, tab: f.status ?? 'dead', q: f.q ?? '', link,
        prev: m.offset > 0 ? link({ offset: Math.max(0, m.offset - m.limit) || undefined }) : null,
        next: m.offset + m.limit < m.total ? link({ offset: m.offset + m.limit }) : null,
      },
      nav: 'mail',
    };
  }));
  router.get('/mail/:id', page(true, async (req) => {
    const id = valid(z.coerce.number().int().min(1).max(2 ** 31 - 1), req.params.id, 'id');
    return { view: 'mailMessage.njk', data: { mail: await services.engine.mailMessage(req.viewer!.actor, id) }, nav: 'mail' };
  }));

  router.get('/setup', page(false, async () => ({ view: 'setup.njk', data: { done: !(await services.engine.needsSetup()) } })));
  router.get('/users', page(true, async (req) => {
    const actor = req.viewer!.actor;
    if (!may(actor, 'MANAGE_USERS')) throw new AppError('FORBIDDEN', '仅党委办公室可访问');
    return { view: 'users.njk', data: { users: await services.engine.listUsers(actor) }, nav: 'users' };
  }));

  // ── the meeting day (issue 10): the office's runner and the hall's display ──
  const inlineJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c');
  router.get('/cycles/:cycle/meeting', page(true, async (req) => {
    const v = await services.engine.meetingView(param(req, 'cycle'), req.viewer!.actor, now());
    return { view: 'meeting.njk', data: { v, viewJson: inlineJson(v) }, nav: 'cycles' };
  }));
  router.get('/hall/:token', page(false, async (req) => {
    const token = valid(linkTokenSchema, req.params.token, 'token');
    const v = await services.engine.hallView(token, req.locale, now());
    return { view: 'hall.njk', data: { token, v, viewJson: inlineJson(v) } };
  }));
  // Scoring from a phone through a panel member's link: no password; the link is the evaluator.
  router.get('/p/:token', page(false, async (req) => {
    const token = valid(linkTokenSchema, req.params.token, 'token');
    return { view: 'panel-home.njk', data: { token, v: await services.engine.panelHome(token, now()) } };
  }));
  router.get('/p/:token/:branch', page(false, async (req) => {
    const token = valid(linkTokenSchema, req.params.token, 'token');
    return { view: 'panel-score.njk', data: { token, v: await services.engine.panelBranch(token, param(req, 'branch'), now()) } };
  }));

  router.use((req, _res, next) => next(new AppError('NOT_FOUND', `页面不存在 ${req.path}`)));

  /** Errors on pages are pages too, in the reader's language. */
  router.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (req.path.startsWith('/api/') || !(err instanceof AppError)) return next(err);
    const t = translator(req.locale);
    const status = err.code === 'NOT_FOUND' ? 404 : err.code === 'FORBIDDEN' ? 403 : err.code === 'UNAUTHENTICATED' ? 401 : 400;
    res.status(status);
    render(req, res, 'error.njk', { heading: status === 404 ? t('notFound') : status === 403 ? t('forbidden') : t('errorTitle'), message: localizeMessage(err.message, req.locale) });
  });
}
