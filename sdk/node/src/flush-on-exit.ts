import { diag } from '@opentelemetry/api';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;
const FLUSH_ON_SIGNAL_TIMEOUT_MS = 3000;

/**
 * Flushes spans when the event loop empties (`beforeExit`) and on SIGTERM / SIGINT. A signal
 * listener replaces Node's default "exit on signal", so when the app has no listener of its own
 * the process re-raises the signal after the flush and dies of it as it would have; when the app
 * has one, the app's listener decides (Costscope never exits an app that chose to keep running).
 * Returns a function removing the hooks.
 */
export function flushOnExit(flush: () => Promise<void>): () => void {
  let flushedBeforeExit = false;
  const onBeforeExit = () => {
    // A flush schedules work, which emits `beforeExit` again once done: flush only once.
    if (flushedBeforeExit) return;
    flushedBeforeExit = true;
    flush().catch((error: unknown) => diag.error('costscope: flush at exit failed', error));
  };
  const onSignal = (signal: NodeJS.Signals) => {
    const appListens = process.listenerCount(signal) > 1;
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, FLUSH_ON_SIGNAL_TIMEOUT_MS).unref());
    Promise.race([flush(), timeout])
      .catch((error: unknown) => diag.error(`costscope: flush on ${signal} failed`, error))
      .finally(() => {
        if (appListens) return;
        remove();
        process.kill(process.pid, signal);
      });
  };
  process.on('beforeExit', onBeforeExit);
  for (const signal of SIGNALS) process.on(signal, onSignal);
  const remove = () => {
    process.removeListener('beforeExit', onBeforeExit);
    for (const signal of SIGNALS) process.removeListener(signal, onSignal);
  };
  return remove;
}
