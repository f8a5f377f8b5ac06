'use client';

import Link from 'next/link';
import { CostCell } from '@/components/cost-cell';
import { DataTable, type ColumnDef } from '@/components/data-table';
import type { CostDimension, CostFigures } from '@/lib/api/types';
import { count, money, percent } from '@/lib/format';
import { DIMENSION_LABELS, type ExploreGroupRow } from '@/lib/shape/explore';

/** A test id part from a group name (`search · gpt-5` → `search-gpt-5`). */
function testIdPart(label: string): string {
  return label.replace(/\s*·\s*/g, '-').replace(/\s+/g, '_');
}

/** What one useful answer cost; a group of only unpriced calls has no figure, never $0. */
function costPerSuccess(figures: Pick<CostFigures, 'costPerSuccessUsd' | 'requests' | 'unpricedRequests'>): string {
  if (figures.requests > 0 && figures.unpricedRequests >= figures.requests) return 'Unpriced';
  return money(figures.costPerSuccessUsd);
}

function errorRate(errors: number, requests: number): string {
  return requests > 0 ? percent(errors / requests) : '—';
}

/** Input tokens, with the share read from the cache (billed at the cached price). */
function TokensIn({ input, cached }: { input: number; cached: number }) {
  return (
    <span className="inline-flex flex-col items-end leading-tight">
      {count(input)}
      {cached > 0 ? <span className="text-xs text-muted-foreground">{percent(cached / input, 0)} cached</span> : null}
    </span>
  );
}

/** The groups of an Explore view with their figures; the first column drills into a group. */
export function GroupsTable({ rows, totals, groupBy }: { rows: ExploreGroupRow[]; totals: CostFigures; groupBy: CostDimension[] }) {
  const dimensionColumns: ColumnDef<ExploreGroupRow>[] = groupBy.map((dimension, index) => ({
    id: dimension,
    header: DIMENSION_LABELS[dimension],
    accessorFn: (row) => row.values[dimension] ?? '',
    cell: ({ row }) => {
      const value = row.original.values[dimension] ?? '';
      const text = value === '' ? <span className="text-muted-foreground italic">(untagged)</span> : <span className="break-all font-mono text-xs">{value}</span>;
      if (index > 0 || !row.original.drillDownHref || !row.original.drillDownBy) return text;
      return (
        <Link
          href={row.original.drillDownHref}
          className="rounded-sm text-primary underline-offset-4 outline-none hover:underline focus-visible:ring-[3px] focus-visible:ring-ring/50"
          aria-label={`Show only ${row.original.label}, by ${DIMENSION_LABELS[row.original.drillDownBy].toLowerCase()}`}
          title={`Show only ${row.original.label}, by ${DIMENSION_LABELS[row.original.drillDownBy].toLowerCase()}`}
        >
          {text}
        </Link>
      );
    },
  }));

  const columns: ColumnDef<ExploreGroupRow>[] = [
    ...dimensionColumns,
    {
      id: 'cost',
      header: 'Cost',
      accessorFn: (row) => Number(row.costUsd),
      cell: ({ row }) => (
        <CostCell costUsd={row.original.costUsd} unpricedRequests={row.original.unpricedRequests} requests={row.original.requests} testId={`explore-cost-${testIdPart(row.original.label)}`} />
      ),
      meta: { numeric: true },
    },
    {
      id: 'share',
      header: 'Share',
      accessorFn: (row) => row.costShare ?? -1,
      cell: ({ row }) => (
        <span className="inline-flex items-center justify-end gap-2">
          <span className="hidden h-1.5 w-12 overflow-hidden rounded-full bg-muted xl:inline-block" aria-hidden="true">
            <span className="block h-full bg-primary" style={{ width: `${Math.round((row.original.costShare ?? 0) * 100)}%` }} />
          </span>
          {percent(row.original.costShare)}
        </span>
      ),
      meta: { numeric: true },
    },
    {
      id: 'calls',
      header: 'Calls',
      accessorFn: (row) => row.requests,
      cell: ({ row }) => <span data-testid={`explore-calls-${testIdPart(row.original.label)}`}>{count(row.original.requests)}</span>,
      meta: { numeric: true },
    },
    {
      id: 'errors',
      header: 'Failed',
      accessorFn: (row) => row.errors,
      cell: ({ row }) => (
        <span title={`${errorRate(row.original.errors, row.original.requests)} of calls`}>
          {count(row.original.errors)} <span className="text-xs text-muted-foreground">({errorRate(row.original.errors, row.original.requests)})</span>
        </span>
      ),
      meta: { numeric: true },
    },
    {
      id: 'costPerSuccess',
      header: 'Cost / success',
      accessorFn: (row) => (row.costPerSuccessUsd === null ? -1 : Number(row.costPerSuccessUsd)),
      cell: ({ row }) => costPerSuccess(row.original),
      meta: { numeric: true },
    },
    {
      id: 'input',
      header: 'Input tokens',
      accessorFn: (row) => row.inputTokens,
      cell: ({ row }) => <TokensIn input={row.original.inputTokens} cached={row.original.cachedInputTokens} />,
      meta: { numeric: true },
    },
    { id: 'output', header: 'Output tokens', accessorFn: (row) => row.outputTokens, cell: ({ row }) => count(row.original.outputTokens), meta: { numeric: true } },
  ];

  const footer = [
    ...groupBy.map((_, index) => (index === 0 ? 'All groups' : '')),
    <CostCell key="cost" costUsd={totals.costUsd} unpricedRequests={totals.unpricedRequests} requests={totals.requests} testId="explore-table-total-cost" />,
    '100%',
    count(totals.requests),
    `${count(totals.errors)} (${errorRate(totals.errors, totals.requests)})`,
    costPerSuccess(totals),
    <TokensIn key="input" input={totals.inputTokens} cached={totals.cachedInputTokens} />,
    count(totals.outputTokens),
  ];

  return (
    <DataTable
      columns={columns}
      data={rows}
      footer={footer}
      caption={`Cost by ${groupBy.map((d) => DIMENSION_LABELS[d].toLowerCase()).join(' and ')}`}
      rowTestId={(row) => `explore-row-${testIdPart(row.label)}`}
      emptyMessage="No calls match this view."
    />
  );
}
