import { createHash } from 'node:crypto';

/**
 * The app's own retries (a `try/catch` loop around `create`) are invisible to the client, so the
 * SDK recognises them: a request identical to one that failed in the last minutes is the next
 * attempt of it. Only failures are remembered, so a process with no failures never hashes a
 * request body, and the table is bounded.
 */
const RETRY_WINDOW_MS = 10 * 60 * 1000;
const MAX_REMEMBERED_FAILURES = 1000;

const failedRequests = new Map<string, { attempt: number; failedAt: number }>();

export function requestFingerprint(provider: string, operation: string, body: unknown): string {
  return createHash('sha1').update(`${provider}\u0000${operation}\u0000${JSON.stringify(body)}`).digest('base64');
}

/** Attempts already spent on this request by earlier, failed calls (0 when none). */
export function attemptsAlreadyMade(fingerprint: () => string): number {
  if (failedRequests.size === 0) return 0;
  const key = fingerprint();
  const failed = failedRequests.get(key);
  if (failed === undefined) return 0;
  if (Date.now() - failed.failedAt > RETRY_WINDOW_MS) {
    failedRequests.delete(key);
    return 0;
  }
  return failed.attempt;
}

export function rememberOutcome(fingerprint: string, lastAttempt: number, failed: boolean): void {
  if (!failed) {
    failedRequests.delete(fingerprint);
    return;
  }
  if (failedRequests.size >= MAX_REMEMBERED_FAILURES) {
    // Forget the oldest failure (Map keeps insertion order).
    const oldest = failedRequests.keys().next();
    if (oldest.done !== true) failedRequests.delete(oldest.value);
  }
  failedRequests.delete(fingerprint);
  failedRequests.set(fingerprint, { attempt: lastAttempt, failedAt: Date.now() });
}
