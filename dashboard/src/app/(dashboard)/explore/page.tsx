import { Download, X } from 'lucide-react';
import type { Metadata } from 'next';
import Link from 'next/link';
import { TimeSeriesChart } from '@/components/charts/time-series-chart';
import { PageHeader } from '@/components/page-header';
import { rangePickerDays } from '@/lib/time-range';
import { RangePicker } from '@/components/range-picker';
import { ApiErrorBanner, NoDataYet, Stat, UnpricedNotice } from '@/components/states';
import { buttonVariants } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { api, serverUrl } from '@/lib/api/client';
import { COST_DIMENSIONS, type CostDimension } from '@/lib/api/types';
import { count, money, moneyWithUnpriced, percent } from '@/lib/format';
import { load, pageRange, param, type PageSearchParams } from '@/lib/server/page-data';
import {
  DIMENSION_LABELS,
  METRIC_LABELS,
  bucketsOfRange,
  chooseInterval,
  exploreGroupRows,
  exploreSearch,
  exploreSeries,
  filterValueOptions,
  intervalLabel,
  isCostDimension,
  parseExploreState,
  urlRangeParams,
  withoutFilter,
  type ExploreState,
} from '@/lib/shape/explore';
import { AddFilter, ExploreControls } from './explore-controls';
import { FilterEditor } from './filter-editor';
import { GroupsTable } from './groups-table';

export const metadata: Metadata = { title: 'Explore' };

/**
 * Groups listed in the table, costliest first (totals count all of them; the CSV export lists up
 * to 10 000). Two dimensions can make thousands of combinations: 500 rows were a megabyte of page
 * and most of its render time, and the costliest 100 are what a person reads before filtering.
 */
const GROUP_LIMIT = 100;
/** Values offered by the filter editor, costliest first. */
const FILTER_VALUE_LIMIT = 200;

export default async function ExplorePage({ searchParams }: { searchParams: PageSearchParams }) {
  const params = await searchParams;
  const ranged = await load(() => pageRange(params));
  if (!ranged.ok) {
    return (
      <>
        <PageHeader title="Explore" />
        <ApiErrorBanner message={ranged.error.message} at={ranged.error.at} />
      </>
    );
  }
  const { range } = ranged.data;
  const { timezone } = range;
  // The range picker stays on the page when the figures fail, so a range the API refuses can be changed.
  const header = (
    <PageHeader title="Explore" description={`Cost by any one or two dimensions, with any filters · ${range.label}`}>
      <RangePicker preset={range.preset} {...rangePickerDays(range)} />
    </PageHeader>
  );

  const state = parseExploreState(params, urlRangeParams(params, range.preset));
  const interval = chooseInterval(range, params.interval);
  const filterOn = param(params, 'filterOn') ?? '';
  const editing = isCostDimension(filterOn) ? filterOn : null;
  const loaded = await load(async () => {
    const query = { from: range.from, to: range.to, filters: state.filters };
    const [groups, series, values] = await Promise.all([
      api.costs({ ...query, groupBy: state.groupBy, limit: GROUP_LIMIT }),
      api.costs({ ...query, groupBy: state.groupBy, interval: interval.interval }),
      editing ? api.costs({ ...query, filters: withoutFilter(state, editing).filters, groupBy: [editing], limit: FILTER_VALUE_LIMIT }) : null,
    ]);
    // The API cut its smallest rows: each bucket's total (the same query without groups) puts them back as "others".
    const bucketTotals = series.truncated ? (await api.costs({ ...query, interval: interval.interval })).rows : undefined;
    return { groups, series, bucketTotals, values };
  });
  if (!loaded.ok) {
    return (
      <>
        {header}
        <ApiErrorBanner message={loaded.error.message} at={loaded.error.at} />
      </>
    );
  }

  const { groups, series, bucketTotals, values } = loaded.data;
  const totals = groups.totals;
  const filtered = COST_DIMENSIONS.filter((dimension) => state.filters[dimension]);
  const groupNames = state.groupBy.map((dimension) => DIMENSION_LABELS[dimension].toLowerCase()).join(' and ');

  if (totals.requests === 0 && filtered.length === 0) {
    return (
      <>
        {header}
        <NoDataYet endpoint={serverUrl()} />
      </>
    );
  }

  const buckets = bucketsOfRange(range, interval.interval, timezone);
  const stacked = exploreSeries(series.rows, { groupBy: state.groupBy, interval: interval.interval, timezone, buckets, metric: state.metric, bucketTotals });
  const rows = exploreGroupRows(groups.rows, totals, state);
  const unpricedModels = state.groupBy.includes('model') ? [...new Set(groups.rows.filter((row) => row.unpricedRequests > 0 && row.model).map((row) => row.model as string))] : undefined;
  const topSeries = stacked.series.slice(0, 3).map((s) => s.label);

  return (
    <>
      {header}
      <div className="grid grid-cols-1 gap-4">
        <Card className="gap-4">
          <CardContent className="grid gap-4">
            <ExploreControls groupBy={state.groupBy} metric={state.metric} interval={interval.auto ? null : interval.interval} autoInterval={chooseInterval(range).interval} />
            <div className="flex flex-wrap items-center gap-2" aria-label="Filters" role="group">
              <span className="text-sm font-medium">Filters</span>
              {filtered.length === 0 ? <span className="text-sm text-muted-foreground">none: every call in the range</span> : null}
              {filtered.map((dimension) => (
                <FilterChip key={dimension} state={state} dimension={dimension} />
              ))}
              <AddFilter editing={editing} />
              {filtered.length > 1 ? (
                <Link href={`/explore${exploreSearch({ ...state, filters: {} })}`} className="text-sm text-primary underline underline-offset-4">
                  Clear filters
                </Link>
              ) : null}
            </div>
            {editing && values ? (
              <div className="rounded-lg border bg-muted/20 p-4">
                <FilterEditor
                  key={editing}
                  dimension={editing}
                  dimensionLabel={DIMENSION_LABELS[editing]}
                  selected={state.filters[editing] ?? []}
                  listCut={values.truncated}
                  options={filterValueOptions(values.rows, editing, state.filters[editing]).map((option) => ({
                    value: option.value,
                    cost: option.requests > 0 ? moneyWithUnpriced(option.costUsd, option.unpricedRequests) : 'no calls',
                    calls: option.requests,
                  }))}
                />
              </div>
            ) : null}
          </CardContent>
        </Card>

        {totals.requests === 0 ? (
          <Card>
            <CardHeader>
              <CardTitle className="text-base">No calls match these filters in this range</CardTitle>
              <CardDescription>
                {range.label}. Widen the range, or{' '}
                <Link href={`/explore${exploreSearch({ ...state, filters: {} })}`} className="text-primary underline underline-offset-4">
                  clear the filters
                </Link>
                .
              </CardDescription>
            </CardHeader>
          </Card>
        ) : (
          <>
            <UnpricedNotice requests={totals.unpricedRequests} models={unpricedModels} />
            <div className="grid gap-4 sm:grid-cols-2 xl:grid-cols-4">
              <Stat label="Cost" value={<span data-testid="explore-total-cost">{moneyWithUnpriced(totals.costUsd, totals.unpricedRequests)}</span>} />
              <Stat label="Calls" value={<span data-testid="explore-total-calls">{count(totals.requests)}</span>} />
              <Stat
                label="Failed calls"
                value={<span data-testid="explore-total-errors">{count(totals.errors)}</span>}
                hint={`${percent(totals.requests > 0 ? totals.errors / totals.requests : null)} of calls`}
              />
              <Stat
                label="Cost per successful call"
                value={<span data-testid="explore-cost-per-success">{totals.unpricedRequests >= totals.requests ? 'Unpriced' : money(totals.costPerSuccessUsd)}</span>}
                hint="All cost, failed calls included, over the calls that succeeded"
              />
            </div>

            <Card>
              <CardHeader>
                <CardTitle>
                  {METRIC_LABELS[state.metric]} by {groupNames}
                </CardTitle>
                <CardDescription>
                  {intervalLabel(interval.interval, timezone)}
                  {interval.auto ? ', chosen for the range' : ''}
                  {stacked.shownOf ? ` · the top ${stacked.shownOf.shown} of ${count(stacked.shownOf.of)} groups, the rest as others` : ''}
                </CardDescription>
              </CardHeader>
              <CardContent>
                <TimeSeriesChart
                  points={stacked.points}
                  series={stacked.series}
                  interval={interval.interval}
                  format={state.metric === 'cost' ? 'money' : 'count'}
                  ariaLabel={`${METRIC_LABELS[state.metric]} by ${groupNames}, ${intervalLabel(interval.interval, timezone).toLowerCase()}, ${range.label}. Largest: ${topSeries.join(', ')}.`}
                />
                {series.truncated ? (
                  <p className="mt-2 text-xs text-muted-foreground">
                    This view has more group-and-bucket rows than one answer holds: the smallest are drawn within others, so each bar’s height is still the real total.
                  </p>
                ) : null}
              </CardContent>
            </Card>

            <Card>
              <CardHeader className="flex-row flex-wrap items-start justify-between gap-3">
                <div className="grid gap-1">
                  <CardTitle>Groups</CardTitle>
                  <CardDescription>
                    {groups.truncated
                      ? `The ${count(groups.rows.length)} costliest groups; the totals count every call, and the CSV export lists up to 10,000 groups.`
                      : `${count(groups.rows.length)} group${groups.rows.length === 1 ? '' : 's'}.`}{' '}
                    Select a {DIMENSION_LABELS[state.groupBy[0] ?? 'feature'].toLowerCase()} to look inside it.
                  </CardDescription>
                </div>
                <a href={`/explore/export.csv${exploreSearch(state)}`} className={buttonVariants({ variant: 'outline', size: 'sm', className: 'no-print' })} download>
                  <Download aria-hidden="true" />
                  Export CSV
                </a>
              </CardHeader>
              <CardContent>
                <GroupsTable rows={rows} totals={totals} groupBy={state.groupBy} />
              </CardContent>
            </Card>
          </>
        )}
      </div>
    </>
  );
}

/** An active filter: its values (select to edit them) and a button to remove it. */
function FilterChip({ state, dimension }: { state: ExploreState; dimension: CostDimension }) {
  const values = state.filters[dimension] ?? [];
  const label = DIMENSION_LABELS[dimension];
  const shown = values.length > 3 ? `${values.slice(0, 3).join(', ')} +${values.length - 3}` : values.join(', ');
  return (
    <span className="inline-flex max-w-full items-center overflow-hidden rounded-md border bg-background text-sm" data-testid={`explore-filter-${dimension}`}>
      <Link
        href={`/explore${exploreSearch(state, { filterOn: dimension })}`}
        className="min-w-0 truncate px-2 py-1 outline-none hover:bg-muted focus-visible:ring-[3px] focus-visible:ring-ring/50"
        title={`Edit the ${label.toLowerCase()} filter: ${values.join(', ')}`}
      >
        <span className="text-muted-foreground">{label}:</span> <span className="font-mono text-xs">{shown}</span>
      </Link>
      <Link
        href={`/explore${exploreSearch(withoutFilter(state, dimension))}`}
        className="border-l px-1.5 py-1.5 text-muted-foreground outline-none hover:bg-muted hover:text-foreground focus-visible:ring-[3px] focus-visible:ring-ring/50"
        aria-label={`Remove the ${label.toLowerCase()} filter`}
      >
        <X className="size-3.5" aria-hidden="true" />
      </Link>
    </span>
  );
}
