// `npm start`: migrate, serve, and run the scheduler and the mail dispatcher every minute.
import pino from 'pino';
import { loadSettings } from './config';
import { openServices } from './services';
import { createApp } from './web/app';

const log = pino({ name: 'shuping' });
const settings = loadSettings();
const services = await openServices(settings);
const app = createApp(services);
const server = app.listen(settings.port, () => {
  log.info({ port: settings.port, dataDir: settings.dataDir, database: settings.databaseUrl ? 'postgresql' : 'sqlite' }, `述评 serving on ${settings.baseUrl}`);
});

let ticking = false;
const tick = async () => {
  if (ticking) return; // a slow pass (SMTP timeouts) must not overlap the next
  ticking = true;
  try {
    const r = await services.tick();
    if (r.timersFired || r.mailsSent || r.mailsFailed) log.info(r, 'tick');
  } catch (err) {
    log.error({ err }, 'tick failed');
  } finally {
    ticking = false;
  }
};
const timer = setInterval(tick, 60_000);
void tick();

const shutdown = () => {
  clearInterval(timer);
  server.close(() => void services.close().then(() => process.exit(0)));
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
if (await services.engine.needsSetup()) log.info(`首次使用：请打开 ${settings.baseUrl}/setup 创建党委办公室账号 (first run: open ${settings.baseUrl}/setup to create the office account)`);
