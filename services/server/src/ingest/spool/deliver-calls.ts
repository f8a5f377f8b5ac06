import type { LlmCallRecord } from '@costscope/core';
import { isPermanentStorageFailure } from './permanent-storage-failure.js';

export type DeliverCallsOptions = {
  insert: (records: LlmCallRecord[]) => Promise<void>;
  /** Keeps calls storage will never take, with the reason (a `DeadLetterFile`). */
  deadLetter: (records: LlmCallRecord[], reason: string) => Promise<void>;
  /** Default `isPermanentStorageFailure`. */
  isPermanent?: (error: unknown) => boolean;
};

export type DeliveryResult = { inserted: number; deadLettered: number };

/**
 * Inserts the calls; when storage refuses them for their content, halves the batch and tries each
 * half, down to single calls, so the good calls of a batch land and only the calls that storage
 * refuses on their own are dead-lettered. A single bad call among n costs about 2·log₂(n) inserts.
 * A transient failure (storage unreachable, a timeout) is thrown as it is: the caller keeps the
 * whole batch and retries it later — halves already inserted are then resent, which storage's
 * (trace id, span id) dedup makes harmless.
 */
export async function deliverCalls(records: LlmCallRecord[], options: DeliverCallsOptions): Promise<DeliveryResult> {
  const isPermanent = options.isPermanent ?? isPermanentStorageFailure;
  try {
    await options.insert(records);
    return { inserted: records.length, deadLettered: 0 };
  } catch (error) {
    if (!isPermanent(error)) throw error;
    if (records.length === 1) {
      await options.deadLetter(records, reasonOf(error));
      return { inserted: 0, deadLettered: 1 };
    }
    const middle = Math.ceil(records.length / 2);
    const first = await deliverCalls(records.slice(0, middle), options);
    const second = await deliverCalls(records.slice(middle), options);
    return { inserted: first.inserted + second.inserted, deadLettered: first.deadLettered + second.deadLettered };
  }
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
