'use client';

import Link from 'next/link';
import { useMemo } from 'react';
import type * as React from 'react';
import { AllocationBar } from '@/components/allocation-bar';
import { CostCell } from '@/components/cost-cell';
import { DataTable, type ColumnDef } from '@/components/data-table';
import { seriesName } from '@/lib/chart-data';
import { count, money, moneyFloor, percent } from '@/lib/format';
import { featureHref, type FeatureTableRow } from '@/lib/shape/features';
import { cn } from '@/lib/utils';

/** A change as "+12.5%" / "−3.0%", amber when rising past the output-token rule's threshold. */
export function OutputTokensChange({ change, thresholdPercent, testId }: { change: number | null; thresholdPercent: number; testId?: string }) {
  if (change === null) return null;
  const rising = change * 100 > thresholdPercent;
  return (
    <span
      data-testid={testId}
      title={rising ? `More than ${thresholdPercent}% above the baseline: the output-token alert rule's threshold` : undefined}
      className={cn('ml-1.5 rounded px-1 text-xs', rising ? 'bg-warning/15 text-foreground' : 'text-muted-foreground')}
    >
      {change < 0 ? '−' : '+'}
      {Math.abs(change * 100).toFixed(1)}%
    </span>
  );
}

function numberOr(value: number | null | undefined): number {
  // Unknown figures (no calls, no allocation) sort below every real one.
  return value ?? -1;
}

const errorRateOf = (row: FeatureTableRow) => (row.requests > 0 ? row.errors / row.requests : null);

/**
 * The features table: every feature's cost, calls, cost per successful call, error rate and
 * failed calls' cost, output tokens per call against the baseline, and this month: spend so far
 * (against the allocation, when there is one) and the month-end forecast. Sortable by every column; rows and figures carry test ids named by feature.
 */
export function FeaturesTable({
  rows,
  linkSearch,
  footer,
  warnAtShare,
  driftThresholdPercent,
  showAllocation,
}: {
  rows: FeatureTableRow[];
  /** The page's range and filters, kept by each feature's link. */
  linkSearch: Record<string, string>;
  /** Whether any feature has an allocation: the month column then sorts by allocation used. */
  showAllocation: boolean;
  /** Totals, one cell per column shown, in order. */
  footer: React.ReactNode[];
  warnAtShare: number;
  driftThresholdPercent: number;
}) {
  const columns = useMemo<ColumnDef<FeatureTableRow>[]>(
    () => [
      {
        id: 'feature',
        accessorFn: (row) => seriesName(row.feature),
        header: 'Feature',
        cell: ({ row: { original: row } }) =>
          row.feature === '' ? (
            <span className="text-muted-foreground">{seriesName(row.feature)}</span>
          ) : (
            <Link href={featureHref(row.feature, linkSearch)} className="font-medium text-primary underline-offset-4 hover:underline">
              {row.feature}
            </Link>
          ),
      },
      {
        id: 'cost',
        accessorFn: (row) => Number(row.costUsd),
        header: 'Cost',
        meta: { numeric: true },
        cell: ({ row: { original: row } }) => (
          <CostCell costUsd={row.costUsd} unpricedRequests={row.unpricedRequests ?? 0} requests={row.requests} testId={`feature-cost-${row.feature}`} />
        ),
      },
      {
        id: 'calls',
        accessorKey: 'requests',
        header: 'Calls',
        meta: { numeric: true, cellTestId: (row) => `feature-calls-${row.feature}` },
        cell: ({ row: { original: row } }) => count(row.requests),
      },
      {
        id: 'costPerSuccess',
        accessorFn: (row) => numberOr(row.costPerSuccessUsd === undefined ? null : Number(row.costPerSuccessUsd)),
        header: 'Cost / success',
        meta: { numeric: true, cellTestId: (row) => `feature-cost-per-success-${row.feature}` },
        cell: ({ row: { original: row } }) => moneyFloor(row.costPerSuccessUsd ?? null, row.unpricedRequests ?? 0),
      },
      {
        id: 'errorRate',
        accessorFn: (row) => numberOr(errorRateOf(row)),
        header: 'Error rate',
        meta: { numeric: true, cellTestId: (row) => `feature-error-rate-${row.feature}` },
        cell: ({ row: { original: row } }) => <span title={`${count(row.errors)} failed calls`}>{percent(errorRateOf(row), 1)}</span>,
      },
      {
        id: 'failedCost',
        accessorFn: (row) => Number(row.failedCostUsd),
        header: 'Failed-call cost',
        meta: { numeric: true, cellTestId: (row) => `feature-failed-cost-${row.feature}` },
        cell: ({ row: { original: row } }) => (row.errors === 0 ? <span className="text-muted-foreground">{money(row.failedCostUsd)}</span> : money(row.failedCostUsd)),
      },
      {
        id: 'outputPerCall',
        accessorFn: (row) => numberOr(row.outputTokensPerCall),
        header: 'Output / call',
        meta: { numeric: true },
        cell: ({ row: { original: row } }) => (
          <>
            <span data-testid={`feature-output-per-call-${row.feature}`}>{row.outputTokensPerCall === undefined ? '—' : count(row.outputTokensPerCall)}</span>
            <OutputTokensChange change={row.outputTokensChange ?? null} thresholdPercent={driftThresholdPercent} testId={`feature-output-change-${row.feature}`} />
          </>
        ),
      },
      {
        id: 'month',
        // With allocations, the features nearest theirs come first; without, the largest month ahead.
        accessorFn: (row) => (showAllocation ? numberOr(row.allocationShare) : numberOr(row.forecastUsd === undefined ? null : Number(row.forecastUsd))),
        header: 'This month',
        cell: ({ row }) => {
          const { allocationShare, allocationUsd, forecastShare, forecastUsd, monthToDateUsd, monthToDateUnpricedRequests = 0, feature } = row.original;
          const label = seriesName(feature);
          return (
            <div className="grid min-w-32 gap-1 text-xs whitespace-nowrap">
              {allocationShare !== undefined && allocationUsd !== undefined ? (
                <>
                  <AllocationBar share={allocationShare} forecastShare={forecastShare ?? null} warnAt={warnAtShare} label={`${label}: allocation used this month`} />
                  <span className="text-muted-foreground" data-testid={`feature-allocation-${feature}`}>
                    {percent(allocationShare, 0)} · {money(monthToDateUsd)} of {money(allocationUsd)}
                  </span>
                </>
              ) : (
                <span className="text-muted-foreground">{moneyFloor(monthToDateUsd, monthToDateUnpricedRequests)} so far</span>
              )}
              <span className="text-muted-foreground">
                forecast{' '}
                <span data-testid={`feature-forecast-${feature}`} className={cn('text-foreground', (forecastShare ?? 0) > 1 && 'font-medium text-destructive')}>
                  {forecastUsd === undefined ? 'not yet' : moneyFloor(forecastUsd, monthToDateUnpricedRequests)}
                </span>
              </span>
            </div>
          );
        },
      },
    ],
    [warnAtShare, driftThresholdPercent, showAllocation, linkSearch],
  );

  return (
    <DataTable
      columns={columns}
      data={rows}
      initialSorting={[{ id: 'cost', desc: true }]}
      footer={footer}
      caption="Cost per feature"
      rowTestId={(row) => `feature-row-${row.feature}`}
      emptyMessage="No feature had calls in this range."
    />
  );
}
