'use client';

import Link from 'next/link';
import type * as React from 'react';
import { DataTable, type ColumnDef } from '@/components/data-table';
import { Badge } from '@/components/ui/badge';
import { seriesName } from '@/lib/chart-data';
import { perSuccessText, type WeeklyFeatureTableRow } from '@/lib/shape/weekly';
import { ChangeAmount, ChangeIconSymbols } from './change-figure';
import { SpendFigure } from './spend-figure';

const usdSort = (amount: string | undefined) => (amount === undefined ? -1 : Number(amount));

/**
 * Cost per feature, this week against last, sortable. Rows come shaped from the server (exact
 * strings); the floats here only order the rows.
 */
export function WeeklyFeatureTable({ rows, totals, range }: { rows: WeeklyFeatureTableRow[]; totals: React.ReactNode[]; range: { from: string; to: string } }) {
  const columns: ColumnDef<WeeklyFeatureTableRow>[] = [
    {
      id: 'feature',
      header: 'Feature',
      accessorFn: (row) => seriesName(row.feature),
      cell: ({ row: { original: row } }) => (
        <span className="flex flex-wrap items-center gap-1.5">
          <Link
            href={`/features/${encodeURIComponent(row.feature)}?from=${range.from}&to=${range.to}`}
            className="font-medium wrap-anywhere underline-offset-4 hover:underline"
          >
            {seriesName(row.feature)}
          </Link>
          {row.status === 'new' ? <Badge variant="secondary">new</Badge> : null}
          {row.status === 'stopped' ? <Badge variant="outline">no calls</Badge> : null}
        </span>
      ),
    },
    {
      id: 'thisWeek',
      header: 'This week',
      accessorFn: (row) => usdSort(row.thisWeekUsd),
      meta: { numeric: true },
      cell: ({ row: { original: row } }) => (
        <SpendFigure usd={row.thisWeekUsd} unpriced={row.thisWeekUnpriced ?? 0} requests={row.thisWeekRequests} testId={`weekly-feature-this-week-${row.feature}`} />
      ),
    },
    {
      id: 'lastWeek',
      header: 'Last week',
      accessorFn: (row) => usdSort(row.lastWeekUsd),
      meta: { numeric: true },
      cell: ({ row: { original: row } }) => (
        <SpendFigure usd={row.lastWeekUsd} unpriced={row.lastWeekUnpriced ?? 0} requests={row.lastWeekRequests} testId={`weekly-feature-last-week-${row.feature}`} />
      ),
    },
    {
      id: 'change',
      header: 'Change',
      accessorFn: (row) => Number(row.change.changeUsd),
      meta: { numeric: true },
      cell: ({ row: { original: row } }) =>
        row.unpricedOnly ? (
          <span data-testid={`weekly-feature-change-${row.feature}`}>Unpriced</span>
        ) : (
          <span className="inline-flex flex-col items-end">
            <ChangeAmount change={row.change} testId={`weekly-feature-change-${row.feature}`} />
            {row.partlyUnpriced ? <span className="text-xs text-muted-foreground">priced calls</span> : null}
          </span>
        ),
    },
    {
      id: 'changePercent',
      header: 'Change %',
      accessorFn: (row) => row.change.ratio ?? (row.change.direction === 'up' ? Number.POSITIVE_INFINITY : 0),
      meta: { numeric: true, cellTestId: (row) => `weekly-feature-change-percent-${row.feature}` },
      cell: ({ row: { original: row } }) => (row.unpricedOnly ? '—' : row.change.percent),
    },
    {
      id: 'calls',
      header: 'Calls',
      accessorFn: (row) => row.thisWeekRequests,
      meta: { numeric: true },
      cell: ({ row: { original: row } }) => row.thisWeekRequests.toLocaleString('en-US'),
    },
    {
      id: 'perSuccess',
      header: 'Per success',
      accessorFn: (row) => usdSort(row.thisWeekCostPerSuccessUsd),
      meta: { numeric: true },
      cell: ({ row: { original: row } }) => perSuccessText(row.thisWeekCostPerSuccessUsd ?? null, row.thisWeekUnpriced ?? 0, row.thisWeekRequests),
    },
  ];
  return (
    <>
      <ChangeIconSymbols />
      <DataTable
        columns={columns}
        data={rows}
        footer={totals}
        caption="Cost per feature, this week against last week"
        rowTestId={(row) => `weekly-feature-${row.feature}`}
        emptyMessage="No calls in either week."
      />
    </>
  );
}
