/**
 * `node --import @costscope/sdk/register app.js` or `import '@costscope/sdk/register'`: starts
 * Costscope from the environment (COSTSCOPE_ENDPOINT, COSTSCOPE_API_KEY, OTEL_SERVICE_NAME).
 * ESM build: also installs the import hook (import-in-the-middle) for provider packages imported
 * after this point, and waits until packages imported before it are instrumented.
 */
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';
import { diag } from '@opentelemetry/api';
import { init } from './index.js';

// Preloads may also run in Node's module-hooks thread and in the app's worker threads:
// Costscope starts once, in the main thread.
if (isMainThread) {
  try {
    // Only the provider packages go through the hook: the app's other modules load untouched.
    register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, {
      data: { include: ['openai', '@anthropic-ai/sdk'] },
    });
  } catch (error) {
    diag.error('costscope: could not install the ESM import hook; ESM imports after this point are not instrumented', error);
  }

  try {
    await init().ready;
  } catch (error) {
    // A bad setting must not stop the app from starting: say why Costscope is off.
    console.error(`[costscope] not started: ${error instanceof Error ? error.message : String(error)}`);
  }
}
