'use client';

import { useMemo } from 'react';
import { DataTable, type ColumnDef } from '@/components/data-table';
import { CostCell } from '@/components/cost-cell';
import { count, moneyFloor, percent } from '@/lib/format';
import type { BreakdownRow } from '@/lib/shape/features';

/**
 * One of a feature's breakdowns (by endpoint, model or user tier): cost with its share of the
 * feature's cost as a bar, calls, cost per successful call, error rate and output tokens per call.
 */
export function BreakdownTable({
  rows,
  dimensionLabel,
  testIdPrefix,
  compact = false,
}: {
  rows: BreakdownRow[];
  dimensionLabel: string;
  testIdPrefix: string;
  /** Tables that may sit side by side on wide screens leave out output tokens per call (the model table shows it). */
  compact?: boolean;
}) {
  const columns = useMemo<ColumnDef<BreakdownRow>[]>(
    () => [
      {
        id: 'name',
        accessorKey: 'name',
        header: dimensionLabel,
        cell: ({ row }) => <span className={row.original.value === '' ? 'text-muted-foreground' : 'font-medium'}>{row.original.name}</span>,
      },
      {
        id: 'cost',
        accessorKey: 'cost',
        header: 'Cost',
        meta: { numeric: true },
        cell: ({ row }) => (
          <div className="grid min-w-20 justify-items-end gap-1">
            <CostCell costUsd={row.original.costUsd} unpricedRequests={row.original.unpricedRequests} requests={row.original.requests} testId={`${testIdPrefix}-cost-${row.original.value}`} />
            {row.original.costShare !== null ? (
              <span className="flex w-full items-center gap-1.5">
                <span className="h-1.5 flex-1 rounded-full bg-muted" aria-hidden="true">
                  <span className="block h-full rounded-full bg-primary/70" style={{ width: `${row.original.costShare * 100}%` }} />
                </span>
                <span className="w-9 text-xs text-muted-foreground">{percent(row.original.costShare, 0)}</span>
              </span>
            ) : null}
          </div>
        ),
      },
      {
        id: 'calls',
        accessorKey: 'requests',
        header: 'Calls',
        meta: { numeric: true },
        cell: ({ row }) => <span data-testid={`${testIdPrefix}-calls-${row.original.value}`}>{count(row.original.requests)}</span>,
      },
      {
        id: 'costPerSuccess',
        accessorFn: (row) => (row.costPerSuccessUsd === null ? -1 : Number(row.costPerSuccessUsd)),
        header: 'Cost / success',
        meta: { numeric: true },
        cell: ({ row }) => moneyFloor(row.original.costPerSuccessUsd, row.original.unpricedRequests),
      },
      {
        id: 'errorRate',
        accessorFn: (row) => row.errorRate ?? -1,
        header: 'Error rate',
        meta: { numeric: true },
        cell: ({ row }) => percent(row.original.errorRate, 1),
      },
      {
        id: 'outputPerCall',
        accessorFn: (row) => row.outputTokensPerCall ?? -1,
        header: 'Output / call',
        meta: { numeric: true },
        cell: ({ row }) => (row.original.outputTokensPerCall === null ? '—' : count(row.original.outputTokensPerCall)),
      },
    ],
    [dimensionLabel, testIdPrefix],
  );
  const shown = compact ? columns.filter((column) => column.id !== 'outputPerCall') : columns;
  return <DataTable columns={shown} data={rows} initialSorting={[{ id: 'cost', desc: true }]} caption={`Cost by ${dimensionLabel.toLowerCase()}`} rowTestId={(row) => `${testIdPrefix}-row-${row.value}`} />;
}
