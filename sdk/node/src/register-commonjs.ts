/**
 * `node -r @costscope/sdk/register app.js` or `require('@costscope/sdk/register')`: starts
 * Costscope from the environment (COSTSCOPE_ENDPOINT, COSTSCOPE_API_KEY, OTEL_SERVICE_NAME).
 */
import { init } from './index.js';

try {
  init();
} catch (error) {
  // A bad setting must not stop the app from starting: say why Costscope is off.
  console.error(`[costscope] not started: ${error instanceof Error ? error.message : String(error)}`);
}
