import 'server-only';
import { addLocalDays, alertRulesSchema, localTime, startOfLocalDay } from '@costscope/core';
import { api } from '@/lib/api/client';
import type { FeatureAllocationSetting } from '@/lib/api/types';
import { pageRange } from '@/lib/server/page-data';
import { featureRows, filtersFromParams, previousRange } from '@/lib/shape/features';
import { monthBounds } from '@/lib/shape/overview';

/**
 * The features table's data, read the same way by the page and its CSV export so both show the
 * same figures: the range's calls by feature and status (`filters` from the URL), the same-length
 * range before it for the output-token baseline, and this month's spend by feature (whole
 * features, unfiltered, as allocations are) for the allocation and forecast columns.
 */
export async function loadFeatures(params: Record<string, string | string[] | undefined>, now = new Date()) {
  const { project, range } = await pageRange(params, '30d', now);
  const timezone = project.timezone;
  const filters = filtersFromParams(params);
  const today = localTime(now, timezone).day;
  const month = monthBounds(today);
  const monthStart = startOfLocalDay(month.first, timezone);
  const baselineRange = previousRange(range);
  const [byStatus, baseline, monthToDate, allocations, rulesSetting] = await Promise.all([
    api.costs({ from: range.from, to: range.to, groupBy: ['feature', 'status'], filters }),
    api.costs({ from: baselineRange.from, to: baselineRange.to, groupBy: ['feature'], filters }),
    api.costs({ from: monthStart, to: startOfLocalDay(addLocalDays(today, 1), timezone), groupBy: ['feature'] }),
    api.setting<FeatureAllocationSetting[]>('allocations'),
    api.setting<unknown>('rules'),
  ]);
  const rules = alertRulesSchema.parse(rulesSetting.value);
  const rows = featureRows({
    byStatus: byStatus.rows,
    baseline: baseline.rows,
    monthToDate: monthToDate.rows,
    allocations: allocations.value,
    month: {
      elapsedMs: now.getTime() - monthStart.getTime(),
      monthMs: startOfLocalDay(month.next, timezone).getTime() - monthStart.getTime(),
      minDays: rules.featureAllocation.forecastMinDays,
    },
  });
  return { project, range, filters, rows, totals: byStatus.totals, baselineTotals: baseline.totals, rules, truncated: byStatus.truncated };
}
