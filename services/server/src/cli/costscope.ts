import { runCli } from './costscope-cli.js';

// A reader that stops early (`costscope export | head`) closes the pipe: that ends the command
// quietly, as it does for any Unix tool, instead of a stack trace about EPIPE.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

process.exitCode = await runCli(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
  stdout: process.stdout,
  stdin: process.stdin,
  progress: process.stderr,
});
