import { addLocalDays, alertRulesSchema, forecastMonthEnd, localTime, parseUsd, startOfLocalDay, usdToExactString } from '@costscope/core';
import { ArrowLeft, SearchX } from 'lucide-react';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { AllocationBar } from '@/components/allocation-bar';
import { StackedCostChart } from '@/components/charts/stacked-cost-chart';
import { PageHeader } from '@/components/page-header';
import { RangePicker } from '@/components/range-picker';
import { ApiErrorBanner, Stat, UnpricedNotice } from '@/components/states';
import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { api } from '@/lib/api/client';
import type { FeatureAllocationSetting } from '@/lib/api/types';
import { stackTopSeries } from '@/lib/chart-data';
import { count, dateTime, money, moneyFloor, percent } from '@/lib/format';
import { load, pageRange, type PageSearchParams } from '@/lib/server/page-data';
import { alertsOfFeature, breakdownRows, failedCallsCost, filterSearchParams, filtersFromParams, tokenMix, usdShare, type Filters } from '@/lib/shape/features';
import { alertItems, alertMarkers, errorRate, monthBounds, monthLabel } from '@/lib/shape/overview';
import { daysOfRange, rangeSearchParams, type TimeRange } from '@/lib/time-range';
import { BreakdownTable } from './breakdown-table';

export default async function FeaturePage({ params, searchParams }: { params: Promise<{ feature: string }>; searchParams: PageSearchParams }) {
  const [{ feature: featureParam }, query] = await Promise.all([params, searchParams]);
  const feature = decodedSegment(featureParam);
  if (feature === null) notFound();
  const now = new Date();
  const loaded = await load(async () => {
    const { project, range } = await pageRange(query, '30d', now);
    const timezone = project.timezone;
    const filters: Filters = { ...filtersFromParams(query), feature: [feature] };
    const today = localTime(now, timezone).day;
    const month = monthBounds(today);
    const monthStart = startOfLocalDay(month.first, timezone);
    const [byModelDay, byEndpoint, byTier, byStatus, monthToDate, allocations, rules, alerts] = await Promise.all([
      api.costs({ from: range.from, to: range.to, groupBy: ['model'], interval: 'day', filters }),
      api.costs({ from: range.from, to: range.to, groupBy: ['endpoint'], filters }),
      api.costs({ from: range.from, to: range.to, groupBy: ['userTier'], filters }),
      api.costs({ from: range.from, to: range.to, groupBy: ['status'], filters }),
      // The allocation is the whole feature's, so this month's spend is too (no other filter).
      api.costs({ from: monthStart, to: startOfLocalDay(addLocalDays(today, 1), timezone), filters: { feature: [feature] } }),
      api.setting<FeatureAllocationSetting[]>('allocations'),
      api.setting<unknown>('rules'),
      api.alerts({ from: range.from, to: range.to }),
    ]);
    const clock = { elapsedMs: now.getTime() - monthStart.getTime(), monthMs: startOfLocalDay(month.next, timezone).getTime() - monthStart.getTime() };
    return { project, range, filters, byModelDay, byEndpoint, byTier, byStatus, monthToDate, allocations, rules: alertRulesSchema.parse(rules.value), alerts, clock, month };
  });
  if (!loaded.ok) return <ApiErrorBanner message={loaded.error.message} at={loaded.error.at} />;

  const { project, range, filters, byModelDay, byEndpoint, byTier, byStatus, monthToDate, allocations, rules, alerts, clock, month } = loaded.data;
  const timezone = project.timezone;
  const days = daysOfRange(range, timezone);
  const otherFilters = Object.entries(filters).filter(([dimension]) => dimension !== 'feature');
  const backParams = new URLSearchParams({ ...rangeSearchParams(range), ...filterSearchParams(Object.fromEntries(otherFilters)) });
  const header = (
    <PageHeader
      title={feature}
      description={
        <>
          <Link href={`/features?${backParams}`} className="inline-flex items-center gap-1 font-medium text-primary underline-offset-4 hover:underline">
            <ArrowLeft className="size-3.5" aria-hidden="true" />
            All features
          </Link>
          <span> · feature · {range.label}</span>
        </>
      }
    >
      <RangePicker preset={range.preset} fromDay={days[0] ?? ''} toDay={days.at(-1) ?? ''} />
    </PageHeader>
  );

  const totals = byModelDay.totals;
  if (totals.requests === 0) {
    return (
      <>
        {header}
        <NoCallsInRange feature={feature} range={range} retentionDays={project.retentionDays} now={now} filtered={otherFilters.length > 0} />
      </>
    );
  }

  const allocation = allocations.value.find((item) => item.feature === feature);
  const spent = parseUsd(monthToDate.totals.costUsd);
  const forecast = forecastMonthEnd({ monthToDateUsd: spent, ...clock, minDays: rules.featureAllocation.forecastMinDays });
  const allocationUsd = allocation ? parseUsd(allocation.monthlyUsd) : null;
  const allocationShare = usdShare(spent, allocationUsd);
  const forecastShare = forecast === null ? null : usdShare(forecast, allocationUsd);
  const tokens = tokenMix(totals);
  const failedCost = failedCallsCost(byStatus.rows);
  const stacked = stackTopSeries(byModelDay.rows, { dimension: 'model', buckets: days, bucketOf: (iso) => localTime(new Date(iso), timezone).day });
  const featureAlerts = alertsOfFeature(alerts.alerts, feature);
  const markers = alertMarkers(featureAlerts, timezone, days);
  const tokenTotal = tokens.uncachedInputTokens + tokens.cachedInputTokens + tokens.outputTokens;
  const segments = [
    { key: 'uncached', label: 'Input, uncached', value: tokens.uncachedInputTokens, colour: 'bg-chart-1' },
    { key: 'cached', label: 'Input, cache reads', value: tokens.cachedInputTokens, colour: 'bg-chart-3' },
    { key: 'output', label: 'Output', value: tokens.outputTokens, colour: 'bg-chart-2' },
  ];

  return (
    <>
      {header}
      <div className="grid grid-cols-[minmax(0,1fr)] gap-4">
        {otherFilters.length > 0 ? (
          <p className="text-sm text-muted-foreground">
            Only calls where {otherFilters.map(([dimension, values]) => `${dimension} is ${values.join(' or ')}`).join(' and ')}.{' '}
            <Link href={`/features/${encodeURIComponent(feature)}?${new URLSearchParams(rangeSearchParams(range))}`} className="font-medium text-primary underline-offset-4 hover:underline">
              Show all of {feature}
            </Link>
          </p>
        ) : null}
        <UnpricedNotice requests={totals.unpricedRequests} models={breakdownRows(byModelDay.rows, 'model').filter((row) => row.unpricedRequests > 0).map((row) => row.name)} />

        <section aria-label={`${feature}, ${range.label}`} className="grid grid-cols-2 gap-3 sm:gap-4 xl:grid-cols-4">
          <Stat
            label="Spend"
            value={<span data-testid="feature-spend">{moneyFloor(totals.costUsd, totals.unpricedRequests)}</span>}
            hint={totals.unpricedRequests > 0 ? `${count(totals.unpricedRequests)} unpriced calls not in this total` : range.label}
          />
          <Stat label="Calls" value={<span data-testid="feature-calls">{count(totals.requests)}</span>} hint={`${count(totals.requests - totals.errors)} successful`} />
          <Stat
            label="Cost per successful call"
            value={<span data-testid="feature-cost-per-success">{moneyFloor(totals.costPerSuccessUsd, totals.unpricedRequests)}</span>}
            hint="All cost, failed calls included"
          />
          <Stat
            label="Error rate"
            value={<span data-testid="feature-error-rate">{percent(errorRate(totals), 2)}</span>}
            hint={
              <>
                {count(totals.errors)} failed, costing <span data-testid="feature-failed-cost">{money(failedCost)}</span>
              </>
            }
          />
        </section>

        <div className="grid gap-4 lg:grid-cols-2">
          <Card>
            <CardHeader>
              <CardTitle>Tokens</CardTitle>
              <CardDescription>Input (cache reads apart) and output tokens, {range.label.toLowerCase()}</CardDescription>
            </CardHeader>
            <CardContent className="grid gap-4">
              <div className="flex h-3 w-full overflow-hidden rounded-full bg-muted" aria-hidden="true">
                {segments.map((segment) => (
                  <div key={segment.key} className={segment.colour} style={{ width: `${tokenTotal > 0 ? (segment.value / tokenTotal) * 100 : 0}%` }} />
                ))}
              </div>
              <dl className="grid grid-cols-3 gap-3 text-sm">
                {segments.map((segment) => (
                  <div key={segment.key} className="grid gap-0.5">
                    <dt className="flex items-center gap-1.5 text-muted-foreground">
                      <span className={`size-2.5 shrink-0 rounded-[2px] ${segment.colour}`} aria-hidden="true" />
                      {segment.label}
                    </dt>
                    <dd className="text-lg font-semibold tabular" data-testid={`feature-tokens-${segment.key}`}>
                      {count(segment.value)}
                    </dd>
                  </div>
                ))}
              </dl>
              <dl className="grid grid-cols-3 gap-3 border-t pt-3 text-sm">
                <div className="grid gap-0.5">
                  <dt className="text-muted-foreground">Cache-read share</dt>
                  <dd className="text-lg font-semibold tabular" data-testid="feature-cache-read-share">
                    {percent(tokens.cacheReadShare, 1)}
                  </dd>
                </div>
                <div className="grid gap-0.5">
                  <dt className="text-muted-foreground">Input / call</dt>
                  <dd className="text-lg font-semibold tabular">{tokens.inputTokensPerCall === null ? '—' : count(tokens.inputTokensPerCall)}</dd>
                </div>
                <div className="grid gap-0.5">
                  <dt className="text-muted-foreground">Output / call</dt>
                  <dd className="text-lg font-semibold tabular">{tokens.outputTokensPerCall === null ? '—' : count(tokens.outputTokensPerCall)}</dd>
                </div>
              </dl>
            </CardContent>
          </Card>

          <Card>
            <CardHeader>
              <CardTitle>This month</CardTitle>
              <CardDescription>
                {monthLabel(month.first)} so far, all of {feature}, with the straight-line month-end forecast
              </CardDescription>
            </CardHeader>
            <CardContent className="grid gap-4">
              <dl className="grid grid-cols-2 gap-3 text-sm">
                <div className="grid gap-0.5">
                  <dt className="text-muted-foreground">Month to date</dt>
                  <dd className="text-lg font-semibold tabular" data-testid="feature-month-to-date">
                    {moneyFloor(monthToDate.totals.costUsd, monthToDate.totals.unpricedRequests)}
                  </dd>
                </div>
                <div className="grid gap-0.5">
                  <dt className="text-muted-foreground">Forecast at month end</dt>
                  <dd className={`text-lg font-semibold tabular ${(forecastShare ?? 0) > 1 ? 'text-destructive' : ''}`} data-testid="feature-forecast">
                    {forecast === null ? `from day ${rules.featureAllocation.forecastMinDays}` : moneyFloor(usdToExactString(forecast), monthToDate.totals.unpricedRequests)}
                  </dd>
                </div>
              </dl>
              {allocation && allocationShare !== null ? (
                <div className="grid gap-2 text-sm">
                  <div className="flex flex-wrap justify-between gap-2">
                    <span>
                      <span className="font-medium tabular">{percent(allocationShare, 0)}</span> of the{' '}
                      <span className="font-medium tabular" data-testid="feature-allocation">
                        {money(allocation.monthlyUsd)}
                      </span>{' '}
                      monthly allocation used
                    </span>
                    {forecastShare !== null ? <span className="text-muted-foreground">forecast {percent(forecastShare, 0)}</span> : null}
                  </div>
                  <AllocationBar share={allocationShare} forecastShare={forecastShare} warnAt={rules.featureAllocation.warnAtPercent / 100} label={`${feature}: allocation used this month`} />
                </div>
              ) : (
                <p className="text-sm text-muted-foreground">
                  No monthly allocation for {feature}.{' '}
                  <Link href="/settings#allocations" className="font-medium text-primary underline-offset-4 hover:underline">
                    Set one
                  </Link>{' '}
                  to be warned at {rules.featureAllocation.warnAtPercent}% and when the forecast runs over.
                </p>
              )}
            </CardContent>
          </Card>
        </div>

        <Card>
          <CardHeader>
            <CardTitle>Daily cost by model</CardTitle>
            <CardDescription>
              {range.label}
              {stacked.shownOf ? ` · top ${stacked.shownOf.shown} of ${stacked.shownOf.of} models, the rest as others` : ''}
              {markers.length > 0 ? ' · a red dot marks a day an alert on this feature fired' : ''}
            </CardDescription>
          </CardHeader>
          <CardContent>
            {parseUsd(totals.costUsd) === 0n ? (
              // Every call unpriced: bars of $0 would read as a free feature.
              <p className="text-sm text-muted-foreground">
                No priced calls to chart: the models {feature} calls have no price yet.{' '}
                <Link href="/settings#prices" className="font-medium text-primary underline-offset-4 hover:underline">
                  Add a price
                </Link>
              </p>
            ) : (
              <StackedCostChart points={stacked.points} series={stacked.series} markers={markers} height={260} ariaLabel={`Daily cost of ${feature} stacked by model, ${range.label}`} />
            )}
          </CardContent>
        </Card>

        {featureAlerts.length > 0 ? (
          <Card className="gap-2">
            <CardHeader>
              <CardTitle>Alerts on {feature}</CardTitle>
              <CardDescription>Episodes that started in this range</CardDescription>
            </CardHeader>
            <CardContent>
              <ul className="grid gap-2" data-testid="feature-alerts">
                {alertItems(featureAlerts, rules).map((alert) => (
                  <li key={alert.episodeId}>
                    <Link
                      href={`/alerts/${encodeURIComponent(alert.episodeId)}`}
                      className="flex flex-wrap items-center gap-x-3 gap-y-1 rounded-lg border p-3 outline-none hover:bg-accent focus-visible:ring-[3px] focus-visible:ring-ring/50"
                    >
                      <Badge variant={alert.status === 'resolved' ? 'outline' : alert.severity === 'critical' ? 'destructive' : 'warning'}>
                        {alert.status === 'resolved' ? 'resolved' : alert.severity}
                      </Badge>
                      <span className="font-medium">{alert.title}</span>
                      <span className="text-sm text-muted-foreground">{alert.scope}</span>
                      <span className="ml-auto text-xs text-muted-foreground">{dateTime(alert.startedAt, timezone)}</span>
                      {alert.reason ? <span className="basis-full text-sm">{alert.reason}</span> : null}
                    </Link>
                  </li>
                ))}
              </ul>
            </CardContent>
          </Card>
        ) : null}

        <Card className="gap-2">
          <CardHeader>
            <CardTitle>By model</CardTitle>
          </CardHeader>
          <CardContent className="px-2 sm:px-3">
            <BreakdownTable rows={breakdownRows(byModelDay.rows, 'model')} dimensionLabel="Model" testIdPrefix="model" />
          </CardContent>
        </Card>

        <div className="grid grid-cols-[minmax(0,1fr)] gap-4 2xl:grid-cols-2">
          <Card className="gap-2">
            <CardHeader>
              <CardTitle>By endpoint</CardTitle>
            </CardHeader>
            <CardContent className="px-2 sm:px-3">
              <BreakdownTable rows={breakdownRows(byEndpoint.rows, 'endpoint')} dimensionLabel="Endpoint" testIdPrefix="endpoint" compact />
            </CardContent>
          </Card>
          <Card className="gap-2">
            <CardHeader>
              <CardTitle>By user tier</CardTitle>
            </CardHeader>
            <CardContent className="px-2 sm:px-3">
              <BreakdownTable rows={breakdownRows(byTier.rows, 'userTier')} dimensionLabel="User tier" testIdPrefix="tier" compact />
            </CardContent>
          </Card>
        </div>
      </div>
    </>
  );
}

/** The feature from its URL segment (which Next hands over still percent-encoded); `null` when malformed. */
function decodedSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/**
 * A feature without calls in the range (a quiet week, a typo in a shared link): say so, and offer
 * wider ranges rather than a 404.
 */
function NoCallsInRange({ feature, range, retentionDays, now, filtered }: { feature: string; range: TimeRange; retentionDays: number; now: Date; filtered: boolean }) {
  const today = localTime(now, range.timezone).day;
  const widest = new URLSearchParams({ from: addLocalDays(today, -(retentionDays - 1)), to: addLocalDays(today, 1) });
  const href = (search: URLSearchParams) => `/features/${encodeURIComponent(feature)}?${search}`;
  return (
    <Card data-testid="feature-no-calls">
      <CardHeader>
        <CardTitle className="flex items-center gap-2 text-base">
          <SearchX className="size-4 text-muted-foreground" aria-hidden="true" />
          No calls from {feature} in this range{filtered ? ' with these filters' : ''}
        </CardTitle>
        <CardDescription>
          {range.label}: the feature may be new, renamed, or quiet. Widen the range to find its calls.
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-wrap gap-x-4 gap-y-2 text-sm">
        {range.preset !== '30d' ? (
          <Link href={href(new URLSearchParams({ range: '30d' }))} className="font-medium text-primary underline-offset-4 hover:underline">
            Last 30 days
          </Link>
        ) : null}
        <Link href={href(widest)} className="font-medium text-primary underline-offset-4 hover:underline">
          Last {retentionDays} days
        </Link>
        <Link href={`/features?${new URLSearchParams(rangeSearchParams(range))}`} className="font-medium text-primary underline-offset-4 hover:underline">
          Features with calls in this range
        </Link>
      </CardContent>
    </Card>
  );
}
