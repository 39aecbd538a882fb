// Who is asking: the session cookie (httpOnly, SameSite=Lax), the CSRF token bound to it, the locale.
import type { NextFunction, Request, Response } from 'express';
import { sameToken, SESSION_DAYS, type Actor } from '../engine/index';
import { AppError } from '../errors';
import type { Services } from '../services';
import type { Locale } from './i18n';

export const SESSION_COOKIE = 'shuping_sid';
export const LANG_COOKIE = 'shuping_lang';

export interface Viewer {
  actor: Actor;
  csrf: string;
  cookie: string;
}

declare module 'express-serve-static-core' {
  interface Request {
    viewer?: Viewer;
    locale: Locale;
  }
}

export function cookieOptions(services: Services) {
  return {
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: services.settings.baseUrl.startsWith('https:'),
    path: '/',
    maxAge: SESSION_DAYS * 86_400_000,
  };
}

export function loadViewer(services: Services) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      // ?lang= switches the language for the rest of the visit, signed in or not.
      if (req.query.lang === 'en' || req.query.lang === 'zh-CN') res.cookie(LANG_COOKIE, req.query.lang, { sameSite: 'lax', path: '/', httpOnly: true });
      const cookie = req.cookies?.[SESSION_COOKIE] as string | undefined;
      if (cookie) {
        const s = await services.engine.sessionUser(cookie);
        if (s) req.viewer = { actor: { id: s.user.id, email: s.user.email, name: s.user.name, roles: s.roles }, csrf: s.csrf, cookie };
        req.locale = pickLocale(req, s?.user.locale);
      } else {
        req.locale = pickLocale(req);
      }
      next();
    } catch (err) {
      next(err);
    }
  };
}

function pickLocale(req: Request, userLocale?: string): Locale {
  const chosen = (req.query.lang as string | undefined) ?? (req.cookies?.[LANG_COOKIE] as string | undefined) ?? userLocale;
  return chosen === 'en' ? 'en' : 'zh-CN';
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF: a state-changing request must come from our own origin (when the browser says where
 * it comes from), and one made with a session must carry that session's token in X-CSRF-Token.
 */
export function csrfGuard(services: Services) {
  const ownOrigin = new URL(services.settings.baseUrl).origin;
  return (req: Request, _res: Response, next: NextFunction) => {
    if (SAFE.has(req.method)) return next();
    const origin = req.get('origin');
    const hostOrigin = `${req.protocol}://${req.get('host')}`;
    if (origin && origin !== ownOrigin && origin !== hostOrigin) {
      return next(new AppError('FORBIDDEN', '跨站请求被拒绝 (cross-site request refused)', { reason: 'CSRF' }));
    }
    if (req.viewer && !sameToken(req.get('x-csrf-token') ?? (req.body?._csrf as string | undefined), req.viewer.csrf)) {
      return next(new AppError('FORBIDDEN', '安全令牌无效，请刷新页面后重试 (CSRF token missing or wrong)', { reason: 'CSRF' }));
    }
    next();
  };
}

export function requireViewer(req: Request): Viewer {
  if (!req.viewer) throw new AppError('UNAUTHENTICATED', '请先登录 (sign in first)');
  return req.viewer;
}
