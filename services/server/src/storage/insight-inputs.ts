import { semconv, type FeatureModelUsage, type PromptPrefixUsage, type RepeatedRequestUsage, type UsageTotals } from '@costscope/core';
import { callsTable } from './hourly-rollups.js';
import { requireProjectId, requireRange, toClickHouseTime, toCount, toUsd } from './query-support.js';
import type { ClickHouseTransport, QueryParams } from './transport.js';

/**
 * What the savings insights (core's `findSavingsInsights`) measure in a project's calls: per
 * feature and model, the usage split by how it could be billed, the output distribution, the
 * input trend; calls sharing a prompt prefix; and repeated identical requests. Raw calls, as the
 * hourly rollups keep neither hashes nor quantiles; `callsTable` reads each span once.
 */

type InsightRange = { projectId: string; from: Date; to: Date };

const IN_RANGE = `project_id = {projectId:String} AND time >= {from:DateTime64(3, 'UTC')} AND time < {to:DateTime64(3, 'UTC')}`;

function rangeParams(input: InsightRange): QueryParams {
  return { projectId: input.projectId, from: toClickHouseTime(input.from), to: toClickHouseTime(input.to) };
}

function checked(operation: string, input: InsightRange): void {
  requireProjectId(operation, input.projectId);
  requireRange(operation, input.from, input.to);
}

const usageSums = (name: string, condition: string) =>
  `countIf(${condition}) AS ${name}_calls, sumIf(input_tokens, ${condition}) AS ${name}_input,
   sumIf(cache_read_input_tokens, ${condition}) AS ${name}_read, sumIf(cache_write_input_tokens, ${condition}) AS ${name}_write,
   sumIf(output_tokens, ${condition}) AS ${name}_output`;

const USAGE_COLUMNS = ['rt', 'batched', 'deferrable'].flatMap((name) =>
  ['calls', 'input', 'read', 'write', 'output'].map((figure) => `${name}_${figure}`),
);

function usageTotals(row: Record<string, unknown>, name: string): UsageTotals {
  return {
    calls: toCount(row[`${name}_calls`]),
    inputTokens: toCount(row[`${name}_input`]),
    cacheReadInputTokens: toCount(row[`${name}_read`]),
    cacheWriteInputTokens: toCount(row[`${name}_write`]),
    outputTokens: toCount(row[`${name}_output`]),
  };
}

/**
 * Per feature and model in [from, to): usage real-time, batched and deferrable (real-time calls
 * tagged `important` or `optional`); calls before 06:00 in `timezone`; calls without
 * `max_tokens`; median and p95 output (exact quantiles: values that occurred); output beyond
 * `capOverMedian` × the median; calls and input in each half of the range.
 */
export async function getFeatureModelUsage(
  transport: ClickHouseTransport,
  input: InsightRange & { timezone: string; capOverMedian: number },
): Promise<FeatureModelUsage[]> {
  const operation = 'insights.featureModelUsage';
  checked(operation, input);
  const middle = new Date(input.from.getTime() + Math.floor((input.to.getTime() - input.from.getTime()) / 2));
  const params = { ...rangeParams(input), timezone: input.timezone, middle: toClickHouseTime(middle), capOverMedian: input.capOverMedian };
  // One pass: each group's output counts are kept beside its exact quantiles, so the cap (a
  // multiple of the group's median) is applied to them afterwards; joining the calls to a
  // separate median pass read every call twice and took about twice as long.
  const rows = await transport.query<Record<string, unknown>>({
    sql: `SELECT feature, model, cost, ${USAGE_COLUMNS.join(', ')},
            nightly_calls, uncapped_calls, median, p95,
            arraySum(output -> greatest(toInt64(output) - {capOverMedian:Int64} * median, 0), outputs) AS above_cap,
            arrayCount(output -> toInt64(output) > {capOverMedian:Int64} * median, outputs) AS calls_above_cap,
            first_calls, first_input, second_calls, second_input
          FROM (
            SELECT feature, model, toString(sum(total_cost_usd)) AS cost,
              ${usageSums('rt', 'NOT batch')},
              ${usageSums('batched', 'batch')},
              ${usageSums('deferrable', `NOT batch AND priority IN ('important', 'optional')`)},
              countIf(toHour(time, {timezone:String}) < 6) AS nightly_calls,
              countIf(max_tokens IS NULL) AS uncapped_calls,
              quantilesExact(0.5, 0.95)(output_tokens) AS quantiles,
              toInt64(quantiles[1]) AS median,
              quantiles[2] AS p95,
              groupArray(output_tokens) AS outputs,
              countIf(time < {middle:DateTime64(3, 'UTC')}) AS first_calls,
              sumIf(input_tokens, time < {middle:DateTime64(3, 'UTC')}) AS first_input,
              countIf(time >= {middle:DateTime64(3, 'UTC')}) AS second_calls,
              sumIf(input_tokens, time >= {middle:DateTime64(3, 'UTC')}) AS second_input
            FROM ${callsTable(transport)}
            WHERE ${IN_RANGE}
            GROUP BY feature, model
          )
          ORDER BY feature, model`,
    params,
    tag: { operation, projectId: input.projectId },
  });
  return rows.map((row) => ({
    feature: String(row['feature']),
    model: String(row['model']),
    costUsd: toUsd(row['cost']),
    realTime: usageTotals(row, 'rt'),
    batched: usageTotals(row, 'batched'),
    deferrable: usageTotals(row, 'deferrable'),
    nightlyCalls: toCount(row['nightly_calls']),
    callsWithoutMaxTokens: toCount(row['uncapped_calls']),
    outputTokensMedian: toCount(row['median']),
    outputTokensP95: toCount(row['p95']),
    outputTokensAboveCap: toCount(row['above_cap']),
    callsAboveCap: toCount(row['calls_above_cap']),
    firstHalf: { calls: toCount(row['first_calls']), inputTokens: toCount(row['first_input']) },
    secondHalf: { calls: toCount(row['second_calls']), inputTokens: toCount(row['second_input']) },
  }));
}

/**
 * Successful calls sharing a prompt prefix hash with at least one other call that read nothing
 * from the cache, per feature, model and prefix: how many, the shortest input (the prefix is at
 * most that long) and the five-minute windows the uncached calls fall in.
 */
export async function getPromptPrefixUsage(transport: ClickHouseTransport, input: InsightRange): Promise<PromptPrefixUsage[]> {
  const operation = 'insights.promptPrefixUsage';
  checked(operation, input);
  const rows = await transport.query<Record<string, unknown>>({
    sql: `SELECT feature, model, prompt_prefix_hash, count() AS calls,
            countIf(cache_read_input_tokens = 0) AS uncached_calls, min(input_tokens) AS min_input,
            uniqExactIf(toStartOfFiveMinutes(time), cache_read_input_tokens = 0) AS cache_windows
          FROM ${callsTable(transport)}
          WHERE ${IN_RANGE} AND status = 'ok' AND prompt_prefix_hash != ''
          GROUP BY feature, model, prompt_prefix_hash
          HAVING uncached_calls >= 2
          ORDER BY feature, model, prompt_prefix_hash`,
    params: rangeParams(input),
    tag: { operation, projectId: input.projectId },
  });
  return rows.map((row) => ({
    feature: String(row['feature']),
    model: String(row['model']),
    prefixHash: String(row['prompt_prefix_hash']),
    calls: toCount(row['calls']),
    uncachedCalls: toCount(row['uncached_calls']),
    minInputTokens: toCount(row['min_input']),
    cacheWindows: toCount(row['cache_windows']),
  }));
}

/**
 * Per feature and model, successful calls whose request hash (`costscope.request.hash`) was
 * already answered earlier in the range: the calls after each request's first, and what they
 * were stored as costing.
 */
export async function getRepeatedRequestUsage(transport: ClickHouseTransport, input: InsightRange): Promise<RepeatedRequestUsage[]> {
  const operation = 'insights.repeatedRequestUsage';
  checked(operation, input);
  const rows = await transport.query<Record<string, unknown>>({
    sql: `SELECT feature, model, sum(sent) AS hashed_calls, countIf(sent > 1) AS repeated_requests,
            sum(sent - 1) AS repeat_calls, toString(sum(repeat_cost)) AS repeat_cost
          FROM (
            SELECT feature, model, attributes[{hashKey:String}] AS request_hash, count() AS sent,
              sum(total_cost_usd) - argMin(total_cost_usd, (time, span_id)) AS repeat_cost
            FROM ${callsTable(transport)}
            WHERE ${IN_RANGE} AND status = 'ok' AND attributes[{hashKey:String}] != ''
            GROUP BY feature, model, request_hash
          )
          GROUP BY feature, model
          HAVING repeat_calls > 0
          ORDER BY feature, model`,
    params: { ...rangeParams(input), hashKey: semconv.ATTR_COSTSCOPE_REQUEST_HASH },
    tag: { operation, projectId: input.projectId },
  });
  return rows.map((row) => ({
    feature: String(row['feature']),
    model: String(row['model']),
    hashedCalls: toCount(row['hashed_calls']),
    repeatedRequests: toCount(row['repeated_requests']),
    repeatCalls: toCount(row['repeat_calls']),
    repeatCostUsd: toUsd(row['repeat_cost']),
  }));
}
