// The express application: routes validate, call the engine or a query, and render.
import path from 'node:path';
import { createRequire } from 'node:module';
import cookieParser from 'cookie-parser';
import express from 'express';
import helmet from 'helmet';
import type { Services } from '../services';
import { AppError } from '../errors';
import { mountApi } from './api';
import { errorHandler } from './errors';
import { openApiDocument } from './openapi';
import { mountPages } from './pages';
import { stopStreams } from './meetingStream';
import { Drain, requestLog } from './requestLog';
import { csrfGuard, loadViewer } from './session';

const require = createRequire(import.meta.url);
const echartsFile = require.resolve('echarts/dist/echarts.min.js');

/** The app, and `drain()` for a graceful shutdown (src/main.ts). */
export type App = express.Express & { drain(): void };

export function createApp(services: Services): App {
  const app = express();
  app.disable('x-powered-by');
  // The client's address: the socket's, unless TRUST_PROXY names the proxies whose X-Forwarded-For counts.
  app.set('trust proxy', services.settings.trustProxy);
  const drain = new Drain();
  app.use(requestLog(services.log));
  app.use(drain.middleware);
  app.use(
    helmet({
      // Everything is served by the app itself: no CDN, no inline script.
      contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], scriptSrc: ["'self'"], styleSrc: ["'self'"], imgSrc: ["'self'", 'data:'], objectSrc: ["'none'"], frameAncestors: ["'none'"], formAction: ["'self'"], upgradeInsecureRequests: null } },
      crossOriginEmbedderPolicy: false,
      strictTransportSecurity: services.settings.baseUrl.startsWith('https:'),
    }),
  );
  app.use('/assets/vendor/echarts.min.js', (_req, res) => res.sendFile(echartsFile, { maxAge: '7d' }));
  app.use('/assets', express.static(path.join(import.meta.dirname, 'assets'), { maxAge: '1h', index: false }));
  app.use(cookieParser());
  app.use(express.json({ limit: '1mb' }));
  app.use(loadViewer(services));
  app.use('/api', csrfGuard(services));
  app.get('/api/openapi.json', (_req, res) => void res.json(openApiDocument(services.settings.baseUrl)));
  const api = express.Router();
  mountApi(api, services);
  app.use(api);
  app.use('/api', (req, _res, next) => next(new AppError('NOT_FOUND', `没有该接口 ${req.method} ${req.originalUrl}`)));
  const pages = express.Router();
  mountPages(pages, services);
  app.use(pages);
  app.use(errorHandler);
  // Draining ends the meeting's event streams too (their browsers reconnect to another process).
  return Object.assign(app, { drain: () => { drain.start(); stopStreams(); } });
}
