import { forecastMonthEnd } from '@costscope/core';
import type { UsdAtto } from '@costscope/core';
import { CostscopeStorageError } from './errors.js';
import { callsTable, hourlyFigures } from './hourly-rollups.js';
import {
  divideUsd,
  isWholeHour,
  isWholeHourOffset,
  requireProjectId,
  requireRange,
  toClickHouseDay,
  toClickHouseTime,
  toCount,
  toUsd,
} from './query-support.js';
import type { ClickHouseTransport, QueryParams } from './transport.js';

/**
 * The figures the alert rules evaluate, one function per rule input. Each reads hourly rollups
 * when they answer exactly and raw calls otherwise; `source` forces one (tests compare both).
 */

export type RuleSource = 'auto' | 'raw' | 'rollup';
/** `project` gives one project-wide row (its `feature` is `''`), `feature` one row per feature. */
export type RuleScope = 'project' | 'feature';

/**
 * Aggregates over the two stores, so each rule query is written once; `figuresSource` gives the
 * table to read them from.
 */
const MEASURES = {
  rollup: {
    time: 'hour',
    cost: 'sum(cost_usd)',
    requests: 'sum(requests)',
    errors: 'sum(errors)',
    errorCost: 'sum(error_cost_usd)',
    retries: 'sum(retries)',
    retryCost: 'sum(retry_cost_usd)',
    outputTokens: 'sum(output_tokens)',
  },
  raw: {
    time: 'time',
    cost: 'sum(total_cost_usd)',
    requests: 'count()',
    errors: "countIf(status = 'error')",
    errorCost: "sumIf(total_cost_usd, status = 'error')",
    retries: 'countIf(attempt > 1)',
    retryCost: 'sumIf(total_cost_usd, attempt > 1)',
    outputTokens: 'sum(output_tokens)',
  },
} as const;
type Measures = (typeof MEASURES)[keyof typeof MEASURES];

/**
 * Rollups: sealed hours plus deduplicated calls for the hours no seal answers for
 * (`hourlyFigures`, over [from, to), which may be wider than the query's range); raw: each call
 * once (`callsTable`).
 */
async function figuresSource(
  transport: ClickHouseTransport,
  m: Measures,
  range: { projectId: string; from: Date; to: Date; wholeDays?: boolean },
): Promise<{ table: string; params: QueryParams }> {
  if (m !== MEASURES.rollup) return { table: callsTable(transport), params: {} };
  const rollup = await hourlyFigures(transport, range);
  return { table: `${rollup.table} AS hourly`, params: rollup.params };
}

function pickMeasures(operation: string, source: RuleSource | undefined, rollupFits: boolean): Measures {
  const wanted = source ?? 'auto';
  if (wanted === 'raw') return MEASURES.raw;
  if (wanted === 'rollup' && !rollupFits) {
    throw new CostscopeStorageError(operation, 'invalid', 'hourly rollups cannot answer this exactly (a range or zone off the hour)');
  }
  return rollupFits ? MEASURES.rollup : MEASURES.raw;
}

const scopeKey = (scope: RuleScope | undefined): string => (scope === 'feature' ? 'feature' : "''");

/** Calendar days from `fromDay` to `toDay` inclusive, as YYYY-MM-DD. */
export function daysBetween(fromDay: string, toDay: string): string[] {
  const days: string[] = [];
  const end = Date.parse(`${toClickHouseDay(toDay)}T00:00:00Z`);
  for (let t = Date.parse(`${toClickHouseDay(fromDay)}T00:00:00Z`); t <= end; t += 86_400_000) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${toClickHouseDay(day)}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** Instants near a span of calendar days, to check the zone's offset where it matters. */
function instantsAround(fromDay: string, toDay: string): Date[] {
  return [new Date(`${fromDay}T12:00:00Z`), new Date(`${toDay}T12:00:00Z`)];
}

// ---------------------------------------------------------------------------------------------
// Rule 1: daily spend against the trailing 7-day average

type DailySpendPoint = { day: string; feature: string; costUsd: UsdAtto };

/**
 * Spend per local calendar day (in `timezone`) from `fromDay` to `toDay` inclusive, one point per
 * day and scope, days without calls included as 0.
 */
async function dailySpendSeries(
  transport: ClickHouseTransport,
  input: { projectId: string; fromDay: string; toDay: string; timezone?: string; scope?: RuleScope; source?: RuleSource },
): Promise<DailySpendPoint[]> {
  const operation = 'rules.dailySpendSeries';
  requireProjectId(operation, input.projectId);
  const timezone = input.timezone ?? 'UTC';
  const days = daysBetween(input.fromDay, input.toDay);
  if (days.length === 0) throw new CostscopeStorageError(operation, 'invalid', `fromDay ${input.fromDay} is after toDay ${input.toDay}`);
  const m = pickMeasures(operation, input.source, isWholeHourOffset(timezone, instantsAround(input.fromDay, input.toDay)));
  // Local days lie within a day of the same UTC days: the source covers them, the WHERE narrows.
  const source = await figuresSource(transport, m, {
    projectId: input.projectId,
    from: new Date(Date.parse(`${input.fromDay}T00:00:00Z`) - 86_400_000),
    to: new Date(Date.parse(`${addDays(input.toDay, 1)}T00:00:00Z`) + 86_400_000),
    // UTC days are the days asked for: the daily tier may answer them.
    wholeDays: timezone === 'UTC',
  });
  const rows = await transport.query<{ day: string; scope_key: string; cost: string }>({
    sql: `SELECT toString(toDate(${m.time}, {timezone:String})) AS day, ${scopeKey(input.scope)} AS scope_key,
            toString(${m.cost}) AS cost
          FROM ${source.table}
          WHERE project_id = {projectId:String}
            AND ${m.time} >= toDateTime({fromDay:Date}, {timezone:String})
            AND ${m.time} < toDateTime({afterDay:Date}, {timezone:String})
          GROUP BY day, scope_key
          ORDER BY day, scope_key`,
    params: { ...source.params, projectId: input.projectId, timezone, fromDay: input.fromDay, afterDay: addDays(input.toDay, 1) },
    tag: { operation, projectId: input.projectId },
  });
  const byScope = new Map<string, Map<string, UsdAtto>>();
  for (const row of rows) {
    const perDay = byScope.get(row.scope_key) ?? new Map<string, UsdAtto>();
    perDay.set(row.day, toUsd(row.cost));
    byScope.set(row.scope_key, perDay);
  }
  if ((input.scope ?? 'project') === 'project' && byScope.size === 0) byScope.set('', new Map());
  const points: DailySpendPoint[] = [];
  for (const [feature, perDay] of [...byScope.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    for (const day of days) points.push({ day, feature, costUsd: perDay.get(day) ?? 0n });
  }
  return points;
}

export type DailySpendBaseline = {
  feature: string;
  day: string;
  /** Spend of `day` so far. */
  todayUsd: UsdAtto;
  /** The `trailingDays` full days before `day`, oldest first; days without calls are 0. */
  trailingDailyUsd: UsdAtto[];
  /** Exact mean of `trailingDailyUsd`, rounded to the atto-dollar. */
  trailingAverageUsd: UsdAtto;
};

/** Today's spend and the trailing days' spend (default 7) per scope: the input of the daily-spend rule. */
export async function getDailySpendBaselines(
  transport: ClickHouseTransport,
  input: { projectId: string; day: string; timezone?: string; scope?: RuleScope; trailingDays?: number; source?: RuleSource },
): Promise<DailySpendBaseline[]> {
  const trailingDays = input.trailingDays ?? 7;
  if (!Number.isInteger(trailingDays) || trailingDays < 1 || trailingDays > 366) {
    throw new CostscopeStorageError('rules.dailySpendBaseline', 'invalid', `trailingDays must be 1–366, got ${trailingDays}`);
  }
  const points = await dailySpendSeries(transport, {
    projectId: input.projectId,
    fromDay: addDays(input.day, -trailingDays),
    toDay: input.day,
    timezone: input.timezone,
    scope: input.scope,
    source: input.source,
  });
  const byFeature = new Map<string, DailySpendPoint[]>();
  for (const point of points) byFeature.set(point.feature, [...(byFeature.get(point.feature) ?? []), point]);
  return [...byFeature.entries()].map(([feature, series]) => {
    const trailingDailyUsd = series.filter((point) => point.day !== input.day).map((point) => point.costUsd);
    const total = trailingDailyUsd.reduce((sum, value) => sum + value, 0n);
    return {
      feature,
      day: input.day,
      todayUsd: series.find((point) => point.day === input.day)?.costUsd ?? 0n,
      trailingDailyUsd,
      trailingAverageUsd: divideUsd(total, trailingDailyUsd.length) ?? 0n,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Rule 2: month-to-date spend and month-end forecast per feature

export type MonthToDateSpend = {
  feature: string;
  monthToDateUsd: UsdAtto;
  /** Straight-line forecast (core's `forecastMonthEnd`); null before `minDays` of the month passed. */
  forecastUsd: UsdAtto | null;
  monthStart: Date;
  monthEnd: Date;
};

/** Spend of the local calendar month containing `now`, up to `now`, per feature. */
export async function getMonthToDateSpend(
  transport: ClickHouseTransport,
  input: { projectId: string; now: Date; timezone?: string; minDaysForForecast?: number; source?: RuleSource },
): Promise<MonthToDateSpend[]> {
  const operation = 'rules.monthToDateSpend';
  requireProjectId(operation, input.projectId);
  requireRange(operation, input.now, input.now);
  const timezone = input.timezone ?? 'UTC';
  // Rollups hold whole hours: they answer exactly when `now` is on the hour.
  const m = pickMeasures(operation, input.source, isWholeHour(input.now) && isWholeHourOffset(timezone, [input.now]));
  const bounds = await transport.query<{ month_start: string | number; month_end: string | number }>({
    sql: `SELECT toUnixTimestamp(toDateTime(toStartOfMonth({now:DateTime64(3, 'UTC')}, {timezone:String}), {timezone:String})) AS month_start,
            toUnixTimestamp(toDateTime(addMonths(toStartOfMonth({now:DateTime64(3, 'UTC')}, {timezone:String}), 1), {timezone:String})) AS month_end`,
    params: { now: toClickHouseTime(input.now), timezone },
    tag: { operation, projectId: input.projectId },
  });
  const monthStart = new Date(toCount(bounds[0]?.month_start) * 1000);
  const monthEnd = new Date(toCount(bounds[0]?.month_end) * 1000);
  // One sum over the range: whole UTC days inside it may come from the daily tier.
  const source = await figuresSource(transport, m, { projectId: input.projectId, from: monthStart, to: input.now, wholeDays: true });
  const rows = await transport.query<{ feature: string; cost: string }>({
    sql: `SELECT feature, toString(${m.cost}) AS cost
          FROM ${source.table}
          WHERE project_id = {projectId:String}
            AND ${m.time} >= {monthStart:DateTime64(3, 'UTC')} AND ${m.time} < {now:DateTime64(3, 'UTC')}
          GROUP BY feature
          ORDER BY feature`,
    params: { ...source.params, projectId: input.projectId, monthStart: toClickHouseTime(monthStart), now: toClickHouseTime(input.now) },
    tag: { operation, projectId: input.projectId },
  });
  const elapsedMs = input.now.getTime() - monthStart.getTime();
  const monthMs = monthEnd.getTime() - monthStart.getTime();
  return rows.map((row) => {
    const monthToDateUsd = toUsd(row.cost);
    return {
      feature: row.feature,
      monthToDateUsd,
      forecastUsd: forecastMonthEnd({ monthToDateUsd, elapsedMs, monthMs, minDays: input.minDaysForForecast ?? 1 }),
      monthStart,
      monthEnd,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Input-token outliers: single calls far above their feature's typical prompt (raw calls only)

export type InputTokenFeaturePeak = { feature: string; calls: number; medianInputTokens: number; maxInputTokens: number };
export type InputTokenOutlierCall = {
  feature: string;
  traceId: string;
  spanId: string;
  time: Date;
  model: string;
  inputTokens: number;
  medianInputTokens: number;
  costUsd: UsdAtto;
};

/**
 * Per feature, the median and the largest prompt in the window, and the calls whose input tokens
 * exceed `multiple` × their feature's median (largest first, at most `limit`).
 */
export async function getInputTokenOutliers(
  transport: ClickHouseTransport,
  input: { projectId: string; from: Date; to: Date; multiple?: number; limit?: number },
): Promise<{ features: InputTokenFeaturePeak[]; calls: InputTokenOutlierCall[] }> {
  const operation = 'rules.inputTokenOutliers';
  requireProjectId(operation, input.projectId);
  requireRange(operation, input.from, input.to);
  const multiple = input.multiple ?? 10;
  const limit = input.limit ?? 100;
  if (!(multiple > 0) || !Number.isInteger(limit) || limit < 1) {
    throw new CostscopeStorageError(operation, 'invalid', 'multiple must be > 0 and limit a positive integer');
  }
  const params: QueryParams = { ...rangeParams(input), multiple, limit };
  const tag = { operation, projectId: input.projectId };
  const inWindow = `project_id = {projectId:String} AND time >= {from:DateTime64(3, 'UTC')} AND time < {to:DateTime64(3, 'UTC')}`;
  const [features, calls] = await Promise.all([
    transport.query<Record<string, string | number>>({
      sql: `SELECT feature, count() AS calls, quantileExact(0.5)(input_tokens) AS median_tokens, max(input_tokens) AS max_tokens
            FROM ${callsTable(transport)} WHERE ${inWindow}
            GROUP BY feature ORDER BY feature`,
      params,
      tag,
    }),
    transport.query<Record<string, string | number>>({
      sql: `SELECT c.feature AS feature, c.trace_id AS trace_id, c.span_id AS span_id,
              toUnixTimestamp64Milli(c.time) AS time_ms, c.model AS model, c.input_tokens AS input_tokens,
              typical.median_tokens AS median_tokens, toString(c.total_cost_usd) AS cost
            FROM ${callsTable(transport, 'c')}
            INNER JOIN (
              SELECT feature, quantileExact(0.5)(input_tokens) AS median_tokens
              FROM ${callsTable(transport)} WHERE ${inWindow} GROUP BY feature
            ) AS typical ON c.feature = typical.feature
            WHERE c.project_id = {projectId:String}
              AND c.time >= {from:DateTime64(3, 'UTC')} AND c.time < {to:DateTime64(3, 'UTC')}
              AND c.input_tokens > typical.median_tokens * {multiple:Float64}
            ORDER BY c.input_tokens DESC, c.trace_id, c.span_id
            LIMIT {limit:UInt32}`,
      params,
      tag,
    }),
  ]);
  return {
    features: features.map((row) => ({
      feature: String(row.feature),
      calls: toCount(row.calls),
      medianInputTokens: toCount(row.median_tokens),
      maxInputTokens: toCount(row.max_tokens),
    })),
    calls: calls.map((row) => ({
      feature: String(row.feature),
      traceId: String(row.trace_id),
      spanId: String(row.span_id),
      time: new Date(toCount(row.time_ms)),
      model: String(row.model),
      inputTokens: toCount(row.input_tokens),
      medianInputTokens: toCount(row.median_tokens),
      costUsd: toUsd(row.cost),
    })),
  };
}

function rangeParams(input: { projectId: string; from: Date; to: Date }): QueryParams {
  return { projectId: input.projectId, from: toClickHouseTime(input.from), to: toClickHouseTime(input.to) };
}
