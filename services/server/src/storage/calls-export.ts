import type { LlmCallRecord } from '@costscope/core';
import { callsTable } from './hourly-rollups.js';
import { requireProjectId, requireRange, toClickHouseTime, toCount, toUsd } from './query-support.js';
import type { ClickHouseTransport } from './transport.js';

export type ExportCallsInput = {
  projectId: string;
  from: Date;
  /** Exclusive. */
  to: Date;
  /** Calls per read (default 10 000): the most the export holds in memory at once. */
  pageRows?: number;
  signal?: AbortSignal;
};

export type ExportPlan = {
  /** Calls in the range when the export began (calls arriving meanwhile are exported too). */
  callsTotal: number;
  /** Contiguous windows covering [from, to), each holding about `pageRows` calls or fewer. */
  windows: Array<{ from: Date; to: Date }>;
};

/**
 * Counts the range's calls per hour (the sort key's hour: the primary index answers it) and cuts
 * [from, to) into windows of about one page each. Reading window by window keeps every page read
 * small: a keyset page over the whole range would sort everything after its cursor on each read.
 * Windows cover the whole range, empty hours included, so a call arriving in an hour that was
 * empty when counted is exported too.
 */
export async function planCallsExport(transport: ClickHouseTransport, input: ExportCallsInput): Promise<ExportPlan> {
  const operation = 'calls.exportPlan';
  requireProjectId(operation, input.projectId);
  requireRange(operation, input.from, input.to);
  const pageRows = input.pageRows ?? 10_000;
  const hours = await transport.query<{ hour_ms: string | number; calls: string | number }>({
    sql: `SELECT toUnixTimestamp64Milli(toDateTime64(toStartOfHour(time), 3, 'UTC')) AS hour_ms, count() AS calls
          FROM ${callsTable(transport)}
          WHERE project_id = {projectId:String} AND time >= {from:DateTime64(3, 'UTC')} AND time < {to:DateTime64(3, 'UTC')}
          GROUP BY hour_ms
          ORDER BY hour_ms`,
    params: { projectId: input.projectId, from: toClickHouseTime(input.from), to: toClickHouseTime(input.to) },
    tag: { operation, projectId: input.projectId },
    signal: input.signal,
  });
  const windows: ExportPlan['windows'] = [];
  let callsTotal = 0;
  let windowFrom = input.from.getTime();
  let windowCalls = 0;
  for (const row of hours) {
    const hourStart = Math.max(toCount(row.hour_ms), input.from.getTime());
    const calls = toCount(row.calls);
    callsTotal += calls;
    if (windowCalls > 0 && windowCalls + calls > pageRows) {
      windows.push({ from: new Date(windowFrom), to: new Date(hourStart) });
      windowFrom = hourStart;
      windowCalls = 0;
    }
    windowCalls += calls;
  }
  windows.push({ from: new Date(windowFrom), to: input.to });
  return { callsTotal, windows };
}

/**
 * The project's stored calls in [from, to), oldest first (then by trace and span id), one page at
 * a time: at most `pageRows` calls are in memory, whatever the range holds. Each window of the
 * plan is read by keyset pages, so an hour busier than a page is read in several.
 */
export async function* readCallsForExport(
  transport: ClickHouseTransport,
  input: ExportCallsInput,
  plan: ExportPlan,
): AsyncGenerator<LlmCallRecord[]> {
  const operation = 'calls.export';
  const pageRows = input.pageRows ?? 10_000;
  const tag = { operation, projectId: input.projectId };
  for (const window of plan.windows) {
    let after = { time: toClickHouseTime(new Date(0)), traceId: '', spanId: '' };
    for (;;) {
      const rows = await transport.query<StoredCallRow>({
        sql: `SELECT ${EXPORTED_COLUMNS}
              FROM ${callsTable(transport)}
              WHERE project_id = {projectId:String} AND time >= {from:DateTime64(3, 'UTC')} AND time < {to:DateTime64(3, 'UTC')}
                AND (time, trace_id, span_id) > ({afterTime:DateTime64(3, 'UTC')}, {afterTrace:String}, {afterSpan:String})
              ORDER BY time, trace_id, span_id
              LIMIT {pageRows:UInt32}`,
        params: {
          projectId: input.projectId,
          from: toClickHouseTime(window.from),
          to: toClickHouseTime(window.to),
          afterTime: after.time,
          afterTrace: after.traceId,
          afterSpan: after.spanId,
          pageRows,
        },
        tag,
        signal: input.signal,
      });
      if (rows.length === 0) break;
      yield rows.map((row) => storedCall(input.projectId, row));
      const last = rows[rows.length - 1] as StoredCallRow;
      after = { time: toClickHouseTime(new Date(toCount(last.time_ms))), traceId: last.trace_id, spanId: last.span_id };
      if (rows.length < pageRows) break;
    }
  }
}

/** Every stored column of a call, money as exact text (JSON numbers would round it). */
const EXPORTED_COLUMNS = `toUnixTimestamp64Milli(time) AS time_ms, trace_id, span_id, service, feature, endpoint, user_id, user_tier,
  priority, provider, request_model, response_model, operation, input_tokens, cache_read_input_tokens,
  cache_write_input_tokens, output_tokens, reasoning_tokens, cost_status, priced_model, price_version,
  toString(fresh_input_cost_usd) AS fresh_input_cost, toString(cache_read_cost_usd) AS cache_read_cost,
  toString(cache_write_cost_usd) AS cache_write_cost, toString(output_cost_usd) AS output_cost,
  toString(total_cost_usd) AS total_cost, status, error_type, attempt, batch, max_tokens, finish_reason,
  prompt_prefix_hash, latency_ms, time_to_first_token_ms, attributes`;

type StoredCallRow = {
  time_ms: string | number;
  trace_id: string;
  span_id: string;
  service: string;
  feature: string;
  endpoint: string;
  user_id: string;
  user_tier: string;
  priority: string;
  provider: string;
  request_model: string;
  response_model: string;
  operation: string;
  input_tokens: string | number;
  cache_read_input_tokens: string | number;
  cache_write_input_tokens: string | number;
  output_tokens: string | number;
  reasoning_tokens: string | number;
  cost_status: string;
  priced_model: string;
  price_version: string;
  fresh_input_cost: string;
  cache_read_cost: string;
  cache_write_cost: string;
  output_cost: string;
  total_cost: string;
  status: string;
  error_type: string;
  attempt: string | number;
  batch: boolean | number | string;
  max_tokens: string | number | null;
  finish_reason: string;
  prompt_prefix_hash: string;
  latency_ms: string | number;
  time_to_first_token_ms: string | number | null;
  attributes: Record<string, string> | null;
};

function storedCall(projectId: string, row: StoredCallRow): LlmCallRecord {
  return {
    projectId,
    time: new Date(toCount(row.time_ms)),
    traceId: row.trace_id,
    spanId: row.span_id,
    service: row.service,
    feature: row.feature,
    endpoint: row.endpoint,
    userId: row.user_id,
    userTier: row.user_tier,
    priority: row.priority,
    provider: row.provider,
    requestModel: row.request_model,
    responseModel: row.response_model,
    operation: row.operation,
    inputTokens: toCount(row.input_tokens),
    cacheReadInputTokens: toCount(row.cache_read_input_tokens),
    cacheWriteInputTokens: toCount(row.cache_write_input_tokens),
    outputTokens: toCount(row.output_tokens),
    reasoningTokens: toCount(row.reasoning_tokens),
    costStatus: row.cost_status as LlmCallRecord['costStatus'],
    pricedModel: row.priced_model,
    priceVersion: row.price_version,
    freshInputCostUsd: toUsd(row.fresh_input_cost),
    cacheReadCostUsd: toUsd(row.cache_read_cost),
    cacheWriteCostUsd: toUsd(row.cache_write_cost),
    outputCostUsd: toUsd(row.output_cost),
    totalCostUsd: toUsd(row.total_cost),
    status: row.status as LlmCallRecord['status'],
    errorType: row.error_type,
    attempt: toCount(row.attempt),
    batch: row.batch === true || row.batch === 1 || row.batch === 'true',
    maxTokens: row.max_tokens === null ? null : toCount(row.max_tokens),
    finishReason: row.finish_reason,
    promptPrefixHash: row.prompt_prefix_hash,
    latencyMs: toCount(row.latency_ms),
    timeToFirstTokenMs: row.time_to_first_token_ms === null ? null : toCount(row.time_to_first_token_ms),
    attributes: row.attributes ?? {},
  };
}
