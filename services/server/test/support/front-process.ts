import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FrontOptions } from './clickhouse-http-front.js';

export type RunningFront = { url: string; port: number; stop: () => Promise<void>; process: ChildProcess };

const FRONT_SCRIPT = fileURLToPath(new URL('./clickhouse-http-front.ts', import.meta.url));

/**
 * Starts the ClickHouse HTTP front in its own process (its own chDB data directory), the way a
 * ClickHouse server is a separate process from the Costscope server.
 */
export function startFrontProcess(options: FrontOptions): Promise<RunningFront> {
  const child = spawn(process.execPath, ['--import', 'tsx', FRONT_SCRIPT, JSON.stringify(options)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    let stdout = '';
    const onExit = (code: number | null): void => reject(new Error(`ClickHouse HTTP front exited with ${code}: ${stderr}`));
    child.once('exit', onExit);
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n').find((candidate) => candidate.startsWith('{'));
      if (!line) return;
      child.off('exit', onExit);
      const { port } = JSON.parse(line) as { port: number };
      resolve({
        url: `http://127.0.0.1:${port}`,
        port,
        process: child,
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}
