/**
 * `node -r @costscope/sdk/register app.js` or `require('@costscope/sdk/register')`: starts
 * Costscope from the environment (COSTSCOPE_ENDPOINT, COSTSCOPE_API_KEY, OTEL_SERVICE_NAME).
 * Also installs the ESM import hook, so an app preloaded with `-r` that imports the provider
 * packages as ES modules is covered too.
 */
import { pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import { diag } from '@opentelemetry/api';
import { init } from './index.js';
import { installImportHook } from './install-import-hook.js';

// Node runs `-r` preloads again in its module-hooks thread (and in the app's worker threads):
// Costscope starts once, in the main thread.
if (isMainThread) start();

function start(): void {
  try {
    installImportHook(pathToFileURL(__filename));
  } catch (error) {
    diag.error('costscope: could not install the ESM import hook; ESM imports are not instrumented', error);
  }

  try {
    init();
  } catch (error) {
    // A bad setting must not stop the app from starting: say why Costscope is off.
    console.error(`[costscope] not started: ${error instanceof Error ? error.message : String(error)}`);
  }
}
