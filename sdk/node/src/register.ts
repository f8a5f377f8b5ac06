/**
 * `node --import @costscope/sdk/register app.js` or `import '@costscope/sdk/register'`: starts
 * Costscope from the environment (COSTSCOPE_ENDPOINT, COSTSCOPE_API_KEY, OTEL_SERVICE_NAME).
 * ESM build: also installs the import hook (import-in-the-middle) for provider packages imported
 * after this point, and waits until packages imported before it are instrumented.
 */
import { isMainThread } from 'node:worker_threads';
import { diag } from '@opentelemetry/api';
import { init } from './index.js';
import { installImportHook } from './install-import-hook.js';

// Preloads may also run in Node's module-hooks thread and in the app's worker threads:
// Costscope starts once, in the main thread.
if (isMainThread) {
  try {
    installImportHook(import.meta.url);
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
