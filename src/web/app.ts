// The express application: routes validate, call the engine or a query, and render.
import express from 'express';
import type { Services } from '../services';
import { errorHandler } from './errors';

export function createApp(services: Services): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '1mb' }));

  app.get('/api/health', async (_req, res, next) => {
    try {
      await services.db.raw('select 1');
      res.json({ status: 'ok', database: services.db.client.config.client === 'pg' ? 'postgresql' : 'sqlite' });
    } catch (err) {
      next(err);
    }
  });

  app.get('/', (_req, res) => {
    res.type('html').send(landingPage());
  });

  app.use(errorHandler);
  return app;
}

function landingPage(): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>述评 · 基层党支部书记抓党建工作述职评议</title>
<style>
  body { margin: 0; font-family: "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; background: #f5f5f5; color: #222; }
  header { background: #C8161D; color: #fff; padding: 16px 24px; font-size: 20px; font-weight: 600; }
  main { max-width: 720px; margin: 24px auto; background: #fff; border-radius: 8px; padding: 24px; box-shadow: 0 1px 3px rgba(0,0,0,.08); }
  h1 { font-size: 18px; margin-top: 0; }
</style>
</head>
<body>
<header>述评</header>
<main>
  <h1>基层党支部书记抓党建工作述职评议</h1>
  <p>通知 → 述职材料 → 现场述职（述、问、答）→ 评分 → 整改 → 跟踪督办。</p>
  <p>服务运行正常。</p>
</main>
</body>
</html>`;
}
