/**
 * How hard `deliverMessage` tries one channel before recording it as failed. With the defaults
 * the waits are at most 2 s, 4 s, 8 s, 16 s (each jittered): half a minute of waiting plus the
 * attempts themselves, well within one evaluation interval (5 min). A channel still down after
 * that is recorded as failed (retryable) and the scheduler tries again on its next run with the
 * same delivery key.
 */
export type RetryPolicy = {
  /** Attempts in one delivery, the first included. */
  maxAttempts: number;
  /** Wait before the second attempt; doubles for each further one. */
  baseDelayMs: number;
  maxDelayMs: number;
  /**
   * A `Retry-After` longer than this is not waited out in-process: the delivery is recorded as
   * failed (retryable) so the scheduler's next run picks it up instead of a worker sleeping.
   */
  maxRetryAfterMs: number;
};

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = {
  maxAttempts: 5,
  baseDelayMs: 2_000,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 60_000,
};

/**
 * Exponential backoff with "equal jitter": half the step is fixed, half random, so retries of
 * many channels (or many servers after an outage) spread out but never fire immediately.
 * `attempt` is the attempt that just failed (1 = the first). `random` returns [0, 1).
 */
export function backoffDelayMs(attempt: number, policy: RetryPolicy, random: () => number): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(step / 2 + random() * (step / 2));
}
