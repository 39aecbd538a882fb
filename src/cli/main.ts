import { runCli } from './program';

const code = await runCli(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  env: process.env,
  tty: Boolean(process.stderr.isTTY),
});
process.exitCode = code;
