import type { TestProject } from 'vitest/node';
import { startStack, type StackInfo } from './stack.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The running stack of this e2e run: read it with `stack()` from `./harness`. */
    costscope: StackInfo;
  }
}

/**
 * Once per `vitest run -c vitest.e2e.config.ts`: the real server with a seeded month, the
 * dashboard's production build and `next start`; stopped, and the data directory removed, after
 * the last test file.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const log = (line: string) => console.log(`[e2e] ${line}`);
  const { stop, build, timings, ...info } = await startStack(log);
  log(
    `ready in ${((Date.now() - started) / 1000).toFixed(0)} s — server ${timings.server.toFixed(1)} s, seed ${timings.seed.toFixed(1)} s, ` +
      `build ${build.builtNow ? `${timings.build.toFixed(0)} s` : 'reused'} (${build.distDir}), dashboard ${timings.dashboard.toFixed(1)} s; ` +
      `dashboard ${info.dashboardUrl}, server ${info.serverUrl}`,
  );
  project.provide('costscope', info);
  return async () => {
    await stop();
  };
}
