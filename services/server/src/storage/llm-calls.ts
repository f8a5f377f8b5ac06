import type { LlmCallRecord } from '@costscope/core';
import { CostscopeStorageError } from './errors.js';
import { requireProjectId } from './query-support.js';
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
  const lines: string[] = [];
  for (const call of calls) {
    requireProjectId(operation, call.projectId);
    if (!call.traceId || !call.spanId) {
      throw new CostscopeStorageError(operation, 'invalid', 'every call needs a trace id and a span id: they make resends count once');
    }
    const identity = `${call.projectId}\u0000${call.traceId}\u0000${call.spanId}`;
    if (seen.has(identity)) continue;
    seen.add(identity);
    lines.push(callLine(call));
  }

  await serialized(transport, async () => {
    let start = 0;
    while (start < lines.length) {
      let end = start;
      let bytes = 0;
      while (end < lines.length && end - start < chunkRows && (bytes < chunkBytes || end === start)) {
        bytes += (lines[end] as string).length + 1;
        end += 1;
      }
      try {
        await transport.insert({
          table: 'llm_calls_incoming',
          columns: CALL_COLUMNS,
          tsv: Buffer.from(`${lines.slice(start, end).join('\n')}\n`),
          tag: { operation, projectId: calls[0]?.projectId ?? '' },
        });
      } catch (error) {
        if (CostscopeStorageError.isInstance(error)) {
          throw new CostscopeStorageError(
            operation,
            error.kind,
            `chunk of calls ${start}–${end - 1} of ${lines.length} not stored (earlier chunks are; resending the batch is safe): ${error.message}`,
            { cause: error, clickhouseCode: error.clickhouseCode },
          );
        }
        throw error;
      }
      start = end;
    }
  });
  return { sent: lines.length, repeatedInBatch: calls.length - lines.length };
}

/**
 * One `TabSeparated` line in `CALL_COLUMNS` order. Written as one template (not an array join):
 * this runs for every call stored, and is most of the JavaScript time of a load.
 */
export function callLine(c: LlmCallRecord): string {
  const iso = c.time.toISOString();
  return `${text(c.projectId)}\t${iso.slice(0, 10)} ${iso.slice(11, 23)}\t${text(c.traceId)}\t${text(c.spanId)}\t${text(c.service)}\t${text(c.feature)}\t${text(c.endpoint)}\t${text(c.userId)}\t${text(c.userTier)}\t${text(c.priority)}\t${text(c.provider)}\t${text(c.requestModel)}\t${text(c.responseModel)}\t${text(c.operation)}\t${count(c.inputTokens)}\t${count(c.cacheReadInputTokens)}\t${count(c.cacheWriteInputTokens)}\t${count(c.outputTokens)}\t${count(c.reasoningTokens)}\t${text(c.costStatus)}\t${text(c.pricedModel)}\t${text(c.priceVersion)}\t${money(c.freshInputCostUsd)}\t${money(c.cacheReadCostUsd)}\t${money(c.cacheWriteCostUsd)}\t${money(c.outputCostUsd)}\t${money(c.totalCostUsd)}\t${text(c.status)}\t${text(c.errorType)}\t${count(c.attempt)}\t${c.batch ? 'true' : 'false'}\t${c.maxTokens === null ? '\\N' : count(c.maxTokens)}\t${text(c.finishReason)}\t${text(c.promptPrefixHash)}\t${count(Math.round(c.latencyMs))}\t${c.timeToFirstTokenMs === null ? '\\N' : count(Math.round(c.timeToFirstTokenMs))}\t${attributeMap(c.attributes)}`;
}

/** TSV escaping: a backslash, tab, newline or carriage return inside a value is written escaped. */
const TSV_SPECIAL = /[\\\t\n\r]/;
function text(value: string): string {
  if (!TSV_SPECIAL.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

function count(value: number): string {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new CostscopeStorageError('calls.insert', 'invalid', `token counts, attempts and latencies are whole numbers ≥ 0, got ${value}`);
  }
  return String(value);
}

/**
 * Exact decimal dollars without trailing zeros ("0.0015", "2"): Decimal(38, 18) parses it
 * exactly, in fewer bytes than the 18-decimal form. Same digits as `usdToDecimalString`, made
 * from the integer's text rather than by bigint division, which is slower per call.
 */
export function money(amount: bigint): string {
  if (amount === 0n) return '0';
  const negative = amount < 0n;
  const digits = (negative ? -amount : amount).toString().padStart(19, '0');
  const whole = digits.slice(0, -18);
  let fraction = digits.slice(-18);
  let end = fraction.length;
  while (end > 0 && fraction.charCodeAt(end - 1) === 48) end -= 1;
  fraction = fraction.slice(0, end);
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

/**
 * A Map(String, String) in ClickHouse's text form, `{'key':'value'}`. Its strings are quoted and
 * escaped (no raw tab or newline can appear), which is all TSV needs of a nested value.
 */
function attributeMap(attributes: Record<string, string>): string {
  const entries = Object.entries(attributes);
  if (entries.length === 0) return '{}';
  return `{${entries.map(([key, value]) => `${quoted(key)}:${quoted(String(value))}`).join(',')}}`;
}

function quoted(value: string): string {
  return `'${value.replace(/[\\'\t\n\r]/g, (ch) => QUOTED_ESCAPES[ch] ?? ch)}'`;
}
const QUOTED_ESCAPES: Record<string, string> = { '\\': '\\\\', "'": "\\'", '\t': '\\t', '\n': '\\n', '\r': '\\r' };

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
