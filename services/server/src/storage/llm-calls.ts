import type { LlmCallRecord } from '@costscope/core';
import { usdToDecimalString } from '@costscope/core';
import { CostscopeStorageError } from './errors.js';
import { requireProjectId, toClickHouseTime } from './query-support.js';
import type { ClickHouseTransport } from './transport.js';

/** Column order of `llm_calls_incoming` rows as `insertCalls` writes them. */
export const CALL_COLUMNS = [
  'project_id', 'time', 'trace_id', 'span_id', 'service', 'feature', 'endpoint', 'user_id', 'user_tier',
  'priority', 'provider', 'request_model', 'response_model', 'operation', 'input_tokens',
  'cache_read_input_tokens', 'cache_write_input_tokens', 'output_tokens', 'reasoning_tokens', 'cost_status',
  'priced_model', 'price_version', 'fresh_input_cost_usd', 'cache_read_cost_usd', 'cache_write_cost_usd',
  'output_cost_usd', 'total_cost_usd', 'status', 'error_type', 'attempt', 'batch', 'max_tokens',
  'finish_reason', 'prompt_prefix_hash', 'latency_ms', 'time_to_first_token_ms', 'attributes',
] as const;

export type InsertCallsOptions = {
  /** Rows per INSERT (default 100 000). */
  chunkRows?: number;
  /** Payload bytes per INSERT (default 16 MiB), whichever limit comes first. */
  chunkBytes?: number;
};

export type InsertCallsResult = {
  /** Calls sent to storage after dropping repeats inside this batch. */
  sent: number;
  /** Calls dropped because the same (project, trace id, span id) appeared earlier in the batch. */
  repeatedInBatch: number;
};

/**
 * Writes calls through the dedup view (see docs/data-model.md): a call whose (project, trace id,
 * span id) is already stored, or appears earlier in the same batch, is not stored again, so an
 * OTLP resend never changes a total. Inserts go in chunks; a failed chunk throws, and as the
 * write is idempotent the caller retries the whole batch safely.
 *
 * Writes through one transport are serialized: the dedup view checks what is stored, so two
 * overlapping batches must not be checked at the same moment.
 */
export async function insertCalls(
  transport: ClickHouseTransport,
  calls: readonly LlmCallRecord[],
  options: InsertCallsOptions = {},
): Promise<InsertCallsResult> {
  const operation = 'calls.insert';
  const chunkRows = options.chunkRows ?? 100_000;
  const chunkBytes = options.chunkBytes ?? 16 * 1024 * 1024;

  const seen = new Set<string>();
  const rows: unknown[][] = [];
  for (const call of calls) {
    requireProjectId(operation, call.projectId);
    if (!call.traceId || !call.spanId) {
      throw new CostscopeStorageError(operation, 'invalid', 'every call needs a trace id and a span id: they make resends count once');
    }
    const identity = `${call.projectId}\u0000${call.traceId}\u0000${call.spanId}`;
    if (seen.has(identity)) continue;
    seen.add(identity);
    rows.push(callRow(call));
  }

  await serialized(transport, async () => {
    let start = 0;
    while (start < rows.length) {
      // Bytes are estimated per row (its strings and the attribute map dominate).
      let end = start;
      let bytes = 0;
      while (end < rows.length && end - start < chunkRows && (bytes < chunkBytes || end === start)) {
        bytes += estimateRowBytes(rows[end] as unknown[]);
        end += 1;
      }
      try {
        await transport.insert({
          table: 'llm_calls_incoming',
          columns: CALL_COLUMNS,
          rows: rows.slice(start, end),
          tag: { operation, projectId: calls[0]?.projectId ?? '' },
        });
      } catch (error) {
        if (CostscopeStorageError.isInstance(error)) {
          throw new CostscopeStorageError(
            operation,
            error.kind,
            `chunk of calls ${start}–${end - 1} of ${rows.length} not stored (earlier chunks are; resending the batch is safe): ${error.message}`,
            { cause: error, clickhouseCode: error.clickhouseCode },
          );
        }
        throw error;
      }
      start = end;
    }
  });
  return { sent: rows.length, repeatedInBatch: calls.length - rows.length };
}

/** One row in `CALL_COLUMNS` order; money as exact decimal strings for `Decimal(38, 18)`. */
export function callRow(call: LlmCallRecord): unknown[] {
  return [
    call.projectId,
    toClickHouseTime(call.time),
    call.traceId,
    call.spanId,
    call.service,
    call.feature,
    call.endpoint,
    call.userId,
    call.userTier,
    call.priority,
    call.provider,
    call.requestModel,
    call.responseModel,
    call.operation,
    call.inputTokens,
    call.cacheReadInputTokens,
    call.cacheWriteInputTokens,
    call.outputTokens,
    call.reasoningTokens,
    call.costStatus,
    call.pricedModel,
    call.priceVersion,
    usdToDecimalString(call.freshInputCostUsd),
    usdToDecimalString(call.cacheReadCostUsd),
    usdToDecimalString(call.cacheWriteCostUsd),
    usdToDecimalString(call.outputCostUsd),
    usdToDecimalString(call.totalCostUsd),
    call.status,
    call.errorType,
    call.attempt,
    call.batch,
    call.maxTokens,
    call.finishReason,
    call.promptPrefixHash,
    Math.max(0, Math.round(call.latencyMs)),
    call.timeToFirstTokenMs === null ? null : Math.max(0, Math.round(call.timeToFirstTokenMs)),
    call.attributes,
  ];
}

function estimateRowBytes(row: unknown[]): number {
  let bytes = 16;
  for (const value of row) {
    if (typeof value === 'string') bytes += value.length + 3;
    else if (value !== null && typeof value === 'object') bytes += JSON.stringify(value).length;
    else bytes += 8;
  }
  return bytes;
}

const writeQueues = new WeakMap<ClickHouseTransport, Promise<unknown>>();

async function serialized<T>(transport: ClickHouseTransport, write: () => Promise<T>): Promise<T> {
  const previous = writeQueues.get(transport) ?? Promise.resolve();
  const next = previous.then(write);
  // The queue must not stay rejected: the next writer runs whatever happened to this one.
  writeQueues.set(
    transport,
    next.catch(() => undefined),
  );
  return next;
}
