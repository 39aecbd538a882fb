import { runCli } from '../../src/cli/program';

/** Runs a CLI command in-process with --json and returns its exit code and parsed output lines. */
export async function cli(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number; out: any; lines: any[]; raw: string }> {
  let raw = '';
  const code = await runCli([...args, '--json'], { stdout: (s) => (raw += s), stderr: () => {}, env, tty: false });
  const lines = raw.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  return { code, out: lines[0], lines, raw };
}
