import type { UsdAtto } from '@costscope/core';
import { CostscopeStorageError } from './errors.js';
import { callsTable, hourlyFigures } from './hourly-rollups.js';
import { isWholeHourOffset, requireProjectId, toCount, toUsd } from './query-support.js';
import { addDays } from './rule-inputs.js';
import type { ClickHouseTransport } from './transport.js';

export type WeeklyFeatureCost = {
  feature: string;
  thisWeekUsd: UsdAtto;
  lastWeekUsd: UsdAtto;
  /** thisWeek − lastWeek (negative when spend fell). */
  changeUsd: UsdAtto;
  thisWeekRequests: number;
  lastWeekRequests: number;
};

export type WeeklyReview = {
  week: string;
  /** Local Monday of the week, YYYY-MM-DD. */
  weekStartDay: string;
  features: WeeklyFeatureCost[];
  thisWeekUsd: UsdAtto;
  lastWeekUsd: UsdAtto;
};

/** Monday of an ISO week (`2026-W48`), as a calendar day. */
export function isoWeekMonday(week: string): string {
  const match = /^(\d{4})-W(\d{2})$/.exec(week);
  const year = Number(match?.[1]);
  const number = Number(match?.[2]);
  if (!match || number < 1 || number > 53) {
    throw new CostscopeStorageError('reports.weekly', 'invalid', `week must look like 2026-W48, got ${JSON.stringify(week)}`);
  }
  // Week 1 is the week with January 4th in it.
  const jan4 = Date.UTC(year, 0, 4);
  const jan4Weekday = (new Date(jan4).getUTCDay() + 6) % 7; // Monday = 0
  const monday = new Date(jan4 - jan4Weekday * 86_400_000 + (number - 1) * 7 * 86_400_000);
  const day = monday.toISOString().slice(0, 10);
  if (number === 53 && isoWeekMonday(`${year + 1}-W01`) === day) {
    throw new CostscopeStorageError('reports.weekly', 'invalid', `${year} has no week 53`);
  }
  return day;
}

/**
 * The weekly cost review: per feature, this week's spend against last week's, weeks starting
 * Monday 00:00 in `timezone`. Largest this-week spend first.
 */
export async function getWeeklyReview(
  transport: ClickHouseTransport,
  input: { projectId: string; week: string; timezone?: string; source?: 'auto' | 'raw' | 'rollup' },
): Promise<WeeklyReview> {
  const operation = 'reports.weekly';
  requireProjectId(operation, input.projectId);
  const timezone = input.timezone ?? 'UTC';
  const weekStartDay = isoWeekMonday(input.week);
  const lastWeekDay = addDays(weekStartDay, -7);
  const nextWeekDay = addDays(weekStartDay, 7);
  const fits = isWholeHourOffset(timezone, [new Date(`${lastWeekDay}T12:00:00Z`), new Date(`${nextWeekDay}T12:00:00Z`)]);
  const wanted = input.source ?? 'auto';
  if (wanted === 'rollup' && !fits) {
    throw new CostscopeStorageError(operation, 'invalid', 'hourly rollups cannot answer weeks in a zone off the hour');
  }
  const rollupWanted = wanted === 'rollup' || (wanted === 'auto' && fits);
  // Rollups: sealed hours plus deduplicated calls where no seal holds; raw: each call once. Local
  // weeks lie within a day of the same UTC days: the source covers them, the WHERE narrows.
  const rollup = rollupWanted
    ? await hourlyFigures(transport, {
        projectId: input.projectId,
        from: new Date(Date.parse(`${lastWeekDay}T00:00:00Z`) - 86_400_000),
        to: new Date(Date.parse(`${nextWeekDay}T00:00:00Z`) + 86_400_000),
        // UTC weeks are made of UTC days: the daily tier may answer them.
        wholeDays: timezone === 'UTC',
      })
    : undefined;
  const [table, time, cost, requests] = rollup
    ? [`${rollup.table} AS hourly`, 'hour', 'cost_usd', 'requests']
    : [callsTable(transport), 'time', 'total_cost_usd', '1'];
  const thisWeek = `${time} >= toDateTime({weekStart:Date}, {timezone:String})`;
  const rows = await transport.query<Record<string, string | number>>({
    sql: `SELECT feature,
            toString(sumIf(${cost}, ${thisWeek})) AS this_cost, toString(sumIf(${cost}, NOT (${thisWeek}))) AS last_cost,
            sumIf(${requests}, ${thisWeek}) AS this_requests, sumIf(${requests}, NOT (${thisWeek})) AS last_requests
          FROM ${table}
          WHERE project_id = {projectId:String}
            AND ${time} >= toDateTime({lastWeekStart:Date}, {timezone:String})
            AND ${time} < toDateTime({nextWeekStart:Date}, {timezone:String})
          GROUP BY feature
          ORDER BY sumIf(${cost}, ${thisWeek}) DESC, feature`,
    params: { ...rollup?.params, projectId: input.projectId, timezone, weekStart: weekStartDay, lastWeekStart: lastWeekDay, nextWeekStart: nextWeekDay },
    tag: { operation, projectId: input.projectId },
  });
  const features = rows.map((row) => {
    const thisWeekUsd = toUsd(row.this_cost);
    const lastWeekUsd = toUsd(row.last_cost);
    return {
      feature: String(row.feature),
      thisWeekUsd,
      lastWeekUsd,
      changeUsd: thisWeekUsd - lastWeekUsd,
      thisWeekRequests: toCount(row.this_requests),
      lastWeekRequests: toCount(row.last_requests),
    };
  });
  return {
    week: input.week,
    weekStartDay,
    features,
    thisWeekUsd: features.reduce((sum, feature) => sum + feature.thisWeekUsd, 0n),
    lastWeekUsd: features.reduce((sum, feature) => sum + feature.lastWeekUsd, 0n),
  };
}
