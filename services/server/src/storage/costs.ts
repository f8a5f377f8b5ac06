import type { UsdAtto } from '@costscope/core';
import { CostscopeStorageError } from './errors.js';
import { callsTable, hourlyFigures } from './hourly-rollups.js';
import type { CostDimension, CostFilters } from './query-support.js';
import {
  DIMENSION_COLUMNS,
  ROLLUP_DIMENSIONS,
  divideUsd,
  filterClauses,
  isWholeHourOffset,
  requireDimension,
  requireProjectId,
  requireRange,
  toClickHouseTime,
  toCount,
  toUsd,
} from './query-support.js';
import type { ClickHouseTransport, QueryParams } from './transport.js';

export type CostInterval = 'hour' | 'day' | 'week';
/** `auto` reads hourly rollups when they can answer exactly, raw calls otherwise. */
export type CostSource = 'auto' | 'raw' | 'rollup';

export type CostQuery = {
  projectId: string;
  /** Inclusive. */
  from: Date;
  /** Exclusive. */
  to: Date;
  groupBy?: readonly CostDimension[];
  interval?: CostInterval;
  /** IANA zone for day and week boundaries (weeks start Monday). Default `UTC`. */
  timezone?: string;
  filters?: CostFilters;
  /** Most groups returned, largest cost first within a bucket (default 10 000). Totals count all. */
  limit?: number;
  source?: CostSource;
};

export type CostFigures = {
  costUsd: UsdAtto;
  requests: number;
  errors: number;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  /**
   * Calls of a model no price applied to (stored with no cost): when above zero, `costUsd` is a
   * floor, not the bill, and the API says so rather than show an unpriced call as $0.
   */
  unpricedRequests: number;
  /** All cost (failed calls included) over successful calls: what one useful answer costs. Null with no success. */
  costPerSuccessUsd: UsdAtto | null;
};

export type CostRow = CostFigures & {
  /** The group's values, keyed by the requested dimensions. */
  keys: Partial<Record<CostDimension, string>>;
  /** Start of the bucket (an instant) when an interval was asked for. */
  bucket?: Date;
};

export type CostReport = {
  rows: CostRow[];
  totals: CostFigures;
  /** Where the figures came from: hourly rollups or raw calls. */
  source: 'raw' | 'rollup';
  /** True when `limit` cut groups off (the totals still count them). */
  truncated: boolean;
};

const BUCKET_EXPRESSIONS: Readonly<Record<CostInterval, (column: string) => string>> = {
  hour: (column) => `toStartOfHour(${column}, {timezone:String})`,
  day: (column) => `toStartOfDay(${column}, {timezone:String})`,
  week: (column) => `toDateTime(toStartOfWeek(${column}, 1, {timezone:String}), {timezone:String})`,
};

/** Output columns are named `out_*` so no alias shadows a table column inside sum(). */
type RawFigures = {
  out_cost_usd: string;
  out_requests: string | number;
  out_errors: string | number;
  out_input_tokens: string | number;
  out_cached_input_tokens: string | number;
  out_output_tokens: string | number;
  out_unpriced_requests: string | number;
};

/** Cost, requests, errors and tokens grouped by any of the dimensions, optionally per hour, day or week. */
export async function getCosts(transport: ClickHouseTransport, query: CostQuery): Promise<CostReport> {
  const operation = 'costs.byGroup';
  requireProjectId(operation, query.projectId);
  requireRange(operation, query.from, query.to);
  const groupBy = [...new Set((query.groupBy ?? []).map((name) => requireDimension(operation, name)))];
  const timezone = query.timezone ?? 'UTC';
  const limit = query.limit ?? 10_000;
  if (!Number.isInteger(limit) || limit < 1) throw new CostscopeStorageError(operation, 'invalid', `limit must be a positive integer`);
  if (query.interval !== undefined && !(query.interval in BUCKET_EXPRESSIONS)) {
    throw new CostscopeStorageError(operation, 'invalid', `interval must be hour, day or week, got ${JSON.stringify(query.interval)}`);
  }

  const source = chooseCostSource(query, groupBy, timezone);
  // Rollups: sealed hours where their seal holds, deduplicated calls elsewhere; raw: each call
  // once, even one two writers stored at the same moment (docs/scaling.md).
  // Whole UTC days may come from the daily tier when no answer tells a day's hours apart.
  const wholeDays = query.interval === undefined || (query.interval !== 'hour' && timezone === 'UTC');
  const rollup = source === 'rollup' ? await hourlyFigures(transport, { ...query, wholeDays }) : undefined;
  const table = rollup ? `${rollup.table} AS hourly` : callsTable(transport);
  const timeColumn = source === 'rollup' ? 'hour' : 'time';
  const figures =
    source === 'rollup'
      ? `toString(sum(cost_usd)) AS out_cost_usd, sum(requests) AS out_requests, sum(errors) AS out_errors,
         sum(input_tokens) AS out_input_tokens, sum(cached_input_tokens) AS out_cached_input_tokens,
         sum(output_tokens) AS out_output_tokens, sum(unpriced_requests) AS out_unpriced_requests`
      : `toString(sum(total_cost_usd)) AS out_cost_usd, count() AS out_requests, countIf(status = 'error') AS out_errors,
         sum(input_tokens) AS out_input_tokens, sum(cache_read_input_tokens) AS out_cached_input_tokens,
         sum(output_tokens) AS out_output_tokens, countIf(cost_status = 'unpriced') AS out_unpriced_requests`;
  const costSum = source === 'rollup' ? 'sum(cost_usd)' : 'sum(total_cost_usd)';

  // The rollup rows of a partly covered first or last hour hold only the range's calls (see
  // `hourlyFigures`), under the hour's start: the bounds on `hour` are widened to whole hours.
  const [from, to] = rollup ? [floorToHour(query.from), ceilToHour(query.to)] : [query.from, query.to];
  const params: QueryParams = {
    ...rollup?.params,
    projectId: query.projectId,
    from: toClickHouseTime(from),
    to: toClickHouseTime(to),
    timezone,
    limit,
  };
  const where = `project_id = {projectId:String}
    AND ${timeColumn} >= {from:DateTime64(3, 'UTC')} AND ${timeColumn} < {to:DateTime64(3, 'UTC')}
    ${filterClauses(operation, query.filters, params)}`;

  const selectKeys = groupBy.map((dimension) => `${DIMENSION_COLUMNS[dimension]} AS key_${dimension}`);
  const groupKeys = groupBy.map((dimension) => `key_${dimension}`);
  if (query.interval) {
    selectKeys.unshift(`toUnixTimestamp(${BUCKET_EXPRESSIONS[query.interval](timeColumn)}) AS bucket_epoch`);
    groupKeys.unshift('bucket_epoch');
  }

  const groupedSql = `SELECT ${[...selectKeys, figures].join(', ')}
    FROM ${table}
    WHERE ${where}
    ${groupKeys.length > 0 ? `GROUP BY ${groupKeys.join(', ')}` : ''}
    ORDER BY ${query.interval ? 'bucket_epoch, ' : ''}${costSum} DESC${groupBy.length > 0 ? `, ${groupKeys.filter((key) => key !== 'bucket_epoch').join(', ')}` : ''}
    LIMIT {limit:UInt32}`;

  const tag = { operation, projectId: query.projectId };
  // Nothing to read (no seal in force, no call, in any hour of the range): the answer the engine
  // would give — no group, or with no keys the one row of zero sums — without its fixed cost.
  const rows = rollup?.empty
    ? groupKeys.length === 0
      ? [{} as RawFigures & Record<string, string | number>]
      : []
    : await transport.query<RawFigures & Record<string, string | number>>({ sql: groupedSql, params, tag });
  const truncated = rows.length === limit;
  const costRows = rows.map((row) => {
    const keys: Partial<Record<CostDimension, string>> = {};
    for (const dimension of groupBy) keys[dimension] = String(row[`key_${dimension}`] ?? '');
    const costRow: CostRow = { keys, ...toFigures(row) };
    if (query.interval) costRow.bucket = new Date(toCount(row.bucket_epoch) * 1000);
    return costRow;
  });
  // Every group returned: the totals are their exact sum, with no second statement (on the
  // embedded engine statements run one at a time, each with its fixed cost). Cut off: the totals
  // are read as a query of their own, from rollups when its dimensions allow (top users by cost
  // group raw calls by user, but their totals need no user).
  const totals = truncated
    ? (await getCosts(transport, { ...query, groupBy: [], interval: undefined, limit: 2 })).totals
    : sumFigures(costRows);
  return { rows: costRows, totals, source, truncated };
}

/** Figures of several groups added up exactly (money in atto-dollars, counts as integers). */
export function sumFigures(rows: readonly CostFigures[]): CostFigures {
  let costUsd = 0n;
  let requests = 0;
  let errors = 0;
  let inputTokens = 0;
  let cachedInputTokens = 0;
  let outputTokens = 0;
  let unpricedRequests = 0;
  for (const row of rows) {
    costUsd += row.costUsd;
    requests += row.requests;
    errors += row.errors;
    inputTokens += row.inputTokens;
    cachedInputTokens += row.cachedInputTokens;
    outputTokens += row.outputTokens;
    unpricedRequests += row.unpricedRequests;
  }
  return { costUsd, requests, errors, inputTokens, cachedInputTokens, outputTokens, unpricedRequests, costPerSuccessUsd: divideUsd(costUsd, requests - errors) };
}

const HOUR_MS = 3_600_000;
const floorToHour = (date: Date) => new Date(Math.floor(date.getTime() / HOUR_MS) * HOUR_MS);
const ceilToHour = (date: Date) => new Date(Math.ceil(date.getTime() / HOUR_MS) * HOUR_MS);

/**
 * Rollups answer exactly when every dimension used is one they keep and (with day or week
 * buckets) the zone's offset is whole hours. A range off the hour is fine: its partly covered
 * first and last hours are read from their calls.
 */
export function chooseCostSource(query: CostQuery, groupBy: readonly CostDimension[], timezone: string): 'raw' | 'rollup' {
  const operation = 'costs.byGroup';
  const dimensionsUsed = [
    ...groupBy,
    ...Object.entries(query.filters ?? {})
      .filter(([, values]) => values !== undefined && values.length > 0)
      .map(([name]) => requireDimension(operation, name)),
  ];
  const fits =
    dimensionsUsed.every((dimension) => ROLLUP_DIMENSIONS.has(dimension)) &&
    (query.interval === undefined || isWholeHourOffset(timezone, [query.from, query.to]));
  const wanted = query.source ?? 'auto';
  if (wanted === 'raw') return 'raw';
  if (wanted === 'rollup') {
    if (!fits) {
      throw new CostscopeStorageError(operation, 'invalid', 'hourly rollups cannot answer this query exactly (user dimension, or a zone off the hour)');
    }
    return 'rollup';
  }
  return fits ? 'rollup' : 'raw';
}

export function toFigures(row: RawFigures | undefined): CostFigures {
  const costUsd = toUsd(row?.out_cost_usd);
  const requests = toCount(row?.out_requests);
  const errors = toCount(row?.out_errors);
  return {
    costUsd,
    requests,
    errors,
    inputTokens: toCount(row?.out_input_tokens),
    cachedInputTokens: toCount(row?.out_cached_input_tokens),
    outputTokens: toCount(row?.out_output_tokens),
    unpricedRequests: toCount(row?.out_unpriced_requests),
    costPerSuccessUsd: divideUsd(costUsd, requests - errors),
  };
}
