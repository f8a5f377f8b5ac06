import { PageHeader } from '@/components/page-header';
import { RangePicker } from '@/components/range-picker';
import { ApiErrorBanner, NoDataYet, Stat, UnpricedNotice } from '@/components/states';
import { api, serverUrl } from '@/lib/api/client';
import { moneyWithUnpriced, count } from '@/lib/format';
import { load, pageRange, type PageSearchParams } from '@/lib/server/page-data';

export default async function OverviewPage({ searchParams }: { searchParams: PageSearchParams }) {
  const params = await searchParams;
  const loaded = await load(async () => {
    const { project, range } = await pageRange(params);
    const costs = await api.costs({ from: range.from, to: range.to });
    return { project, range, costs };
  });
  if (!loaded.ok) return <ApiErrorBanner message={loaded.error.message} at={loaded.error.at} />;
  const { range, costs } = loaded.data;
  return (
    <>
      <PageHeader title="Overview" description={range.label}>
        <RangePicker preset={range.preset} fromDay={range.from.toISOString().slice(0, 10)} toDay={range.to.toISOString().slice(0, 10)} />
      </PageHeader>
      {costs.totals.requests === 0 ? (
        <NoDataYet endpoint={serverUrl()} />
      ) : (
        <div className="grid gap-4">
          <UnpricedNotice requests={costs.totals.unpricedRequests} />
          <div className="grid gap-4 sm:grid-cols-2 xl:grid-cols-4">
            <Stat label="Spend" value={moneyWithUnpriced(costs.totals.costUsd, costs.totals.unpricedRequests)} />
            <Stat label="Calls" value={count(costs.totals.requests)} />
          </div>
        </div>
      )}
    </>
  );
}
