import type { UsdAtto } from '@costscope/core';
import { callsTable } from './hourly-rollups.js';
import { requireProjectId, requireRange, toClickHouseTime, toCount, toUsd } from './query-support.js';
import type { ClickHouseTransport } from './transport.js';

export type WhatIfUsageQuery = {
  projectId: string;
  feature: string;
  from: Date;
  /** Exclusive. */
  to: Date;
  /**
   * The instants at which some price may change (every version's and override's start), sorted.
   * Calls are summed per stretch between two of them, so one price applies to each sum.
   */
  priceChanges: readonly Date[];
  signal?: AbortSignal;
};

/** The feature's calls of one model, batch flag and price stretch, summed. */
export type WhatIfUsageRow = {
  model: string;
  batch: boolean;
  /** How many of `priceChanges` are at or before these calls: 0 is the stretch before the first. */
  stretch: number;
  /** Whether these calls were stored without a price (their cost is unknown, not zero). */
  unpriced: boolean;
  requests: number;
  inputTokens: number;
  cacheReadInputTokens: number;
  cacheWriteInputTokens: number;
  outputTokens: number;
  costUsd: UsdAtto;
};

/**
 * A feature's token counts by category, summed by model, batch flag and price stretch, for
 * pricing the same calls on another model. Summing is exact for pricing: a call's cost is its
 * token count times a price per token with no rounding (see core's `priceUsage`), so the price of
 * a sum is the sum of the prices, as long as one price applies — hence the stretches.
 */
export async function getWhatIfUsage(transport: ClickHouseTransport, query: WhatIfUsageQuery): Promise<WhatIfUsageRow[]> {
  const operation = 'calls.whatIfUsage';
  requireProjectId(operation, query.projectId);
  requireRange(operation, query.from, query.to);
  const rows = await transport.query<{
    model: string;
    batch: boolean | number | string;
    stretch: string | number;
    unpriced: boolean | number | string;
    requests: string | number;
    input_tokens: string | number;
    cache_read_input_tokens: string | number;
    cache_write_input_tokens: string | number;
    output_tokens: string | number;
    cost: string;
  }>({
    sql: `SELECT model, batch,
            arrayCount(change -> change <= toUnixTimestamp64Milli(time), {priceChanges:Array(Int64)}) AS stretch,
            cost_status = 'unpriced' AS unpriced,
            count() AS requests, sum(input_tokens) AS input_tokens, sum(cache_read_input_tokens) AS cache_read_input_tokens,
            sum(cache_write_input_tokens) AS cache_write_input_tokens, sum(output_tokens) AS output_tokens,
            toString(sum(total_cost_usd)) AS cost
          FROM ${callsTable(transport)}
          WHERE project_id = {projectId:String} AND feature = {feature:String}
            AND time >= {from:DateTime64(3, 'UTC')} AND time < {to:DateTime64(3, 'UTC')}
          GROUP BY model, batch, stretch, unpriced
          ORDER BY model, batch, stretch, unpriced`,
    params: {
      projectId: query.projectId,
      feature: query.feature,
      from: toClickHouseTime(query.from),
      to: toClickHouseTime(query.to),
      priceChanges: query.priceChanges.map((change) => change.getTime()),
    },
    tag: { operation, projectId: query.projectId },
    signal: query.signal,
  });
  const flag = (value: boolean | number | string) => value === true || value === 1 || value === 'true' || value === '1';
  return rows.map((row) => ({
    model: row.model,
    batch: flag(row.batch),
    stretch: toCount(row.stretch),
    unpriced: flag(row.unpriced),
    requests: toCount(row.requests),
    inputTokens: toCount(row.input_tokens),
    cacheReadInputTokens: toCount(row.cache_read_input_tokens),
    cacheWriteInputTokens: toCount(row.cache_write_input_tokens),
    outputTokens: toCount(row.output_tokens),
    costUsd: toUsd(row.cost),
  }));
}
