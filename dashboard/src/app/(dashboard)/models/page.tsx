import { AlertTriangle } from 'lucide-react';
import type { Metadata } from 'next';
import Link from 'next/link';
import { PageHeader } from '@/components/page-header';
import { RangePicker } from '@/components/range-picker';
import { ApiErrorBanner, NoDataYet, Stat } from '@/components/states';
import { Badge } from '@/components/ui/badge';
import { buttonVariants } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { api, serverUrl } from '@/lib/api/client';
import { count, dateTime, moneyWithUnpriced } from '@/lib/format';
import { load, pageRange, type PageSearchParams } from '@/lib/server/page-data';
import { costShare, exploreSearch, urlRangeParams } from '@/lib/shape/explore';
import { rangePickerDays } from '@/lib/time-range';
import { modelCostRows, priceRows, repriceWindow, unpricedModels } from '@/lib/shape/models';
import { ModelCostTable, PriceTable, type ModelTableRow } from './models-tables';
import { RepriceForm } from './reprice-form';

export const metadata: Metadata = { title: 'Models' };

export default async function ModelsPage({ searchParams }: { searchParams: PageSearchParams }) {
  const params = await searchParams;
  const ranged = await load(() => pageRange(params));
  if (!ranged.ok) {
    return (
      <>
        <PageHeader title="Models" />
        <ApiErrorBanner message={ranged.error.message} at={ranged.error.at} />
      </>
    );
  }
  const { project, range } = ranged.data;
  const { timezone } = range;
  // The range picker stays on the page when the figures fail, so a range the API refuses can be changed.
  const header = (
    <PageHeader title="Models" description={`Cost per model and provider, and the prices in force · ${range.label}`}>
      <RangePicker preset={range.preset} {...rangePickerDays(range)} />
    </PageHeader>
  );
  const loaded = await load(() => Promise.all([api.costs({ from: range.from, to: range.to, groupBy: ['model', 'provider'] }), api.prices()]));
  if (!loaded.ok) {
    return (
      <>
        {header}
        <ApiErrorBanner message={loaded.error.message} at={loaded.error.at} />
      </>
    );
  }

  const [costs, prices] = loaded.data;
  const rangeParams = urlRangeParams(params, range.preset);
  const rows: ModelTableRow[] = modelCostRows(costs.rows, prices.prices).map((row) => ({
    ...row,
    costShare: costShare(row.costUsd, costs.totals.costUsd),
    exploreHref: `/explore${exploreSearch({ groupBy: ['feature'], filters: row.model ? { model: [row.model] } : {}, metric: 'cost', range: rangeParams })}`,
  }));
  const needPrice = unpricedModels(costs.rows, prices.unpricedModels);
  const window = repriceWindow(range, project.retentionDays, new Date());
  const totals = costs.totals;

  return (
    <>
      {header}
      <div className="grid grid-cols-1 gap-4">
        {needPrice.length > 0 ? (
          <Card className="border-warning/60" data-testid="unpriced-models">
            <CardHeader>
              <CardTitle className="flex items-center gap-2 text-base">
                <AlertTriangle className="size-4 text-warning" aria-hidden="true" />
                {needPrice.length === 1 ? 'One model has no price' : `${needPrice.length} models have no price`}
              </CardTitle>
              <CardDescription>
                Their calls are stored with no cost, so every total that includes them is a floor, not the bill. Add a price (from the date the model was first used),
                then re-price the range below.
              </CardDescription>
            </CardHeader>
            <CardContent>
              <ul className="grid gap-2">
                {needPrice.map((model) => (
                  <li key={model.model} className="flex flex-wrap items-center gap-x-4 gap-y-1 rounded-md border bg-warning/5 px-3 py-2 text-sm" data-testid={`unpriced-model-${model.model}`}>
                    <span className="font-mono font-medium">{model.model}</span>
                    {model.provider ? <Badge variant="outline">{model.provider}</Badge> : null}
                    <span className="text-muted-foreground">
                      {model.unpricedInRange > 0 ? `${count(model.unpricedInRange)} unpriced call${model.unpricedInRange === 1 ? '' : 's'} in this range` : 'no calls in this range'}
                      {model.unpricedLast30Days !== null ? ` · ${count(model.unpricedLast30Days)} in the last 30 days` : ''}
                      {model.lastSeen ? ` · last seen ${dateTime(model.lastSeen, timezone)}` : ''}
                    </span>
                    <Link href={model.addPriceHref} className={buttonVariants({ size: 'sm', className: 'ml-auto' })} aria-label={`Add a price for ${model.model}`}>
                      Add a price
                    </Link>
                  </li>
                ))}
              </ul>
            </CardContent>
          </Card>
        ) : null}

        {totals.requests === 0 ? (
          <NoDataYet endpoint={serverUrl()} />
        ) : (
          <>
            <div className="grid gap-4 sm:grid-cols-2 xl:grid-cols-4">
              <Stat label="Cost" value={<span data-testid="models-cost">{moneyWithUnpriced(totals.costUsd, totals.unpricedRequests)}</span>} />
              <Stat label="Calls" value={<span data-testid="models-calls">{count(totals.requests)}</span>} />
              <Stat label="Models used" value={<span data-testid="models-count">{count(new Set(costs.rows.map((row) => row.model)).size)}</span>} hint={`from ${count(new Set(costs.rows.map((row) => row.provider)).size)} providers`} />
              <Stat
                label="Unpriced calls"
                value={<span data-testid="models-unpriced-calls">{count(totals.unpricedRequests)}</span>}
                hint={totals.unpricedRequests > 0 ? 'Not in the cost until a price is added' : 'Every call had a price'}
              />
            </div>
            <Card>
              <CardHeader>
                <CardTitle>Cost per model</CardTitle>
                <CardDescription>
                  Models without a price first. Cost per call counts the calls a price applied to. Select a model for its cost by feature, or see{' '}
                  <Link href={`/explore${exploreSearch({ groupBy: ['model'], filters: {}, metric: 'cost', range: rangeParams })}`} className="text-primary underline underline-offset-4">
                    cost per model over time
                  </Link>
                  .
                </CardDescription>
              </CardHeader>
              <CardContent>
                <ModelCostTable rows={rows} totals={totals} />
              </CardContent>
            </Card>
          </>
        )}

        <Card id="reprice">
          <CardHeader>
            <CardTitle>Re-price this range</CardTitle>
            <CardDescription>
              Applies the prices in force now (the catalog with your overrides) to the calls already stored from {dateTime(range.from.toISOString(), timezone)} to{' '}
              {dateTime(range.to.toISOString(), timezone)}, widened to whole hours. Run it after adding or correcting a price; running it twice changes nothing more.
            </CardDescription>
          </CardHeader>
          <CardContent className="grid gap-3">
            <p className={window.startsBeforeRetention ? 'rounded-md border border-warning/50 bg-warning/10 p-3 text-sm' : 'text-sm text-muted-foreground'}>
              Only calls within the raw retention ({project.retentionDays} days: since {dateTime(window.retainedFrom.toISOString(), timezone)}) can be re-priced.
              {window.startsBeforeRetention ? ' This range starts earlier, so the server will refuse it: pick a range that starts later.' : ''}
            </p>
            <RepriceForm from={range.from.toISOString()} to={range.to.toISOString()} />
          </CardContent>
        </Card>

        <Card>
          <CardHeader>
            <CardTitle>Prices in force</CardTitle>
            <CardDescription>
              USD per million tokens, as of {dateTime(prices.at, timezone)}: the catalog, with this project’s overrides. Models used in this range first. Change them in{' '}
              <Link href="/settings#prices" className="text-primary underline underline-offset-4">
                Settings
              </Link>
              .
            </CardDescription>
          </CardHeader>
          <CardContent>
            <PriceTable rows={priceRows(prices.prices, costs.rows)} />
          </CardContent>
        </Card>
      </div>
    </>
  );
}
