/**
 * `npm start`: the Costscope server (port 4318, `PORT`) and the dashboard (port 3000,
 * `DASHBOARD_PORT`) side by side, with the embedded storage in `COSTSCOPE_DATA_DIR`.
 *
 * The two run as child processes (the embedded ClickHouse belongs to the server process alone);
 * Ctrl-C stops both, and if either stops on its own the other is stopped too, so `npm start`
 * never leaves half of Costscope running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const workspaceRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');

const env: NodeJS.ProcessEnv = {
  ...process.env,
  // One absolute data directory for both processes, whatever their working directories.
  COSTSCOPE_DATA_DIR: path.resolve(process.env.COSTSCOPE_DATA_DIR ?? './.costscope'),
};
env.COSTSCOPE_SERVER_URL ??= `http://localhost:${env.PORT ?? '4318'}`;
env.COSTSCOPE_DASHBOARD_URL ??= `http://localhost:${env.DASHBOARD_PORT ?? '3000'}`;

function runTsx(args: string[]): ChildProcess {
  return spawn(process.execPath, [tsxCli, ...args], { cwd: workspaceRoot, env, stdio: 'inherit' });
}

function exited(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 0 : 1))));
}

async function main(): Promise<number> {
  // The dashboard's password goes into the credentials file before the server writes its key
  // there, so the two never write the file at the same moment.
  const prepare = await exited(runTsx(['dashboard/scripts/serve.ts', '--prepare']));
  if (prepare !== 0) return prepare;

  const children = [
    runTsx(['--tsconfig', 'services/server/tsconfig.json', 'services/server/src/main.ts']),
    runTsx(['dashboard/scripts/serve.ts']),
  ];
  let stopping = false;
  const stopAll = (signal: NodeJS.Signals) => {
    stopping = true;
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  process.on('SIGINT', () => stopAll('SIGINT'));
  process.on('SIGTERM', () => stopAll('SIGTERM'));

  const first = await Promise.race(children.map((child) => exited(child)));
  if (!stopping) stopAll('SIGTERM');
  const codes = await Promise.all(children.map((child) => (child.exitCode !== null || child.signalCode !== null ? child.exitCode ?? 0 : exited(child))));
  return stopping ? 0 : first || Math.max(...codes);
}

process.exitCode = await main();
