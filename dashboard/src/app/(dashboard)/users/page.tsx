import type { Metadata } from 'next';
import { TimeSeriesChart } from '@/components/charts/time-series-chart';
import { PageHeader } from '@/components/page-header';
import { RangePicker } from '@/components/range-picker';
import { ApiErrorBanner, NoDataYet, Stat, UnpricedNotice } from '@/components/states';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { api, serverUrl } from '@/lib/api/client';
import type { CostRow } from '@/lib/api/types';
import { count, money, moneyWithUnpriced, percent } from '@/lib/format';
import { load, pageRange, type PageSearchParams } from '@/lib/server/page-data';
import { bucketsOfRange, chooseInterval, exploreSearch, intervalLabel, isFilterable, urlRangeParams } from '@/lib/shape/explore';
import { rangePickerDays } from '@/lib/time-range';
import { costPerPricedCall } from '@/lib/shape/models';
import { TOP_USERS, callsPerTier, listedUsersSpend, tierRows, tiersByUser, topUserRows, usersWithoutTier } from '@/lib/shape/users';
import { TierTable, TopUsersTable, type TierTableRow } from './users-tables';

export const metadata: Metadata = { title: 'Users' };

/** User-and-tier pairs asked for with the top users; enough for every top user's tier in practice. */
const USER_TIER_LIMIT = 1000;

export default async function UsersPage({ searchParams }: { searchParams: PageSearchParams }) {
  const params = await searchParams;
  const ranged = await load(() => pageRange(params));
  if (!ranged.ok) {
    return (
      <>
        <PageHeader title="Users" />
        <ApiErrorBanner message={ranged.error.message} at={ranged.error.at} />
      </>
    );
  }
  const { range } = ranged.data;
  const { timezone } = range;
  // The range picker stays on the page when the figures fail, so a range the API refuses can be changed.
  const header = (
    <PageHeader title="Users" description={`The users who cost the most, and cost per user tier · ${range.label}`}>
      <RangePicker preset={range.preset} {...rangePickerDays(range)} />
    </PageHeader>
  );

  const interval = chooseInterval(range).interval;
  const loaded = await load(async () => {
    const query = { from: range.from, to: range.to };
    const [users, userTiers, tiers, tiersOverTime] = await Promise.all([
      api.costs({ ...query, groupBy: ['user'], limit: TOP_USERS }),
      api.costs({ ...query, groupBy: ['user', 'userTier'], limit: USER_TIER_LIMIT }),
      api.costs({ ...query, groupBy: ['userTier'] }),
      api.costs({ ...query, groupBy: ['userTier'], interval }),
    ]);
    const tierRowsOfUsers: CostRow[] = [...userTiers.rows];
    const missing = usersWithoutTier(users.rows, tiersByUser(userTiers.rows));
    if (missing.length > 0) tierRowsOfUsers.push(...(await api.costs({ ...query, groupBy: ['user', 'userTier'], filters: { user: missing } })).rows);
    return { users, tierRowsOfUsers, tiers, tiersOverTime };
  });
  if (!loaded.ok) {
    return (
      <>
        {header}
        <ApiErrorBanner message={loaded.error.message} at={loaded.error.at} />
      </>
    );
  }

  const { users, tierRowsOfUsers, tiers, tiersOverTime } = loaded.data;
  const rangeParams = urlRangeParams(params, range.preset);
  const totals = tiers.totals;
  if (totals.requests === 0) {
    return (
      <>
        {header}
        <NoDataYet endpoint={serverUrl()} />
      </>
    );
  }

  const topUsers = topUserRows(users.rows, tiersByUser(tierRowsOfUsers), totals, rangeParams);
  // Calls without a user id are not a user: left out of "the top users".
  const withUserId = users.rows.filter((row) => row.user);
  const listed = listedUsersSpend(withUserId, totals);
  const listedUsers = withUserId.length;
  const tierTable: TierTableRow[] = tierRows(tiers.rows, totals).map((row) => ({
    ...row,
    exploreHref: isFilterable(row.tier) ? `/explore${exploreSearch({ groupBy: ['user'], filters: { userTier: [row.tier] }, metric: 'cost', range: rangeParams })}` : null,
  }));
  const calls = callsPerTier(tiersOverTime.rows, { interval, timezone, buckets: bucketsOfRange(range, interval, timezone) });
  const perCall = costPerPricedCall(totals.costUsd, totals.requests, totals.unpricedRequests);
  const bucketWord = interval === 'hour' ? 'hour' : interval === 'day' ? 'day' : 'week';

  return (
    <>
      {header}
      <div className="grid grid-cols-1 gap-4">
        <UnpricedNotice requests={totals.unpricedRequests} />
        <div className="grid gap-4 sm:grid-cols-2 xl:grid-cols-4">
          <Stat label="Cost" value={<span data-testid="users-total-cost">{moneyWithUnpriced(totals.costUsd, totals.unpricedRequests)}</span>} />
          <Stat label="Calls" value={<span data-testid="users-total-calls">{count(totals.requests)}</span>} />
          <Stat label="Cost per call" value={<span data-testid="users-cost-per-call">{perCall === null ? 'Unpriced' : money(perCall)}</span>} hint="Over the calls a price applied to" />
          <Stat
            label={users.truncated ? `Top ${count(listedUsers)} users` : 'All users'}
            value={<span data-testid="users-top-cost">{money(listed.costUsd)}</span>}
            hint={`${percent(listed.share)} of the cost${users.truncated ? '' : `, ${count(listedUsers)} users`}`}
          />
        </div>

        <div className="grid grid-cols-1 gap-4">
          <Card>
            <CardHeader>
              <CardTitle>Calls per {bucketWord} by user tier</CardTitle>
              <CardDescription>{intervalLabel(interval, timezone)}</CardDescription>
            </CardHeader>
            <CardContent>
              <TimeSeriesChart
                points={calls.points}
                series={calls.series}
                interval={interval}
                kind="line"
                format="count"
                height={280}
                ariaLabel={`Calls per ${bucketWord} by user tier, ${range.label}: ${calls.series.map((s) => `${s.label} ${count(s.total)} calls`).join(', ')}.`}
              />
            </CardContent>
          </Card>
          <Card>
            <CardHeader>
              <CardTitle>Cost per user tier</CardTitle>
              <CardDescription>Select a tier to see its users.</CardDescription>
            </CardHeader>
            <CardContent>
              <TierTable rows={tierTable} />
            </CardContent>
          </Card>
        </div>

        <Card>
          <CardHeader>
            <CardTitle>Top users by cost</CardTitle>
            <CardDescription>
              {users.truncated ? `The ${count(users.rows.length)} users who cost the most` : 'Every user'} in this range. Select a user to see their cost by feature.
            </CardDescription>
          </CardHeader>
          <CardContent>
            <TopUsersTable rows={topUsers} />
          </CardContent>
        </Card>
      </div>
    </>
  );
}
