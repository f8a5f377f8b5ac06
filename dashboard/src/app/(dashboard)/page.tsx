import { addLocalDays, alertRulesSchema, localTime, parseUsd, startOfLocalDay, type ProjectBudget } from '@costscope/core';
import { BellRing, CheckCircle2 } from 'lucide-react';
import Link from 'next/link';
import { AllocationBar } from '@/components/allocation-bar';
import { LineSwatch } from '@/components/charts/line-swatch';
import { MonthToDateChart } from '@/components/charts/month-to-date-chart';
import { StackedCostChart } from '@/components/charts/stacked-cost-chart';
import { TodayVsAverageChart } from '@/components/charts/today-vs-average-chart';
import { PageHeader } from '@/components/page-header';
import { RangePicker } from '@/components/range-picker';
import { ApiErrorBanner, NoDataYet, Stat, UnpricedNotice } from '@/components/states';
import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { api, serverUrl } from '@/lib/api/client';
import type { FeatureAllocationSetting } from '@/lib/api/types';
import { stackTopSeries } from '@/lib/chart-data';
import { count, dateTime, dayLabel, money, moneyWithUnpriced, percent } from '@/lib/format';
import { load, pageRange, type PageSearchParams } from '@/lib/server/page-data';
import { breakdownRows, featureHref } from '@/lib/shape/features';
import { alertMarkers, errorRate, firingAlerts, type AlertItem, monthBounds, monthToDate, spendByLocalDay, sumAllocations, todayVsAverage } from '@/lib/shape/overview';
import { daysOfRange, rangeSearchParams } from '@/lib/time-range';

/** The rules setting allows up to 31 trailing days; asking for that many covers any baseline. */
const MAX_BASELINE_DAYS = 31;
const TOP_FEATURES = 6;

export default async function OverviewPage({ searchParams }: { searchParams: PageSearchParams }) {
  const params = await searchParams;
  const now = new Date();
  const loaded = await load(async () => {
    const { project, range } = await pageRange(params, '30d', now);
    const timezone = project.timezone;
    const today = localTime(now, timezone).day;
    const month = monthBounds(today);
    // One daily series serves both "today against its trailing days" and "month to date".
    const dailyFrom = [month.first, addLocalDays(today, -MAX_BASELINE_DAYS)].sort()[0] ?? month.first;
    const [costs, daily, rangeAlerts, firing, prices, allocations, rules, budget] = await Promise.all([
      api.costs({ from: range.from, to: range.to, groupBy: ['feature'], interval: 'day' }),
      api.costs({ from: startOfLocalDay(dailyFrom, timezone), to: startOfLocalDay(addLocalDays(today, 1), timezone), interval: 'day' }),
      api.alerts({ from: range.from, to: range.to }),
      api.alerts({ status: 'firing' }),
      api.prices(),
      api.setting<FeatureAllocationSetting[]>('allocations'),
      api.setting<unknown>('rules'),
      api.setting<ProjectBudget>('budget'),
    ]);
    return { project, range, today, costs, daily, rangeAlerts, firing, prices, allocations, rules: alertRulesSchema.parse(rules.value), budget: budget.value };
  });
  if (!loaded.ok) return <ApiErrorBanner message={loaded.error.message} at={loaded.error.at} />;

  const { project, range, today, costs, daily, rangeAlerts, firing, prices, allocations, rules, budget } = loaded.data;
  const timezone = project.timezone;
  const days = daysOfRange(range, timezone);
  const rangeParams = rangeSearchParams(range);
  const header = (
    <PageHeader title="Overview" description={`${range.label} · days in ${timezone}`}>
      <RangePicker preset={range.preset} fromDay={days[0] ?? today} toDay={days.at(-1) ?? today} />
    </PageHeader>
  );
  if (costs.totals.requests === 0) {
    return (
      <>
        {header}
        <NoDataYet endpoint={serverUrl()} />
      </>
    );
  }

  const totals = costs.totals;
  const byDay = spendByLocalDay(daily.rows, timezone);
  const spike = todayVsAverage(byDay, today, rules.dailySpendSpike);
  const mtd = monthToDate({
    byDay,
    now,
    timezone,
    allocationUsd: sumAllocations(allocations.value),
    budgetUsd: budget.monthlyUsd === null ? null : parseUsd(budget.monthlyUsd),
    forecastMinDays: rules.featureAllocation.forecastMinDays,
  });
  const stacked = stackTopSeries(costs.rows, { dimension: 'feature', buckets: days, bucketOf: (iso) => localTime(new Date(iso), timezone).day });
  const markers = alertMarkers(rangeAlerts.alerts, timezone, days);
  const firingNow = firingAlerts(firing.alerts, rules);
  const topFeatures = breakdownRows(costs.rows, 'feature').slice(0, TOP_FEATURES);
  const failed = totals.errors;

  return (
    <>
      {header}
      <div className="grid grid-cols-[minmax(0,1fr)] gap-4">
        <UnpricedNotice requests={totals.unpricedRequests} models={prices.unpricedModels.map((model) => model.model)} />
        <FiringAlerts alerts={firingNow} timezone={timezone} />

        <section aria-label={`Totals, ${range.label}`} className="grid grid-cols-2 gap-3 sm:gap-4 xl:grid-cols-4">
          <Stat
            label="Spend"
            value={<span data-testid="overview-spend">{money(totals.costUsd)}</span>}
            hint={totals.unpricedRequests > 0 ? `+ ${count(totals.unpricedRequests)} unpriced call${totals.unpricedRequests === 1 ? '' : 's'} not in this total` : range.label}
          />
          <Stat label="Calls" value={<span data-testid="overview-calls">{count(totals.requests)}</span>} hint={`${count(totals.requests - failed)} successful`} />
          <Stat
            label="Cost per successful call"
            value={<span data-testid="overview-cost-per-success">{money(totals.costPerSuccessUsd)}</span>}
            hint="All cost, failed calls included"
          />
          <Stat
            label="Error rate"
            value={<span data-testid="overview-error-rate">{percent(errorRate(totals), 2)}</span>}
            hint={`${count(failed)} failed call${failed === 1 ? '' : 's'}`}
          />
        </section>

        <div className="grid gap-4 lg:grid-cols-2">
          <Card>
            <CardHeader>
              <div className="flex items-start justify-between gap-3">
                <div>
                  <CardTitle>Spend today</CardTitle>
                  <CardDescription>
                    {dayLabel(today)} so far, against the average of the {spike.baselineDays} days before
                  </CardDescription>
                </div>
                {spike.outcome.state === 'firing' ? (
                  <Badge variant="destructive">Over {spike.thresholdPercent}%</Badge>
                ) : spike.outcome.state === 'ok' ? (
                  <Badge variant="success">Under {spike.thresholdPercent}%</Badge>
                ) : (
                  <Badge variant="outline">Too little history</Badge>
                )}
              </div>
              <div className="mt-2 flex flex-wrap items-baseline gap-x-3 gap-y-1">
                <span className="text-3xl font-semibold tabular" data-testid="today-spend">
                  {money(spike.todayUsd)}
                </span>
                <span className="text-sm text-muted-foreground">
                  {spike.shareOfAverage === null ? 'no spend in the trailing days' : `${percent(spike.shareOfAverage, 0)} of the ${spike.baselineDays}-day average`}
                </span>
              </div>
              <dl className="mt-1 flex flex-wrap gap-x-5 gap-y-1 text-sm">
                <div className="flex gap-1.5">
                  <LineSwatch tone="muted" />
                  <dt className="text-muted-foreground">Average</dt>
                  <dd className="tabular font-medium" data-testid="trailing-average">
                    {money(spike.averageUsd)}
                  </dd>
                </div>
                <div className="flex gap-1.5">
                  <LineSwatch tone="destructive" dashed />
                  <dt className="text-muted-foreground">Alert line ({spike.thresholdPercent}%)</dt>
                  <dd className="tabular font-medium" data-testid="spike-threshold">
                    {money(spike.thresholdUsd)}
                  </dd>
                </div>
              </dl>
            </CardHeader>
            <CardContent>
              <TodayVsAverageChart
                bars={spike.bars}
                average={Number(spike.averageUsd)}
                threshold={Number(spike.thresholdUsd)}
                ariaLabel={`Daily spend of the last ${spike.baselineDays} days and today, with the average and the ${spike.thresholdPercent}% alert line`}
              />
              {spike.outcome.state === 'insufficient_data' ? <p className="mt-2 text-xs text-muted-foreground">The alert rule waits: {spike.outcome.reason}.</p> : null}
            </CardContent>
          </Card>

          <Card>
            <CardHeader>
              <CardTitle>Month to date</CardTitle>
              <CardDescription>{mtd.monthLabel}, every feature, with the month-end forecast (dashed)</CardDescription>
              <div className="mt-2 flex flex-wrap items-baseline gap-x-3 gap-y-1">
                <span className="text-3xl font-semibold tabular" data-testid="month-to-date">
                  {money(mtd.monthToDateUsd)}
                </span>
                {mtd.allocationUsd !== null ? (
                  <span className="flex gap-1.5 text-sm text-muted-foreground">
                    {percent(mtd.allocationShare, 0)} of
                    <LineSwatch tone="warning" />
                    <span className="font-medium text-foreground tabular" data-testid="total-allocation">
                      {money(mtd.allocationUsd)}
                    </span>
                    allocated
                  </span>
                ) : null}
                {mtd.budgetUsd !== null ? (
                  <span className="flex gap-1.5 text-sm text-muted-foreground" data-testid="project-budget">
                    {mtd.budgetShare === null ? null : `${percent(mtd.budgetShare, 0)} `}of
                    <span className="font-medium text-foreground tabular">{money(mtd.budgetUsd)}</span>
                    budget
                  </span>
                ) : null}
              </div>
              <dl className="mt-1 flex flex-wrap gap-x-5 gap-y-1 text-sm">
                <div className="flex gap-1.5">
                  <LineSwatch tone="primary" dashed />
                  <dt className="text-muted-foreground">Forecast at month end</dt>
                  <dd className="tabular font-medium" data-testid="month-forecast">
                    {mtd.forecastUsd === null ? `from day ${rules.featureAllocation.forecastMinDays}` : money(mtd.forecastUsd)}
                  </dd>
                </div>
                {mtd.forecastShare !== null ? (
                  <div className="flex gap-1.5">
                    <dt className="text-muted-foreground">of allocation</dt>
                    <dd className={mtd.forecastShare > 1 ? 'tabular font-medium text-destructive' : 'tabular font-medium'}>{percent(mtd.forecastShare, 0)}</dd>
                  </div>
                ) : null}

              </dl>
              {mtd.budgetShare !== null ? (
                <AllocationBar className="mt-2" share={mtd.budgetShare} warnAt={rules.featureAllocation.warnAtPercent / 100} label="Project budget used this month" />
              ) : null}
              {mtd.allocationShare !== null ? (
                <AllocationBar className="mt-2" share={mtd.allocationShare} forecastShare={mtd.forecastShare} warnAt={rules.featureAllocation.warnAtPercent / 100} label="Total allocation used this month" />
              ) : (
                <p className="mt-1 text-sm text-muted-foreground">
                  No monthly allocations yet.{' '}
                  <Link href="/settings#allocations" className="font-medium text-primary underline-offset-4 hover:underline">
                    Set one per feature
                  </Link>{' '}
                  to be warned before the month runs over.
                </p>
              )}
            </CardHeader>
            <CardContent>
              <MonthToDateChart
                points={mtd.points}
                allocation={mtd.allocationUsd === null ? null : Number(mtd.allocationUsd)}
                ariaLabel={`Cumulative spend in ${mtd.monthLabel}${mtd.forecastUsd === null ? '' : ' and the forecast to month end'}${mtd.allocationUsd === null ? '' : ', against the total allocation'}`}
              />
            </CardContent>
          </Card>
        </div>

        <Card>
          <CardHeader>
            <CardTitle>Daily cost by feature</CardTitle>
            <CardDescription>
              {range.label}
              {stacked.shownOf ? ` · top ${stacked.shownOf.shown} of ${stacked.shownOf.of} features, the rest as others` : ''}
              {markers.length > 0 ? ' · a red dot marks a day an alert fired' : ''}
            </CardDescription>
          </CardHeader>
          <CardContent>
            <StackedCostChart points={stacked.points} series={stacked.series} markers={markers} ariaLabel={`Daily cost stacked by feature, ${range.label}`} />
          </CardContent>
        </Card>

        <Card>
          <CardHeader className="flex-row items-center justify-between">
            <CardTitle>Top features</CardTitle>
            <Link href={`/features?${new URLSearchParams(rangeParams)}`} className="text-sm font-medium text-primary underline-offset-4 hover:underline">
              All features
            </Link>
          </CardHeader>
          <CardContent>
            <ol className="grid gap-x-10 gap-y-3 md:grid-cols-2">
              {topFeatures.map((feature) => (
                <li key={feature.value} className="grid gap-1">
                  <div className="flex items-baseline justify-between gap-3 text-sm">
                    {feature.value === '' ? (
                      <span className="truncate text-muted-foreground">{feature.name}</span>
                    ) : (
                      <Link href={featureHref(feature.value, rangeParams)} className="truncate font-medium text-primary underline-offset-4 hover:underline">
                        {feature.name}
                      </Link>
                    )}
                    <span className="shrink-0 tabular">
                      <span data-testid={`top-feature-cost-${feature.value}`}>{moneyWithUnpriced(feature.costUsd, feature.unpricedRequests)}</span>
                      <span className="ml-2 text-muted-foreground">{percent(feature.costShare, 0)}</span>
                    </span>
                  </div>
                  <div className="h-1.5 rounded-full bg-muted" aria-hidden="true">
                    <div className="h-full rounded-full bg-primary/70" style={{ width: `${(feature.costShare ?? 0) * 100}%` }} />
                  </div>
                </li>
              ))}
            </ol>
          </CardContent>
        </Card>
      </div>
    </>
  );
}

/**
 * What is on fire comes first: each firing episode links to its page. When nothing fires, one
 * quiet line says so instead of an empty card.
 */
function FiringAlerts({ alerts, timezone }: { alerts: AlertItem[]; timezone: string }) {
  if (alerts.length === 0) {
    return (
      <p className="flex flex-wrap items-center gap-x-2 gap-y-1 text-sm text-muted-foreground" data-testid="firing-alerts-none">
        <CheckCircle2 className="size-4 text-success" aria-hidden="true" />
        No alert is firing.
        <Link href="/alerts" className="font-medium text-primary underline-offset-4 hover:underline">
          Alert history
        </Link>
      </p>
    );
  }
  return (
    <Card className="border-destructive/40">
      <CardHeader className="flex-row items-center justify-between">
        <CardTitle className="flex items-center gap-2">
          <BellRing className="size-4 text-destructive" aria-hidden="true" />
          {alerts.length} alert{alerts.length === 1 ? '' : 's'} firing
        </CardTitle>
        <Link href="/alerts" className="text-sm font-medium text-primary underline-offset-4 hover:underline">
          All alerts
        </Link>
      </CardHeader>
      <CardContent>
        <ul className="grid gap-2 md:grid-cols-2" data-testid="firing-alerts">
          {alerts.map((alert) => (
            <li key={alert.episodeId}>
              <Link
                href={`/alerts/${encodeURIComponent(alert.episodeId)}`}
                className="grid h-full gap-1 rounded-lg border p-3 outline-none hover:bg-accent focus-visible:ring-[3px] focus-visible:ring-ring/50"
              >
                <span className="flex flex-wrap items-center gap-2">
                  <Badge variant={alert.severity === 'critical' ? 'destructive' : 'warning'}>{alert.severity}</Badge>
                  <span className="font-medium">{alert.title}</span>
                  <span className="text-sm text-muted-foreground">{alert.scope}</span>
                </span>
                {alert.reason ? <span className="text-sm">{alert.reason}</span> : null}
                <span className="text-xs text-muted-foreground">since {dateTime(alert.startedAt, timezone)}</span>
              </Link>
            </li>
          ))}
        </ul>
      </CardContent>
    </Card>
  );
}
