// `npm start`: migrate, serve, and (unless SCHEDULER=off) run the deadline scheduler and the mail
// dispatcher every TICK_SECONDS. Any number of these processes may share one database (README.md:
// Deployment). SIGTERM or SIGINT: stop accepting, answer what is in flight, finish the transaction and
// the mail being sent, close the database, exit 0 — within 10 seconds.
import { loadSettings } from './config';
import { openServices } from './services';
import { createApp } from './web/app';

const settings = loadSettings();
const services = await openServices(settings);
const log = services.log;
const app = createApp(services);
const server = app.listen(settings.port, () => {
  log.info(
    { port: settings.port, dataDir: settings.dataDir, database: settings.databaseUrl ? 'postgresql' : 'sqlite', scheduler: settings.scheduler, pid: process.pid },
    `述评 serving on ${settings.baseUrl}`,
  );
});

const stopping = new AbortController();
let ticking: Promise<void> | undefined;
const tick = () => {
  if (ticking || stopping.signal.aborted) return; // a slow pass (SMTP timeouts) must not overlap the next
  ticking = (async () => {
    try {
      const r = await services.tick(undefined, { signal: stopping.signal });
      if (r.timersFired || r.mailsSent || r.mailsFailed) log.info(r, 'tick');
    } catch (err) {
      log.error({ err }, 'tick failed');
    }
  })().finally(() => {
    ticking = undefined;
  });
};
const timer = settings.scheduler ? setInterval(tick, settings.tickSeconds * 1000) : undefined;
if (settings.scheduler) tick();

/** What a graceful shutdown may take before the last connections are cut, and before giving up. */
const CUT_CONNECTIONS_MS = 8000;
const GIVE_UP_MS = 9500;

let shuttingDown = false;
async function shutdown(signal: string): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  log.info({ signal }, 'shutting down');
  setTimeout(() => server.closeAllConnections(), CUT_CONNECTIONS_MS).unref();
  setTimeout(() => {
    log.error('shutdown did not finish in time');
    process.exit(1);
  }, GIVE_UP_MS).unref();
  clearInterval(timer);
  stopping.abort(); // the scheduler and the dispatcher stop after what they hold
  app.drain(); // requests still arriving are refused, those in flight answered
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  await Promise.all([closed, ticking]);
  await services.close();
  log.info('stopped');
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
if (await services.engine.needsSetup()) log.info(`首次使用：请打开 ${settings.baseUrl}/setup 创建党委办公室账号 (first run: open ${settings.baseUrl}/setup to create the office account)`);
