import { Download, X } from 'lucide-react';
import Link from 'next/link';
import { CostCell } from '@/components/cost-cell';
import { FilterSelects } from '@/components/filter-selects';
import { PageHeader } from '@/components/page-header';
import { RangePicker } from '@/components/range-picker';
import { ApiErrorBanner, NoDataYet, Stat, UnpricedNotice } from '@/components/states';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { api, serverUrl } from '@/lib/api/client';
import { count, money, moneyFloor, percent } from '@/lib/format';
import { load, pageRange, type PageSearchParams } from '@/lib/server/page-data';
import { featureTableRows, filterSearchParams, previousRangeLabel, relativeChange, totalFailedCost, type Filters } from '@/lib/shape/features';
import { errorRate } from '@/lib/shape/overview';
import { daysOfRange, rangeSearchParams } from '@/lib/time-range';
import { loadFeatures } from './data';
import { FeaturesTable, OutputTokensChange } from './features-table';

const FILTER_LABELS: Partial<Record<keyof Filters, string>> = { model: 'model', userTier: 'user tier', endpoint: 'endpoint', provider: 'provider', user: 'user', service: 'service' };

export default async function FeaturesPage({ searchParams }: { searchParams: PageSearchParams }) {
  const params = await searchParams;
  const now = new Date();
  const loaded = await load(async () => {
    const { range } = await pageRange(params, '30d', now);
    const [features, choices, prices] = await Promise.all([
      loadFeatures(params, now),
      // The filters' choices: every model and user tier of the range, whatever is filtered now.
      api.costs({ from: range.from, to: range.to, groupBy: ['model', 'userTier'] }),
      api.prices(),
    ]);
    return { ...features, choices, prices };
  });
  if (!loaded.ok) return <ApiErrorBanner message={loaded.error.message} at={loaded.error.at} />;

  const { project, range, filters, rows, totals, baselineTotals, rules, choices, prices } = loaded.data;
  const days = daysOfRange(range, project.timezone);
  const viewParams = { ...rangeSearchParams(range), ...filterSearchParams(filters) };
  const filtered = Object.keys(filters).length > 0;
  const optionsOf = (dimension: 'model' | 'userTier') => [...new Set(choices.rows.map((row) => row[dimension] ?? ''))].filter((value) => value !== '').sort();
  const header = (
    <PageHeader title="Features" description={`${range.label} · output tokens per call against ${previousRangeLabel(range)}`}>
      <RangePicker preset={range.preset} fromDay={days[0] ?? ''} toDay={days.at(-1) ?? ''} />
      <Button asChild variant="outline" size="sm" className="h-9">
        <a href={`/features/export.csv?${new URLSearchParams(viewParams)}`} download>
          <Download aria-hidden="true" />
          Export CSV
        </a>
      </Button>
    </PageHeader>
  );
  const filterBar = (
    <div className="flex flex-wrap items-center gap-x-4 gap-y-2">
      <FilterSelects
        filters={[
          { dimension: 'model', label: 'Model', allLabel: 'All models', options: optionsOf('model'), value: filters.model?.join(',') ?? null },
          { dimension: 'userTier', label: 'User tier', allLabel: 'All tiers', options: optionsOf('userTier'), value: filters.userTier?.join(',') ?? null },
        ]}
      />
      {filtered ? (
        <Link href={`/features?${new URLSearchParams(rangeSearchParams(range))}`} className="inline-flex items-center gap-1 text-sm font-medium text-primary underline-offset-4 hover:underline">
          <X className="size-3.5" aria-hidden="true" />
          Clear filters
        </Link>
      ) : null}
    </div>
  );

  if (totals.requests === 0 && rows.length === 0) {
    return (
      <>
        {header}
        {filtered ? (
          <div className="grid gap-4">
            {filterBar}
            <p className="text-sm text-muted-foreground">No calls match these filters in this range.</p>
          </div>
        ) : (
          <NoDataYet endpoint={serverUrl()} />
        )}
      </>
    );
  }

  const failedCost = totalFailedCost(rows);
  const allocated = rows.filter((row) => row.allocationShare !== null);
  const warnAtShare = rules.featureAllocation.warnAtPercent / 100;
  const overWarning = allocated.filter((row) => (row.allocationShare ?? 0) >= warnAtShare || (row.forecastShare ?? 0) > 1);
  const outputPerCall = totals.requests > 0 ? totals.outputTokens / totals.requests : null;
  const baselineOutputPerCall = baselineTotals.requests > 0 ? baselineTotals.outputTokens / baselineTotals.requests : null;

  return (
    <>
      {header}
      <div className="grid grid-cols-[minmax(0,1fr)] gap-4">
        {filterBar}
        {filtered ? (
          <p className="text-sm text-muted-foreground">
            Showing calls where{' '}
            {Object.entries(filters)
              .map(([dimension, values]) => `${FILTER_LABELS[dimension as keyof Filters] ?? dimension} is ${values.join(' or ')}`)
              .join(' and ')}
            . Allocation and forecast columns always count the whole feature.
          </p>
        ) : null}
        <UnpricedNotice requests={totals.unpricedRequests} models={prices.unpricedModels.map((model) => model.model)} />

        <section aria-label={`Totals, ${range.label}`} className="grid grid-cols-2 gap-3 sm:gap-4 xl:grid-cols-4">
          <Stat
            label="Spend"
            value={<span data-testid="features-spend">{money(totals.costUsd)}</span>}
            hint={totals.unpricedRequests > 0 ? `+ ${count(totals.unpricedRequests)} unpriced calls not in this total` : `${count(rows.filter((row) => row.requests > 0).length)} features with calls`}
          />
          <Stat label="Calls" value={<span data-testid="features-calls">{count(totals.requests)}</span>} hint={`${percent(errorRate(totals), 2)} failed`} />
          <Stat label="Cost of failed calls" value={<span data-testid="features-failed-cost">{money(failedCost)}</span>} hint={`${count(totals.errors)} failed call${totals.errors === 1 ? '' : 's'} in the range`} />
          <Stat
            label="Allocations"
            value={allocated.length === 0 ? 'None set' : `${overWarning.length} of ${allocated.length}`}
            hint={
              allocated.length === 0 ? (
                <Link href="/settings#allocations" className="font-medium text-primary underline-offset-4 hover:underline">
                  Set monthly allocations
                </Link>
              ) : (
                `features past ${rules.featureAllocation.warnAtPercent}% or forecast over`
              )
            }
          />
        </section>

        <Card className="gap-2">
          <CardHeader>
            <CardTitle>Cost per feature</CardTitle>
            <CardDescription>
              Cost / success: all cost, failed calls included, over successful calls. Output / call: output tokens per call, against {previousRangeLabel(range)}.
              This month: spend so far{allocated.length > 0 ? ' against the allocation' : ''}, and the forecast straight-lined to month end
              {allocated.length > 0 ? ' (the tick on a bar marks where it lands)' : ''}.
            </CardDescription>
          </CardHeader>
          <CardContent className="px-2 sm:px-3">
            <FeaturesTable
              rows={featureTableRows(rows)}
              linkSearch={viewParams}
              warnAtShare={warnAtShare}
              driftThresholdPercent={rules.outputTokenDrift.thresholdPercent}
              showAllocation={allocated.length > 0}
              footer={[
                'All features',
                <CostCell key="cost" costUsd={totals.costUsd} unpricedRequests={totals.unpricedRequests} requests={totals.requests} testId="features-total-cost" />,
                count(totals.requests),
                moneyFloor(totals.costPerSuccessUsd, totals.unpricedRequests),
                percent(errorRate(totals), 1),
                money(failedCost),
                <span key="output" className="whitespace-nowrap">
                  {outputPerCall === null ? '—' : count(outputPerCall)}
                  <OutputTokensChange change={relativeChange(outputPerCall, baselineOutputPerCall)} thresholdPercent={rules.outputTokenDrift.thresholdPercent} />
                </span>,
                '',
              ]}
            />
          </CardContent>
        </Card>
      </div>
    </>
  );
}
