import { randomBytes } from 'node:crypto';
import { usdToDecimalString, type LlmCallRecord } from '@costscope/core';
import { CostscopeStorageError } from './errors.js';
import { callsTable, sealHourlyRollups } from './hourly-rollups.js';
import { tsvText } from './llm-calls.js';
import { requireProjectId, requireRange, toClickHouseTime, toCount, toUsd } from './query-support.js';
import type { ClickHouseTransport } from './transport.js';

/** The longest range one re-price takes: a year, leap day included. */
export const MAX_REPRICE_DAYS = 366;

export type RepriceProgress = {
  /** Whole hours of the range finished (calls updated, rollups corrected). */
  hoursDone: number;
  hoursTotal: number;
  /** Calls read and priced again so far. */
  examined: number;
  /** Calls in the range when the re-price began (later arrivals are examined too, so `examined` may pass it). */
  callsTotal: number;
  /** Calls whose cost changed so far. */
  changed: number;
};

export type RepriceCallsInput = {
  projectId: string;
  /** Widened down to the start of its UTC hour: rollups are hourly. */
  from: Date;
  /** Widened up to the end of its UTC hour. At most `MAX_REPRICE_DAYS` after `from`. */
  to: Date;
  /** Pure: the same calls with new prices, same order (the ingest's `repriceRecords`). */
  reprice: (calls: LlmCallRecord[]) => LlmCallRecord[];
  /** Calls read per page (default 50 000). */
  pageRows?: number;
  /** Hours per step (default 24, a UTC day); must divide 24 so no step crosses a day or a month partition. */
  stepHours?: number;
  /**
   * The raw retention in days. Rollups outlive raw calls, so an hour whose calls the TTL may
   * already be dropping keeps its rollup rows as they are rather than lose the dropped calls.
   */
  retentionDays?: number;
  /** The clock the retention edge is read from (default the system clock). */
  now?: () => Date;
  /** Awaited after every page and every step, never while the write queue is held. */
  onProgress?: (progress: RepriceProgress) => Promise<void> | void;
  /** Checked between pages and steps; an aborted re-price stops there and throws the signal's reason. */
  signal?: AbortSignal;
};

export type RepriceCallsResult = { examined: number; changed: number; from: Date; to: Date; hoursTotal: number };

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

type StoredCallRow = Record<string, unknown> & {
  time_ms: string | number;
  trace_id: string;
  span_id: string;
  attributes: Record<string, string>;
};

type RepriceRange = { projectId: string; from: string; to: string };
type Tag = { operation: string; projectId: string };

/**
 * Applies new prices to stored calls of one project and time range, and brings the hourly rollups
 * in step, one step (a UTC day) at a time:
 * 1. read the step's calls page by page and price them again; the changed costs go into this
 *    re-price's own `Join` table;
 * 2. one mutation updates those calls' cost columns from it (`joinGet`);
 * 3. the step's hours are sealed again from the updated calls (`sealHourlyRollups`, forced): each
 *    hour is rewritten whole under a new version, so a reader sees it with its old figures or its
 *    new ones, never missing or half done.
 * Nothing here holds the transport's write queue: inserts go on throughout. Running it twice
 * gives the same result, and a re-price that stopped half-way is finished by running it again:
 * step 3 rebuilds from the calls whatever their state. Not for a cluster: mutations there need
 * `ON CLUSTER` on the local tables.
 */
export async function repriceCalls(transport: ClickHouseTransport, input: RepriceCallsInput): Promise<RepriceCallsResult> {
  const operation = 'calls.reprice';
  requireProjectId(operation, input.projectId);
  requireRange(operation, input.from, input.to);
  const from = new Date(Math.floor(input.from.getTime() / HOUR_MS) * HOUR_MS);
  const to = new Date(Math.ceil(input.to.getTime() / HOUR_MS) * HOUR_MS);
  if (to.getTime() - from.getTime() > MAX_REPRICE_DAYS * DAY_MS) {
    throw new CostscopeStorageError(operation, 'invalid', `a re-price covers at most ${MAX_REPRICE_DAYS} days`);
  }
  const stepHours = input.stepHours ?? 24;
  if (!Number.isInteger(stepHours) || stepHours < 1 || 24 % stepHours !== 0) {
    throw new CostscopeStorageError(operation, 'invalid', 'stepHours must divide 24');
  }
  const pageRows = input.pageRows ?? 50_000;
  const now = input.now ?? (() => new Date());
  const tag = { operation, projectId: input.projectId };
  const hoursTotal = (to.getTime() - from.getTime()) / HOUR_MS;

  const [counted] = await transport.query<{ calls: string | number }>({
    sql: `SELECT count() AS calls FROM ${callsTable(transport)}
          WHERE project_id = {projectId:String} AND time >= {from:DateTime64(3, 'UTC')} AND time < {to:DateTime64(3, 'UTC')}`,
    params: { projectId: input.projectId, from: toClickHouseTime(from), to: toClickHouseTime(to) },
    tag,
  });
  const progress: RepriceProgress = { hoursDone: 0, hoursTotal, examined: 0, callsTotal: toCount(counted?.calls ?? 0), changed: 0 };
  const report = async () => {
    input.signal?.throwIfAborted();
    await input.onProgress?.({ ...progress });
  };
  await report();

  const [{ db } = { db: '' }] = await transport.query<{ db: string }>({ sql: 'SELECT currentDatabase() AS db', tag });
  // Our own name (random hex), never a caller's value. It is also this re-price's mark: its
  // mutations name the table in `joinGet`, so a failure kills those mutations and no others.
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
    const stepMs = stepHours * HOUR_MS;
    for (let stepFrom = from.getTime(); stepFrom < to.getTime(); ) {
      const stepTo = Math.min(to.getTime(), (Math.floor(stepFrom / stepMs) + 1) * stepMs);
      const range = { projectId: input.projectId, from: toClickHouseTime(new Date(stepFrom)), to: toClickHouseTime(new Date(stepTo)) };
      const changed = await storeRepricedCalls(transport, { range, joinTable: `${db}.${joinTable}`, pageRows, reprice: input.reprice, tag }, async (page) => {
        progress.examined += page.examined;
        progress.changed += page.changed;
        await report();
      });
      if (changed > 0) await updateCallCosts(transport, { range, db, joinTable, tag });

      // Hours whose calls the TTL may be dropping keep their rollups (see `retentionDays`).
      const keepFrom = input.retentionDays === undefined ? stepFrom : Math.floor((now().getTime() - input.retentionDays * DAY_MS) / HOUR_MS + 1) * HOUR_MS;
      const correctFrom = Math.max(stepFrom, keepFrom);
      if (correctFrom < stepTo) {
        await sealHourlyRollups(transport, { projectId: input.projectId, from: new Date(correctFrom), to: new Date(stepTo), force: true });
      }
      progress.hoursDone += (stepTo - stepFrom) / HOUR_MS;
      await report();
      stepFrom = stepTo;
    }
    return { examined: progress.examined, changed: progress.changed, from, to, hoursTotal };
  } finally {
    await transport.command({ sql: `DROP TABLE IF EXISTS ${db}.${joinTable}`, tag });
  }
}

/**
 * Reads one step's calls page by page, prices them again and puts the changed costs into the
 * (emptied) Join table. Answers how many changed.
 */
async function storeRepricedCalls(
  transport: ClickHouseTransport,
  step: { range: RepriceRange; joinTable: string; pageRows: number; reprice: RepriceCallsInput['reprice']; tag: Tag },
  onPage: (page: { examined: number; changed: number }) => Promise<void>,
): Promise<number> {
  const { range, joinTable, pageRows, tag } = step;
  const operation = tag.operation;
  await transport.command({ sql: `TRUNCATE TABLE ${joinTable}`, tag });
  let changed = 0;
  let after = { time: toClickHouseTime(new Date(0)), traceId: '', spanId: '' };
  for (;;) {
    const rows = await transport.query<StoredCallRow>({
      sql: `SELECT *, toUnixTimestamp64Milli(time) AS time_ms,
              toString(fresh_input_cost_usd) AS fresh_s, toString(cache_read_cost_usd) AS read_s,
              toString(cache_write_cost_usd) AS write_s, toString(output_cost_usd) AS output_s,
              toString(total_cost_usd) AS total_s
            FROM ${callsTable(transport)}
            WHERE project_id = {projectId:String} AND time >= {from:DateTime64(3, 'UTC')} AND time < {to:DateTime64(3, 'UTC')}
              AND (time, trace_id, span_id) > ({afterTime:DateTime64(3, 'UTC')}, {afterTrace:String}, {afterSpan:String})
            ORDER BY time, trace_id, span_id
            LIMIT {pageRows:UInt32}`,
      params: { ...range, afterTime: after.time, afterTrace: after.traceId, afterSpan: after.spanId, pageRows },
      tag,
    });
    if (rows.length === 0) return changed;
    const calls = rows.map((row) => storedCall(range.projectId, row));
    const repriced = step.reprice(calls);
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
        table: joinTable,
        columns: ['call_key', 'cost_status', 'priced_model', 'price_version', 'fresh_input_cost_usd', 'cache_read_cost_usd', 'cache_write_cost_usd', 'output_cost_usd', 'total_cost_usd'],
        tsv: Buffer.from(`${lines.join('\n')}\n`),
        tag,
      });
    }
    changed += lines.length;
    const last = rows[rows.length - 1] as StoredCallRow;
    after = { time: toClickHouseTime(new Date(toCount(last.time_ms))), traceId: last.trace_id, spanId: last.span_id };
    await onPage({ examined: calls.length, changed: lines.length });
  }
}

/**
 * One synchronous mutation sets the step's changed calls' cost columns from the Join table. A
 * mutation that fails stays queued and would block every later mutation of the table, so a
 * failure kills it — and only it: the Join table's name in its command marks it as this
 * re-price's (an operator's or another re-price's mutation is left alone).
 */
async function updateCallCosts(transport: ClickHouseTransport, step: { range: RepriceRange; db: string; joinTable: string; tag: Tag }): Promise<void> {
  const { range, db, joinTable, tag } = step;
  const get = (column: string) => `joinGet('${db}.${joinTable}', '${column}', concat(trace_id, ':', span_id))`;
  try {
    await transport.command({
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
  } catch (error) {
    await transport
      .command({
        sql: `KILL MUTATION WHERE database = '${db}' AND table = 'llm_calls' AND position(command, '${joinTable}') > 0 AND NOT is_done SYNC`,
        tag,
      })
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
