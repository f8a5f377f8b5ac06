import { randomBytes } from 'node:crypto';
import { usdToDecimalString, type LlmCallRecord } from '@costscope/core';
import { CostscopeStorageError } from './errors.js';
import { serialized } from './llm-calls.js';
import { requireProjectId, requireRange, toClickHouseTime, toCount, toUsd } from './query-support.js';
import type { ClickHouseTransport, Statement } from './transport.js';

export type RepriceCallsInput = {
  projectId: string;
  /** Widened down to the start of its UTC hour: rollups are hourly. */
  from: Date;
  /** Widened up to the end of its UTC hour. */
  to: Date;
  /** Pure: the same calls with new prices, same order (the ingest's `repriceRecords`). */
  reprice: (calls: LlmCallRecord[]) => LlmCallRecord[];
  /** Calls read per page (default 50 000). */
  pageRows?: number;
};

export type RepriceCallsResult = { examined: number; changed: number; from: Date; to: Date };

const HOUR_MS = 3_600_000;

type StoredCallRow = Record<string, unknown> & {
  time_ms: string | number;
  trace_id: string;
  span_id: string;
  attributes: Record<string, string>;
};

/**
 * Applies new prices to stored calls of one project and time range, and brings the hourly rollups
 * in step. Three steps, all inside the transport's write queue so no insert of this process
 * interleaves:
 * 1. read the calls page by page and price them again; the changed costs go into a temporary
 *    `Join` table;
 * 2. one mutation updates those calls' cost columns from it (`joinGet`);
 * 3. the range's rollup rows are deleted and rebuilt from the calls, whole hours only.
 * Running it twice gives the same result. Calls older than the raw retention are gone and cannot
 * be re-priced; their rollup hours are outside any range this accepts (see the caller).
 * Not for a cluster: mutations there need `ON CLUSTER` on the local tables.
 */
export async function repriceCalls(transport: ClickHouseTransport, input: RepriceCallsInput): Promise<RepriceCallsResult> {
  const operation = 'calls.reprice';
  requireProjectId(operation, input.projectId);
  requireRange(operation, input.from, input.to);
  const from = new Date(Math.floor(input.from.getTime() / HOUR_MS) * HOUR_MS);
  const to = new Date(Math.ceil(input.to.getTime() / HOUR_MS) * HOUR_MS);
  const tag = { operation, projectId: input.projectId };
  const range = { projectId: input.projectId, from: toClickHouseTime(from), to: toClickHouseTime(to) };
  const pageRows = input.pageRows ?? 50_000;

  return serialized(transport, async () => {
    const [{ db } = { db: '' }] = await transport.query<{ db: string }>({ sql: 'SELECT currentDatabase() AS db', tag });
    // Our own name (random hex), never a caller's value; joinGet needs it qualified in a mutation.
    const joinTable = `reprice_${randomBytes(8).toString('hex')}`;
    await transport.command({
      // One key column: a Join table keyed on two String columns is refused inside a mutation.
      sql: `CREATE TABLE ${db}.${joinTable} (call_key String, cost_status String, priced_model String,
              price_version String, fresh_input_cost_usd Decimal(38, 18), cache_read_cost_usd Decimal(38, 18),
              cache_write_cost_usd Decimal(38, 18), output_cost_usd Decimal(38, 18), total_cost_usd Decimal(38, 18))
            ENGINE = Join(ANY, LEFT, call_key)`,
      tag,
    });
    try {
      let examined = 0;
      let changed = 0;
      let after = { time: toClickHouseTime(new Date(0)), traceId: '', spanId: '' };
      for (;;) {
        const rows = await transport.query<StoredCallRow>({
          sql: `SELECT *, toUnixTimestamp64Milli(time) AS time_ms,
                  toString(fresh_input_cost_usd) AS fresh_s, toString(cache_read_cost_usd) AS read_s,
                  toString(cache_write_cost_usd) AS write_s, toString(output_cost_usd) AS output_s,
                  toString(total_cost_usd) AS total_s
                FROM llm_calls
                WHERE project_id = {projectId:String} AND time >= {from:DateTime64(3, 'UTC')} AND time < {to:DateTime64(3, 'UTC')}
                  AND (time, trace_id, span_id) > ({afterTime:DateTime64(3, 'UTC')}, {afterTrace:String}, {afterSpan:String})
                ORDER BY time, trace_id, span_id
                LIMIT {pageRows:UInt32}`,
          params: { ...range, afterTime: after.time, afterTrace: after.traceId, afterSpan: after.spanId, pageRows },
          tag,
        });
        if (rows.length === 0) break;
        const calls = rows.map((row) => storedCall(input.projectId, row));
        const repriced = input.reprice(calls);
        if (repriced.length !== calls.length) throw new CostscopeStorageError(operation, 'invalid', 'reprice must return one call per call');
        const lines: string[] = [];
        repriced.forEach((call, index) => {
          const before = calls[index] as LlmCallRecord;
          if (sameCost(before, call)) return;
          lines.push(
            [`${call.traceId}:${call.spanId}`, call.costStatus, call.pricedModel, call.priceVersion, call.freshInputCostUsd, call.cacheReadCostUsd, call.cacheWriteCostUsd, call.outputCostUsd, call.totalCostUsd]
              .map((value) => (typeof value === 'bigint' ? usdToDecimalString(value) : tsvText(value)))
              .join('\t'),
          );
        });
        if (lines.length > 0) {
          await transport.insert({
            table: `${db}.${joinTable}`,
            columns: ['call_key', 'cost_status', 'priced_model', 'price_version', 'fresh_input_cost_usd', 'cache_read_cost_usd', 'cache_write_cost_usd', 'output_cost_usd', 'total_cost_usd'],
            tsv: Buffer.from(`${lines.join('\n')}\n`),
            tag,
          });
        }
        examined += calls.length;
        changed += lines.length;
        const last = rows[rows.length - 1] as StoredCallRow;
        after = { time: toClickHouseTime(new Date(toCount(last.time_ms))), traceId: last.trace_id, spanId: last.span_id };
      }

      if (changed > 0) {
        const get = (column: string) => `joinGet('${db}.${joinTable}', '${column}', concat(trace_id, ':', span_id))`;
        await mutate(transport, {
          sql: `ALTER TABLE llm_calls UPDATE
                  cost_status = ${get('cost_status')}, priced_model = ${get('priced_model')}, price_version = ${get('price_version')},
                  fresh_input_cost_usd = ${get('fresh_input_cost_usd')}, cache_read_cost_usd = ${get('cache_read_cost_usd')},
                  cache_write_cost_usd = ${get('cache_write_cost_usd')}, output_cost_usd = ${get('output_cost_usd')},
                  total_cost_usd = ${get('total_cost_usd')}
                WHERE project_id = {projectId:String} AND time >= {from:DateTime64(3, 'UTC')} AND time < {to:DateTime64(3, 'UTC')}
                  AND concat(trace_id, ':', span_id) IN (SELECT call_key FROM ${db}.${joinTable})
                SETTINGS mutations_sync = 2`,
          params: range,
          tag,
        });
        await rebuildHourlyRollups(transport, range, tag);
      }
      return { examined, changed, from, to };
    } finally {
      await transport.command({ sql: `DROP TABLE IF EXISTS ${db}.${joinTable}`, tag });
    }
  });
}

/**
 * Replaces the range's rollup rows with fresh aggregates of the calls. The SELECT is the hourly
 * view's (migration 0002); the re-price test checks the rebuilt rollups equal the raw calls.
 */
async function rebuildHourlyRollups(
  transport: ClickHouseTransport,
  range: { projectId: string; from: string; to: string },
  tag: { operation: string; projectId: string },
): Promise<void> {
  await mutate(transport, {
    sql: `ALTER TABLE llm_calls_hourly DELETE
          WHERE project_id = {projectId:String} AND hour >= toStartOfHour({from:DateTime64(3, 'UTC')}) AND hour < toStartOfHour({to:DateTime64(3, 'UTC')})
          SETTINGS mutations_sync = 2`,
    params: range,
    tag,
  });
  await transport.command({
    sql: `INSERT INTO llm_calls_hourly
          SELECT project_id, toStartOfHour(time) AS hour, service, feature, endpoint, model, provider, user_tier, status,
            sum(total_cost_usd) AS cost_usd,
            sumIf(total_cost_usd, status = 'error') AS error_cost_usd,
            sumIf(total_cost_usd, attempt > 1) AS retry_cost_usd,
            count() AS requests,
            countIf(status = 'error') AS errors,
            countIf(attempt > 1) AS retries,
            countIf(cost_status = 'unpriced') AS unpriced_requests,
            sum(input_tokens) AS input_tokens,
            sum(cache_read_input_tokens) AS cached_input_tokens,
            sum(cache_write_input_tokens) AS cache_write_input_tokens,
            sum(output_tokens) AS output_tokens,
            sum(reasoning_tokens) AS reasoning_tokens
          FROM llm_calls
          WHERE project_id = {projectId:String} AND time >= {from:DateTime64(3, 'UTC')} AND time < {to:DateTime64(3, 'UTC')}
          GROUP BY project_id, hour, service, feature, endpoint, model, provider, user_tier, status`,
    params: range,
    tag,
  });
}

/**
 * Runs a synchronous mutation; if it fails, kills what is left of it, since a failed mutation
 * stays queued and would block every later mutation of the table.
 */
async function mutate(transport: ClickHouseTransport, statement: Statement): Promise<void> {
  try {
    await transport.command(statement);
  } catch (error) {
    await transport
      .command({ sql: `KILL MUTATION WHERE database = currentDatabase() AND NOT is_done SYNC`, tag: statement.tag })
      .catch(() => undefined);
    throw error;
  }
}

function sameCost(a: LlmCallRecord, b: LlmCallRecord): boolean {
  return (
    a.costStatus === b.costStatus &&
    a.pricedModel === b.pricedModel &&
    a.priceVersion === b.priceVersion &&
    a.freshInputCostUsd === b.freshInputCostUsd &&
    a.cacheReadCostUsd === b.cacheReadCostUsd &&
    a.cacheWriteCostUsd === b.cacheWriteCostUsd &&
    a.outputCostUsd === b.outputCostUsd &&
    a.totalCostUsd === b.totalCostUsd
  );
}

function tsvText(value: unknown): string {
  return String(value).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n');
}

function storedCall(projectId: string, row: StoredCallRow): LlmCallRecord {
  const text = (column: string) => String(row[column] ?? '');
  const nullableCount = (column: string) => (row[column] === null || row[column] === undefined ? null : toCount(row[column]));
  return {
    projectId,
    time: new Date(toCount(row.time_ms)),
    traceId: row.trace_id,
    spanId: row.span_id,
    service: text('service'),
    feature: text('feature'),
    endpoint: text('endpoint'),
    userId: text('user_id'),
    userTier: text('user_tier'),
    priority: text('priority'),
    provider: text('provider'),
    requestModel: text('request_model'),
    responseModel: text('response_model'),
    operation: text('operation'),
    inputTokens: toCount(row.input_tokens),
    cacheReadInputTokens: toCount(row.cache_read_input_tokens),
    cacheWriteInputTokens: toCount(row.cache_write_input_tokens),
    outputTokens: toCount(row.output_tokens),
    reasoningTokens: toCount(row.reasoning_tokens),
    costStatus: text('cost_status') as LlmCallRecord['costStatus'],
    pricedModel: text('priced_model'),
    priceVersion: text('price_version'),
    freshInputCostUsd: toUsd(row.fresh_s),
    cacheReadCostUsd: toUsd(row.read_s),
    cacheWriteCostUsd: toUsd(row.write_s),
    outputCostUsd: toUsd(row.output_s),
    totalCostUsd: toUsd(row.total_s),
    status: text('status') as LlmCallRecord['status'],
    errorType: text('error_type'),
    attempt: toCount(row.attempt),
    batch: row.batch === true || row.batch === 1 || row.batch === 'true',
    maxTokens: nullableCount('max_tokens'),
    finishReason: text('finish_reason'),
    promptPrefixHash: text('prompt_prefix_hash'),
    latencyMs: toCount(row.latency_ms),
    timeToFirstTokenMs: nullableCount('time_to_first_token_ms'),
    attributes: row.attributes ?? {},
  };
}
