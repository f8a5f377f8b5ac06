import { runCli } from './costscope-cli.js';

process.exitCode = await runCli(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
  stdout: process.stdout,
  stdin: process.stdin,
  progress: process.stderr,
});
