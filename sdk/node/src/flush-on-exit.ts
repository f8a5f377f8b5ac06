import { diag } from '@opentelemetry/api';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;
/** How long the end of a process may wait for the export; an unreachable server must not hold it. */
const FLUSH_AT_EXIT_TIMEOUT_MS = 2000;

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
    void flushWithin(flush, 'exit').then((finished) => {
      // The app had finished; only the exporter's retries to an unreachable server keep the
      // process up. End it as it would have ended.
      if (!finished) process.exit();
    });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    const appListens = process.listenerCount(signal) > 1;
    void flushWithin(flush, signal).finally(() => {
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

/** Resolves true when the flush finished (well or not) within the deadline, false on timeout. */
function flushWithin(flush: () => Promise<void>, when: string): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), FLUSH_AT_EXIT_TIMEOUT_MS);
  });
  const flushed = flush().then(
    () => true,
    (error: unknown) => {
      diag.error(`costscope: flush at ${when} failed`, error);
      return true;
    },
  );
  return Promise.race([flushed, deadline]).finally(() => clearTimeout(timer));
}
