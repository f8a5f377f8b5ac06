import type { LlmCallRecord } from '@costscope/core';
import { CALL_ROW_BINARY_TYPES, CallRowBinaryWriter } from './call-row-binary.js';
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
  /** Rows per INSERT (default 200 000 embedded, 100 000 over HTTP). */
  chunkRows?: number;
  /** Payload bytes per INSERT over HTTP (default 16 MiB), whichever limit comes first; embedded inserts stream theirs. */
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
  // The embedded engine takes RowBinary (see call-row-binary.ts); a ClickHouse server over HTTP
  // takes TSV, which the test front in front of chDB can pass on.
  const rowBinary = transport.kind === 'embedded';
  const chunkRows = options.chunkRows ?? (rowBinary ? 200_000 : 100_000);
  const chunkBytes = options.chunkBytes ?? 16 * 1024 * 1024;

  // Repeats are found by span id, then compared on trace and project: keying on the span id
  // string the call already holds costs a third of building a (project, trace, span) key for
  // every call (measured ~0.8 against ~1.8 µs per call over 200 000 calls).
  const bySpanId = new Map<string, LlmCallRecord | LlmCallRecord[]>();
  const unique: LlmCallRecord[] = [];
  for (const call of calls) {
    checkCall(operation, call);
    const earlier = bySpanId.get(call.spanId);
    if (earlier === undefined) {
      bySpanId.set(call.spanId, call);
    } else {
      const sameSpanId = Array.isArray(earlier) ? earlier : [earlier];
      if (sameSpanId.some((other) => other.traceId === call.traceId && other.projectId === call.projectId)) continue;
      sameSpanId.push(call);
      bySpanId.set(call.spanId, sameSpanId);
    }
    unique.push(call);
  }

  await serialized(transport, async () => {
    // Pipelined: while the engine stores chunk k (chDB works on libuv's threads, the server over
    // HTTP), JavaScript writes chunk k + 1. The chunks of a batch are distinct (repeats were
    // dropped above), so no chunk's dedup check needs another's rows.
    let previous: { stored: Promise<void>; start: number; end: number } | undefined;
    let start = 0;
    while (start < unique.length) {
      const from = start;
      const tag = { operation, projectId: unique[from]?.projectId ?? '' };
      let end: number;
      let stored: Promise<void>;
      if (rowBinary) {
        end = Math.min(unique.length, from + chunkRows);
        // The embedded transport writes these rows to its payload file inside `insert`, before
        // it yields, while the engine is still storing the previous chunk.
        stored = transport.insert({
          table: 'llm_calls_incoming',
          columns: CALL_COLUMNS,
          rowBinary: (sink) => {
            const writer = new CallRowBinaryWriter(sink);
            for (let index = from; index < end; index += 1) writer.write(unique[index] as LlmCallRecord);
            writer.end();
          },
          types: CALL_ROW_BINARY_TYPES,
          distinctRows: true,
          tag,
        });
        stored.catch(() => undefined);
        if (previous) await chunkStored(previous, unique.length, stored);
      } else {
        const writer = new TsvWriter(Math.min(chunkBytes, 1024 * 1024) + 64 * 1024);
        end = from;
        while (end < unique.length && end - from < chunkRows && (writer.length < chunkBytes || end === from)) {
          writer.write(unique[end] as LlmCallRecord);
          end += 1;
        }
        if (previous) await chunkStored(previous, unique.length);
        stored = transport.insert({ table: 'llm_calls_incoming', columns: CALL_COLUMNS, tsv: writer.toBuffer(), tag });
        // Awaited before the next insert or at the end; this only keeps Node from calling a
        // failure unhandled while the next chunk is being written.
        stored.catch(() => undefined);
      }
      previous = { stored, start: from, end };
      start = end;
    }
    if (previous) await chunkStored(previous, unique.length);
  });
  return { sent: unique.length, repeatedInBatch: calls.length - unique.length };
}

/**
 * Waits for a chunk; if it failed, also for `next` (already sent) to settle, so nothing of this
 * batch is still being written when the next writer's dedup check runs.
 */
async function chunkStored(chunk: { stored: Promise<void>; start: number; end: number }, total: number, next?: Promise<void>): Promise<void> {
  try {
    await chunk.stored;
  } catch (error) {
    await next?.catch(() => undefined);
    if (!CostscopeStorageError.isInstance(error)) throw error;
    throw new CostscopeStorageError(
      'calls.insert',
      error.kind,
      `chunk of calls ${chunk.start}–${chunk.end - 1} of ${total} not stored (earlier chunks are; resending the batch is safe): ${error.message}`,
      { cause: error, clickhouseCode: error.clickhouseCode },
    );
  }
}

/** Refuses, before anything is sent, a call that cannot be stored as it is. */
function checkCall(operation: string, call: LlmCallRecord): void {
  requireProjectId(operation, call.projectId);
  if (!call.traceId || !call.spanId) {
    throw new CostscopeStorageError(operation, 'invalid', 'every call needs a trace id and a span id: they make resends count once');
  }
  if (!(call.time instanceof Date) || Number.isNaN(call.time.getTime())) {
    throw new CostscopeStorageError(operation, 'invalid', `call ${call.traceId}/${call.spanId} has no valid time`);
  }
  // Plain conditions rather than arrays and `some`: this runs for every call stored.
  const valid =
    isCount(call.inputTokens) &&
    isCount(call.cacheReadInputTokens) &&
    isCount(call.cacheWriteInputTokens) &&
    isCount(call.outputTokens) &&
    isCount(call.reasoningTokens) &&
    isCount(call.attempt) &&
    call.attempt <= MAX_UINT16 &&
    isCount(call.maxTokens ?? 0) &&
    (call.maxTokens ?? 0) <= MAX_UINT32 &&
    isDuration(call.latencyMs) &&
    isDuration(call.timeToFirstTokenMs ?? 0);
  if (!valid) {
    throw new CostscopeStorageError(
      operation,
      'invalid',
      `call ${call.traceId}/${call.spanId}: token counts and attempts must be whole numbers ≥ 0 (attempts up to 65535, max tokens up to 2^32 - 1) and latencies numbers from 0 to 2^32 - 1 ms`,
    );
  }
  const money =
    isDecimal(call.freshInputCostUsd) &&
    isDecimal(call.cacheReadCostUsd) &&
    isDecimal(call.cacheWriteCostUsd) &&
    isDecimal(call.outputCostUsd) &&
    isDecimal(call.totalCostUsd);
  if (!money) {
    throw new CostscopeStorageError(operation, 'invalid', `call ${call.traceId}/${call.spanId}: a cost has more than 38 digits of atto-dollars (Decimal(38, 18))`);
  }
}

const MAX_UINT16 = 65_535;
/** Largest UInt32, which max tokens and latencies are stored as. */
const MAX_UINT32 = 4_294_967_295;
const DECIMAL_LIMIT = 10n ** 38n;

function isDecimal(amount: bigint): boolean {
  return amount < DECIMAL_LIMIT && amount > -DECIMAL_LIMIT;
}

function isCount(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

function isDuration(value: number): boolean {
  return Number.isFinite(value) && value >= 0 && Math.round(value) <= MAX_UINT32;
}

/** The calls as one `TabSeparated` payload in `CALL_COLUMNS` order (no dedup, no checks). */
export function callsToTsv(calls: readonly LlmCallRecord[]): Buffer {
  const writer = new TsvWriter(1024 * 1024);
  for (const call of calls) writeCall(writer, call);
  return writer.toBuffer();
}

const TAB = 9;

/**
 * Writes TSV straight into a growing Buffer. Building one string per row and joining them cost
 * twice as much JavaScript time (rope strings, then a copy of the whole payload), and this runs
 * for every call stored.
 */
class TsvWriter {
  private buffer: Buffer;
  length = 0;

  constructor(capacity: number) {
    this.buffer = Buffer.allocUnsafe(capacity);
  }

  /** A string value, TSV-escaped, then a tab. */
  text(value: string): void {
    this.raw(TSV_SPECIAL.test(value) ? escapeTsv(value) : value);
  }

  /** A value that needs no escaping (numbers, times, decimals, map text), then a tab. */
  raw(value: string): void {
    const room = value.length * 3 + 1;
    if (this.length + room > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + room));
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    this.length += this.buffer.write(value, this.length);
    this.buffer[this.length++] = TAB;
  }

  /** A whole row, its tabs and newline included. */
  row(value: string): void {
    const room = value.length * 3;
    if (this.length + room > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + room));
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    this.length += this.buffer.write(value, this.length);
  }

  /** One call as one row. */
  write(call: LlmCallRecord): void {
    writeCall(this, call);
  }

  toBuffer(): Buffer {
    return this.buffer.subarray(0, this.length);
  }
}

/**
 * One row as one string, written with one `Buffer.write`: 37 writes per row cost more in call
 * overhead than the row's bytes (the string is a rope of short pieces, flattened once).
 */
function writeCall(w: TsvWriter, c: LlmCallRecord): void {
  w.row(
    `${tsvText(c.projectId)}\t${dateTime64(c.time)}\t${tsvText(c.traceId)}\t${tsvText(c.spanId)}\t${tsvText(c.service)}\t` +
      `${tsvText(c.feature)}\t${tsvText(c.endpoint)}\t${tsvText(c.userId)}\t${tsvText(c.userTier)}\t${tsvText(c.priority)}\t` +
      `${tsvText(c.provider)}\t${tsvText(c.requestModel)}\t${tsvText(c.responseModel)}\t${tsvText(c.operation)}\t` +
      `${c.inputTokens}\t${c.cacheReadInputTokens}\t${c.cacheWriteInputTokens}\t${c.outputTokens}\t${c.reasoningTokens}\t` +
      `${tsvText(c.costStatus)}\t${tsvText(c.pricedModel)}\t${tsvText(c.priceVersion)}\t` +
      `${money(c.freshInputCostUsd)}\t${money(c.cacheReadCostUsd)}\t${money(c.cacheWriteCostUsd)}\t${money(c.outputCostUsd)}\t${money(c.totalCostUsd)}\t` +
      `${tsvText(c.status)}\t${tsvText(c.errorType)}\t${c.attempt}\t${c.batch ? 'true' : 'false'}\t` +
      `${c.maxTokens === null ? '\\N' : Math.round(c.maxTokens)}\t${tsvText(c.finishReason)}\t${tsvText(c.promptPrefixHash)}\t` +
      `${Math.round(c.latencyMs)}\t${c.timeToFirstTokenMs === null ? '\\N' : Math.round(c.timeToFirstTokenMs)}\t${attributeMap(c.attributes)}\n`,
  );
}

/** A string value, TSV-escaped: the one escaping every TSV insert uses (calls, re-priced costs). */
export function tsvText(value: string): string {
  return TSV_SPECIAL.test(value) ? escapeTsv(value) : value;
}

const MS_PER_DAY = 86_400_000;
/** 9999-12-31T23:59:59.999Z: past it `toISOString` writes six-digit years. */
const LAST_FOUR_DIGIT_YEAR_MS = 253_402_300_799_999;
const TWO_DIGITS = Array.from({ length: 100 }, (_, n) => String(n).padStart(2, '0'));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, n) => String(n).padStart(3, '0'));
let cachedDay = Number.NaN;
let cachedDayText = '';

/**
 * `YYYY-MM-DD hh:mm:ss.sss` (UTC), as DateTime64(3) parses it. The date part is remembered (the
 * calls of a batch share a day or two) and the time of day is built from tables: the same text
 * as `toISOString()` sliced, without making it and three more strings for every call.
 */
export function dateTime64(time: Date): string {
  const ms = time.getTime();
  if (!(ms >= 0 && ms <= LAST_FOUR_DIGIT_YEAR_MS)) {
    const iso = time.toISOString();
    return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
  }
  const day = Math.floor(ms / MS_PER_DAY);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedDayText = `${new Date(day * MS_PER_DAY).toISOString().slice(0, 10)} `;
  }
  let rest = ms - day * MS_PER_DAY;
  const millis = rest % 1000;
  rest = (rest - millis) / 1000;
  const seconds = rest % 60;
  rest = (rest - seconds) / 60;
  const minutes = rest % 60;
  const hours = (rest - minutes) / 60;
  return `${cachedDayText}${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds]}.${THREE_DIGITS[millis]}`;
}

/** TSV escaping: a backslash, tab, newline or carriage return inside a value is written escaped. */
const TSV_SPECIAL = /[\\\t\n\r]/;
function escapeTsv(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
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
  let text = '{';
  for (const key of Object.keys(attributes)) {
    if (text.length > 1) text += ',';
    text += `${quoted(key)}:${quoted(String(attributes[key]))}`;
  }
  return `${text}}`;
}

const QUOTED_SPECIAL = /[\\'\t\n\r]/;
const QUOTED_SPECIALS = /[\\'\t\n\r]/g;
function quoted(value: string): string {
  // Most keys and values need no escape: test first, replace only when one does.
  return QUOTED_SPECIAL.test(value) ? `'${value.replace(QUOTED_SPECIALS, (ch) => QUOTED_ESCAPES[ch] ?? ch)}'` : `'${value}'`;
}
const QUOTED_ESCAPES: Record<string, string> = { '\\': '\\\\', "'": "\\'", '\t': '\\t', '\n': '\\n', '\r': '\\r' };

const writeQueues = new WeakMap<ClickHouseTransport, Promise<unknown>>();

/**
 * Runs `write` after every earlier write through this transport has finished. Inserts and
 * re-pricing share the queue: the dedup view and a rollup rebuild must each see a settled table.
 */
export async function serialized<T>(transport: ClickHouseTransport, write: () => Promise<T>): Promise<T> {
  const previous = writeQueues.get(transport) ?? Promise.resolve();
  const next = previous.then(write);
  // The queue must not stay rejected: the next writer runs whatever happened to this one.
  writeQueues.set(
    transport,
    next.catch(() => undefined),
  );
  return next;
}
