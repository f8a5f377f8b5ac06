'use client';

import Link from 'next/link';
import { useMemo } from 'react';
import type * as React from 'react';
import { AllocationBar } from '@/components/allocation-bar';
import { CostCell } from '@/components/cost-cell';
import { DataTable, type ColumnDef } from '@/components/data-table';
import { count, money, moneyFloor, percent } from '@/lib/format';
import type { FeatureRow } from '@/lib/shape/features';
import { cn } from '@/lib/utils';

export type FeatureTableRow = FeatureRow & { href: string | null };

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

function numberOr(value: number | null): number {
  // Unknown figures (no calls, no allocation) sort below every real one.
  return value ?? -1;
}

/**
 * The features table: every feature's cost, calls, cost per successful call, error rate and
 * failed calls' cost, output tokens per call against the baseline, and this month: spend so far
 * (against the allocation, when there is one) and the month-end forecast. Sortable by every column; rows and figures carry test ids named by feature.
 */
export function FeaturesTable({
  rows,
  footer,
  warnAtShare,
  driftThresholdPercent,
  showAllocation,
}: {
  rows: FeatureTableRow[];
  /** Whether any feature has an allocation: the month column then sorts by allocation used. */
  showAllocation: boolean;
  /** Totals, one cell per column shown, in order. */
  footer: React.ReactNode[];
  warnAtShare: number;
  driftThresholdPercent: number;
}) {
  const columns = useMemo<ColumnDef<FeatureTableRow, unknown>[]>(
    () => [
      {
        id: 'feature',
        accessorKey: 'label',
        header: 'Feature',
        cell: ({ row }) =>
          row.original.href ? (
            <Link href={row.original.href} className="font-medium text-primary underline-offset-4 hover:underline">
              {row.original.label}
            </Link>
          ) : (
            <span className="text-muted-foreground">{row.original.label}</span>
          ),
      },
      {
        id: 'cost',
        accessorFn: (row) => row.cost,
        header: 'Cost',
        meta: { numeric: true },
        cell: ({ row }) => (
          <CostCell costUsd={row.original.costUsd} unpricedRequests={row.original.unpricedRequests} requests={row.original.requests} testId={`feature-cost-${row.original.feature}`} />
        ),
      },
      {
        id: 'calls',
        accessorKey: 'requests',
        header: 'Calls',
        meta: { numeric: true },
        cell: ({ row }) => <span data-testid={`feature-calls-${row.original.feature}`}>{count(row.original.requests)}</span>,
      },
      {
        id: 'costPerSuccess',
        accessorFn: (row) => numberOr(row.costPerSuccessUsd === null ? null : Number(row.costPerSuccessUsd)),
        header: 'Cost / success',
        meta: { numeric: true },
        cell: ({ row }) => <span data-testid={`feature-cost-per-success-${row.original.feature}`}>{moneyFloor(row.original.costPerSuccessUsd, row.original.unpricedRequests)}</span>,
      },
      {
        id: 'errorRate',
        accessorFn: (row) => numberOr(row.errorRate),
        header: 'Error rate',
        meta: { numeric: true },
        cell: ({ row }) => (
          <span data-testid={`feature-error-rate-${row.original.feature}`} title={`${count(row.original.errors)} failed calls`}>
            {percent(row.original.errorRate, 1)}
          </span>
        ),
      },
      {
        id: 'failedCost',
        accessorFn: (row) => Number(row.failedCostUsd),
        header: 'Failed-call cost',
        meta: { numeric: true },
        cell: ({ row }) => (
          <span data-testid={`feature-failed-cost-${row.original.feature}`} className={row.original.errors === 0 ? 'text-muted-foreground' : undefined}>
            {money(row.original.failedCostUsd)}
          </span>
        ),
      },
      {
        id: 'outputPerCall',
        accessorFn: (row) => numberOr(row.outputTokensPerCall),
        header: 'Output / call',
        meta: { numeric: true },
        cell: ({ row }) => (
          <span className="whitespace-nowrap">
            <span data-testid={`feature-output-per-call-${row.original.feature}`}>{row.original.outputTokensPerCall === null ? '—' : count(row.original.outputTokensPerCall)}</span>
            <OutputTokensChange change={row.original.outputTokensChange} thresholdPercent={driftThresholdPercent} testId={`feature-output-change-${row.original.feature}`} />
          </span>
        ),
      },
      {
        id: 'month',
        // With allocations, the features nearest theirs come first; without, the largest month ahead.
        accessorFn: (row) => (showAllocation ? numberOr(row.allocationShare) : numberOr(row.forecastUsd === null ? null : Number(row.forecastUsd))),
        header: 'This month',
        cell: ({ row }) => {
          const { allocationShare, allocationUsd, forecastShare, forecastUsd, monthToDateUsd, monthToDateUnpricedRequests, feature, label } = row.original;
          return (
            <div className="grid min-w-32 gap-1 text-xs whitespace-nowrap">
              {allocationShare !== null && allocationUsd !== null ? (
                <>
                  <AllocationBar share={allocationShare} forecastShare={forecastShare} warnAt={warnAtShare} label={`${label}: allocation used this month`} />
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
                  {forecastUsd === null ? 'not yet' : moneyFloor(forecastUsd, monthToDateUnpricedRequests)}
                </span>
              </span>
            </div>
          );
        },
      },
    ],
    [warnAtShare, driftThresholdPercent, showAllocation],
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
