import type { OutgoingMessage } from '../messages/outgoing-message.js';
import type { AlertChannel, ChannelName } from './alert-channel.js';
import { CostscopeDeliveryError, type DeliveryFailureKind } from './delivery-error.js';
import { backoffDelayMs, DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy.js';

/** One channel's result for one message: what storage records and `/api/v1/alerts` shows. */
export type DeliveryOutcome = {
  deliveryKey: string;
  channel: ChannelName;
  status: 'delivered' | 'failed';
  /** All attempts under this key, including those of earlier runs passed in `previousOutcomes`. */
  attempts: number;
  /** `null` once delivered. `retryable` tells the scheduler to try again on its next run. */
  lastError: { kind: DeliveryFailureKind; code: string; message: string; retryable: boolean } | null;
  /** Slack's message `ts`, the email's Message-ID; `null` for webhooks and failures. */
  providerMessageId: string | null;
  detail: string | null;
  firstAttemptAt: Date;
  finishedAt: Date;
};

/** Time as the delivery loop sees it; tests pass one that never waits. */
export type DeliveryClock = { now(): Date; sleep(ms: number): Promise<void> };

export const systemDeliveryClock: DeliveryClock = {
  now: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export type DeliverOptions = {
  clock?: DeliveryClock;
  /** Jitter source, [0, 1). */
  random?: () => number;
  retry?: Partial<RetryPolicy>;
  /**
   * What storage recorded under this delivery key in earlier runs. Channels that already
   * delivered are skipped (their outcome is returned unchanged); failed ones are tried again and
   * their attempts carried on.
   */
  previousOutcomes?: readonly DeliveryOutcome[];
  /**
   * Called as soon as each channel finishes, before the others do, so storage can record a
   * delivered Slack message while email is still retrying. Awaited; if it throws, the remaining
   * channels still finish and `deliverMessage` then rejects with an `AggregateError`.
   */
  onOutcome?: (outcome: DeliveryOutcome) => Promise<void> | void;
};

/**
 * Sends one rendered message to each channel independently — in parallel, so a channel that is
 * down (and retrying) never delays or blocks another — retrying retryable failures with
 * exponential backoff and jitter, honouring Retry-After, and stopping at once on permanent ones.
 * Never throws for a delivery failure: each channel's result is in the returned outcomes.
 */
export async function deliverMessage(
  message: OutgoingMessage,
  channels: readonly AlertChannel[],
  deliveryKey: string,
  options: DeliverOptions = {},
): Promise<DeliveryOutcome[]> {
  const names = new Set<string>();
  for (const channel of channels) {
    if (names.has(channel.name)) throw new RangeError(`Channel "${channel.name}" is listed twice; outcomes are recorded per channel`);
    names.add(channel.name);
  }
  const recordingErrors: unknown[] = [];
  const outcomes = await Promise.all(
    channels.map(async (channel) => {
      const previous = options.previousOutcomes?.find((outcome) => outcome.deliveryKey === deliveryKey && outcome.channel === channel.name);
      if (previous?.status === 'delivered') return previous;
      const outcome = await deliverToChannel(message, channel, deliveryKey, previous, options);
      try {
        await options.onOutcome?.(outcome);
      } catch (error) {
        recordingErrors.push(error);
      }
      return outcome;
    }),
  );
  if (recordingErrors.length > 0) {
    throw new AggregateError(recordingErrors, `Delivered, but ${recordingErrors.length} outcome(s) could not be recorded`);
  }
  return outcomes;
}

async function deliverToChannel(
  message: OutgoingMessage,
  channel: AlertChannel,
  deliveryKey: string,
  previous: DeliveryOutcome | undefined,
  options: DeliverOptions,
): Promise<DeliveryOutcome> {
  const clock = options.clock ?? systemDeliveryClock;
  const random = options.random ?? Math.random;
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const firstAttemptAt = previous?.firstAttemptAt ?? clock.now();
  const attemptsBefore = previous?.attempts ?? 0;
  const finish = (attempt: number, rest: Pick<DeliveryOutcome, 'status' | 'lastError' | 'providerMessageId' | 'detail'>): DeliveryOutcome => ({
    deliveryKey,
    channel: channel.name,
    attempts: attemptsBefore + attempt,
    firstAttemptAt,
    finishedAt: clock.now(),
    ...rest,
  });

  for (let attempt = 1; ; attempt++) {
    let failure: CostscopeDeliveryError;
    try {
      const receipt = await channel.send(message, { deliveryKey });
      return finish(attempt, {
        status: 'delivered',
        lastError: null,
        providerMessageId: receipt.providerMessageId ?? null,
        detail: receipt.detail ?? null,
      });
    } catch (error) {
      failure = CostscopeDeliveryError.isInstance(error)
        ? error
        : // A channel bug or an unforeseen failure: retried like an outage, within the same bounds.
          new CostscopeDeliveryError(channel.name, 'unreachable', 'unknown', (error as Error)?.message ?? String(error), { cause: error });
    }
    const failed = (note = '') =>
      finish(attempt, {
        status: 'failed',
        lastError: { kind: failure.kind, code: failure.code, message: `${failure.message}${note}`, retryable: failure.retryable },
        providerMessageId: null,
        detail: null,
      });
    if (!failure.retryable) return failed();
    if (attempt >= policy.maxAttempts) return failed(` (gave up after ${attempt} attempts)`);
    if (failure.retryAfterMs !== undefined && failure.retryAfterMs > policy.maxRetryAfterMs) {
      return failed(` (Retry-After ${Math.ceil(failure.retryAfterMs / 1000)} s is longer than this run waits)`);
    }
    // The peer's Retry-After wins over our backoff: sooner would only be refused again.
    await clock.sleep(failure.retryAfterMs ?? backoffDelayMs(attempt, policy, random));
  }
}

/** A failed outcome that another run may still deliver (the scheduler retries these on its next tick). */
export function isRetryableFailure(outcome: DeliveryOutcome): boolean {
  return outcome.status === 'failed' && outcome.lastError?.retryable === true;
}
