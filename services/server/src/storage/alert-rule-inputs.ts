import type { UsdAtto } from '@costscope/core';
import { callsTable } from './hourly-rollups.js';
import { requireProjectId, requireRange, toClickHouseTime, toCount, toUsd } from './query-support.js';
import { addDays } from './rule-inputs.js';
import type { ClickHouseTransport, QueryParams } from './transport.js';

/**
 * Rule inputs the scheduler needs beyond `rule-inputs.ts`: finer scopes (feature × endpoint,
 * feature × model), per-user daily spend and cost per successful response. They read raw calls:
 * the hourly rollups hold neither the user nor the endpoint × model pairs. `callsTable` reads a
 * span two writers stored at the same moment once (docs/scaling.md).
 */

/** Projects with at least one key that is not revoked: the projects the scheduler evaluates. */
export async function listAlertProjects(transport: ClickHouseTransport): Promise<string[]> {
  const rows = await transport.query<{ project_id: string }>({
    sql: `SELECT DISTINCT project_id FROM api_keys FINAL WHERE revoked_at IS NULL ORDER BY project_id`,
    tag: { operation: 'alerts.listProjects' },
  });
  return rows.map((row) => row.project_id);
}

const inWindow = (prefix: string) =>
  `time >= {${prefix}From:DateTime64(3, 'UTC')} AND time < {${prefix}To:DateTime64(3, 'UTC')}`;

function windowParams(prefix: string, range: { from: Date; to: Date }): QueryParams {
  return { [`${prefix}From`]: toClickHouseTime(range.from), [`${prefix}To`]: toClickHouseTime(range.to) };
}

export type EndpointErrorRate = {
  feature: string;
  endpoint: string;
  calls: number;
  errors: number;
  errorCostUsd: UsdAtto;
  retries: number;
  retryCostUsd: UsdAtto;
};

/** Calls, failures and retries with what they cost, per feature and endpoint in [from, to). */
export async function getErrorRatesByEndpoint(
  transport: ClickHouseTransport,
  input: { projectId: string; from: Date; to: Date },
): Promise<EndpointErrorRate[]> {
  const operation = 'rules.errorRatesByEndpoint';
  requireProjectId(operation, input.projectId);
  requireRange(operation, input.from, input.to);
  const rows = await transport.query<Record<string, string | number>>({
    sql: `SELECT feature, endpoint, count() AS calls, countIf(status = 'error') AS errors,
            toString(sumIf(total_cost_usd, status = 'error')) AS error_cost,
            countIf(attempt > 1) AS retries, toString(sumIf(total_cost_usd, attempt > 1)) AS retry_cost
          FROM ${callsTable(transport)}
          WHERE project_id = {projectId:String} AND ${inWindow('range')}
          GROUP BY feature, endpoint
          ORDER BY feature, endpoint`,
    params: { projectId: input.projectId, ...windowParams('range', input) },
    tag: { operation, projectId: input.projectId },
  });
  return rows.map((row) => ({
    feature: String(row.feature),
    endpoint: String(row.endpoint),
    calls: toCount(row.calls),
    errors: toCount(row.errors),
    errorCostUsd: toUsd(row.error_cost),
    retries: toCount(row.retries),
    retryCostUsd: toUsd(row.retry_cost),
  }));
}

export type ModelOutputTokenWindows = {
  feature: string;
  model: string;
  recent: { calls: number; total: number };
  baseline: { calls: number; total: number };
};

/** Output tokens and calls in a recent window and a baseline window, per feature and model. */
export async function getOutputTokenWindowsByModel(
  transport: ClickHouseTransport,
  input: { projectId: string; recent: { from: Date; to: Date }; baseline: { from: Date; to: Date } },
): Promise<ModelOutputTokenWindows[]> {
  const operation = 'rules.outputTokenWindowsByModel';
  requireProjectId(operation, input.projectId);
  requireRange(operation, input.recent.from, input.recent.to);
  requireRange(operation, input.baseline.from, input.baseline.to);
  const rows = await transport.query<Record<string, string | number>>({
    sql: `SELECT feature, model,
            countIf(${inWindow('recent')}) AS recent_calls, sumIf(output_tokens, ${inWindow('recent')}) AS recent_tokens,
            countIf(${inWindow('baseline')}) AS baseline_calls, sumIf(output_tokens, ${inWindow('baseline')}) AS baseline_tokens
          FROM ${callsTable(transport)}
          WHERE project_id = {projectId:String} AND ((${inWindow('recent')}) OR (${inWindow('baseline')}))
          GROUP BY feature, model
          ORDER BY feature, model`,
    params: { projectId: input.projectId, ...windowParams('recent', input.recent), ...windowParams('baseline', input.baseline) },
    tag: { operation, projectId: input.projectId },
  });
  return rows.map((row) => ({
    feature: String(row.feature),
    model: String(row.model),
    recent: { calls: toCount(row.recent_calls), total: toCount(row.recent_tokens) },
    baseline: { calls: toCount(row.baseline_calls), total: toCount(row.baseline_tokens) },
  }));
}

export type UserDailySpend = {
  userId: string;
  /** Spend of `day` so far. */
  todayUsd: UsdAtto;
  /** The `trailingDays` days before `day`, oldest first, days without calls as 0. */
  trailingDailyUsd: UsdAtto[];
};

/** Per user (calls with a user id), spend of local day `day` and of the `trailingDays` days before it. */
export async function getUserDailySpend(
  transport: ClickHouseTransport,
  input: { projectId: string; day: string; trailingDays: number; timezone: string },
): Promise<UserDailySpend[]> {
  const operation = 'rules.userDailySpend';
  requireProjectId(operation, input.projectId);
  const fromDay = addDays(input.day, -input.trailingDays);
  const rows = await transport.query<{ user_id: string; day: string; cost: string }>({
    sql: `SELECT user_id, toString(toDate(time, {timezone:String})) AS day, toString(sum(total_cost_usd)) AS cost
          FROM ${callsTable(transport)}
          WHERE project_id = {projectId:String} AND user_id != ''
            AND time >= toDateTime({fromDay:Date}, {timezone:String})
            AND time < toDateTime({afterDay:Date}, {timezone:String})
          GROUP BY user_id, day
          ORDER BY user_id, day`,
    params: { projectId: input.projectId, timezone: input.timezone, fromDay, afterDay: addDays(input.day, 1) },
    tag: { operation, projectId: input.projectId },
  });
  const byUser = new Map<string, Map<string, UsdAtto>>();
  for (const row of rows) {
    const days = byUser.get(row.user_id) ?? new Map<string, UsdAtto>();
    days.set(row.day, toUsd(row.cost));
    byUser.set(row.user_id, days);
  }
  const trailingDays = Array.from({ length: input.trailingDays }, (_, index) => addDays(fromDay, index));
  return [...byUser.entries()].map(([userId, days]) => ({
    userId,
    todayUsd: days.get(input.day) ?? 0n,
    trailingDailyUsd: trailingDays.map((day) => days.get(day) ?? 0n),
  }));
}

export type CostPerSuccessWindows = {
  feature: string;
  recent: { costUsd: UsdAtto; successes: number };
  baseline: { costUsd: UsdAtto; successes: number };
};

/** All spend (failures included) and successful calls, in a recent and a baseline window, per feature. */
export async function getCostPerSuccessWindows(
  transport: ClickHouseTransport,
  input: { projectId: string; recent: { from: Date; to: Date }; baseline: { from: Date; to: Date } },
): Promise<CostPerSuccessWindows[]> {
  const operation = 'rules.costPerSuccessWindows';
  requireProjectId(operation, input.projectId);
  requireRange(operation, input.recent.from, input.recent.to);
  requireRange(operation, input.baseline.from, input.baseline.to);
  const rows = await transport.query<Record<string, string | number>>({
    sql: `SELECT feature,
            toString(sumIf(total_cost_usd, ${inWindow('recent')})) AS recent_cost, countIf(status = 'ok' AND ${inWindow('recent')}) AS recent_ok,
            toString(sumIf(total_cost_usd, ${inWindow('baseline')})) AS baseline_cost, countIf(status = 'ok' AND ${inWindow('baseline')}) AS baseline_ok
          FROM ${callsTable(transport)}
          WHERE project_id = {projectId:String} AND ((${inWindow('recent')}) OR (${inWindow('baseline')}))
          GROUP BY feature
          ORDER BY feature`,
    params: { projectId: input.projectId, ...windowParams('recent', input.recent), ...windowParams('baseline', input.baseline) },
    tag: { operation, projectId: input.projectId },
  });
  return rows.map((row) => ({
    feature: String(row.feature),
    recent: { costUsd: toUsd(row.recent_cost), successes: toCount(row.recent_ok) },
    baseline: { costUsd: toUsd(row.baseline_cost), successes: toCount(row.baseline_ok) },
  }));
}
