import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const APPS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'apps');

/** One line an app printed about a scenario: what the app's own code received. */
export interface ScenarioOutcome {
  scenario: string;
  ok: boolean;
  received?: Record<string, unknown>;
  error?: {
    class: string;
    status?: number;
    isCostscopeError: boolean;
    isInputTooLarge: boolean;
    estimatedInputTokens?: number;
  };
}

export interface AppRun {
  outcomes: Map<string, ScenarioOutcome>;
  stdout: string;
  stderr: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * Runs a test app as a user would: plain `node` (no tsx, no vitest) on the built package, with
 * the given node flags and environment, and waits for it to exit.
 */
export function runApp(
  app: string,
  options: { nodeArgs?: string[]; env?: Record<string, string>; onLine?: (line: string, child: ReturnType<typeof spawn>) => void } = {},
): Promise<AppRun> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), join(APPS_DIR, app)], {
    cwd: APPS_DIR,
    env: { PATH: process.env['PATH'] ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let pending = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (text: string) => {
    stdout += text;
    pending += text;
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      options.onLine?.(pending.slice(0, newline), child);
      pending = pending.slice(newline + 1);
      newline = pending.indexOf('\n');
    }
  });
  child.stderr.on('data', (text: string) => (stderr += text));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (exitCode, signal) => {
      const outcomes = new Map<string, ScenarioOutcome>();
      for (const line of stdout.split('\n')) {
        if (!line.startsWith('{"scenario"')) continue;
        const outcome = JSON.parse(line) as ScenarioOutcome;
        outcomes.set(outcome.scenario, outcome);
      }
      resolve({ outcomes, stdout, stderr, exitCode, signal });
    });
  });
}
