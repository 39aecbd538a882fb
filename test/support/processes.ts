// Real child processes: the app as `node --import tsx src/main.ts` (what `npm start` runs, without npm
// and tsx's relaying parent, so that a signal reaches the app itself), and the CLI.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { cliEnv, type TestEnv } from './db';

export const root = path.resolve(import.meta.dirname, '../..');

export const freePort = () =>
  new Promise<number>((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The environment of an app or CLI process on this test's database (quiet logs unless asked). */
export function processEnv(env: TestEnv, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...cliEnv(env), LOG_LEVEL: 'warn', ...extra };
}

export interface Exit { code: number | null; signal: NodeJS.Signals | null }

export interface AppProcess {
  port: number;
  base: string;
  child: ChildProcess;
  /** What the process printed so far (stdout and stderr). */
  output(): string;
  exited: Promise<Exit>;
  kill(signal: NodeJS.Signals): void;
}

function collect(child: ChildProcess): () => string {
  let out = '';
  const add = (b: Buffer) => {
    out += b.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout?.on('data', add);
  child.stderr?.on('data', add);
  return () => out;
}

const exitOf = (child: ChildProcess): Promise<Exit> =>
  new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

/** Starts the app and waits until /api/health answers 200. */
export async function startApp(env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<AppProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: root, env: { ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = collect(child);
  const exited = exitOf(child);
  let gone: Exit | undefined;
  void exited.then((e) => (gone = e));
  const base = `http://127.0.0.1:${port}`;
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (gone) throw new Error(`app exited (${JSON.stringify(gone)}) before answering:\n${output()}`);
    const res = await fetch(`${base}/api/health`).catch(() => undefined);
    if (res?.status === 200) break;
    if (Date.now() > until) {
      child.kill('SIGKILL');
      throw new Error(`app did not answer /api/health within ${timeoutMs} ms:\n${output()}`);
    }
    await sleep(100);
  }
  return { port, base, child, output, exited, kill: (signal) => void child.kill(signal) };
}

export interface CliRun { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; json: any; child: ChildProcess }

/** Starts a CLI process (`npm run cli -- …` without npm) with --json; `done` resolves when it exits. */
export function spawnCli(env: NodeJS.ProcessEnv, ...args: string[]): { child: ChildProcess; done: Promise<CliRun> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args, '--json'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  const done = exitOf(child).then(({ code, signal }) => {
    let json: unknown;
    try {
      json = JSON.parse(stdout.trim().split('\n').filter(Boolean).at(-1) ?? 'null');
    } catch {
      json = undefined;
    }
    return { code, signal, stdout, stderr, json, child };
  });
  return { child, done };
}

export const runCli = (env: NodeJS.ProcessEnv, ...args: string[]): Promise<CliRun> => spawnCli(env, ...args).done;
