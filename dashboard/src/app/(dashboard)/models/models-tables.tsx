'use client';

import { AlertTriangle } from 'lucide-react';
import Link from 'next/link';
import { CostCell } from '@/components/cost-cell';
import { DataTable, type ColumnDef } from '@/components/data-table';
import { Badge } from '@/components/ui/badge';
import type { CostFigures } from '@/lib/api/types';
import { count, exactPrice, money, percent } from '@/lib/format';
import type { ModelCostRow, PriceRow } from '@/lib/shape/models';

export type ModelTableRow = ModelCostRow & { exploreHref: string; costShare: number | null };

function PricingBadge({ row }: { row: ModelTableRow }) {
  if (row.pricing === 'priced') {
    return row.priceSource ? (
      <Badge variant={row.priceSource === 'catalog' ? 'secondary' : 'default'} title={row.priceVersion ?? undefined}>
        {row.priceSource === 'catalog' ? 'catalog' : 'override'}
      </Badge>
    ) : (
      <span className="text-muted-foreground">—</span>
    );
  }
  return (
    <span className="inline-flex flex-col items-start gap-1">
      <Badge variant="warning">
        <AlertTriangle className="size-3" aria-hidden="true" />
        {row.pricing === 'unpriced' ? 'No price' : 'Partly unpriced'}
      </Badge>
      <Link href={row.addPriceHref} className="text-sm font-medium text-primary underline-offset-4 hover:underline">
        Add a price
      </Link>
    </span>
  );
}

const modelColumns: ColumnDef<ModelTableRow>[] = [
  {
    id: 'model',
    header: 'Model',
    accessorKey: 'model',
    cell: ({ row }) => (
      <Link href={row.original.exploreHref} className="font-mono text-xs text-primary underline-offset-4 hover:underline" title={`Cost of ${row.original.model} by feature`}>
        {row.original.model || '(unknown)'}
      </Link>
    ),
  },
  { id: 'provider', header: 'Provider', accessorKey: 'provider', cell: ({ row }) => row.original.provider || <span className="text-muted-foreground">—</span> },
  {
    id: 'cost',
    header: 'Cost',
    accessorFn: (row) => Number(row.costUsd),
    cell: ({ row }) => <CostCell costUsd={row.original.costUsd} unpricedRequests={row.original.unpricedRequests} requests={row.original.requests} testId={`model-cost-${row.original.model}`} />,
    meta: { numeric: true },
  },
  { id: 'share', header: 'Share', accessorFn: (row) => row.costShare ?? -1, cell: ({ row }) => percent(row.original.costShare), meta: { numeric: true } },
  {
    id: 'calls',
    header: 'Calls',
    accessorFn: (row) => row.requests,
    cell: ({ row }) => <span data-testid={`model-calls-${row.original.model}`}>{count(row.original.requests)}</span>,
    meta: { numeric: true },
  },
  {
    id: 'costPerCall',
    header: 'Cost / call',
    accessorFn: (row) => (row.costPerCallUsd === null ? -1 : Number(row.costPerCallUsd)),
    cell: ({ row }) => (row.original.costPerCallUsd === null ? 'Unpriced' : <span data-testid={`model-cost-per-call-${row.original.model}`}>{money(row.original.costPerCallUsd)}</span>),
    meta: { numeric: true },
  },
  {
    id: 'input',
    header: 'Input tokens',
    accessorFn: (row) => row.inputTokens,
    cell: ({ row }) => (
      <span className="inline-flex flex-col items-end leading-tight">
        {count(row.original.inputTokens)}
        {row.original.cachedInputTokens > 0 ? <span className="text-xs text-muted-foreground">{percent(row.original.cachedInputTokens / row.original.inputTokens, 0)} cached</span> : null}
      </span>
    ),
    meta: { numeric: true },
  },
  { id: 'output', header: 'Output tokens', accessorFn: (row) => row.outputTokens, cell: ({ row }) => count(row.original.outputTokens), meta: { numeric: true } },
  { id: 'price', header: 'Price in force', enableSorting: false, cell: ({ row }) => <PricingBadge row={row.original} /> },
];

/** Cost per model and provider; unpriced models come first (the server's order is kept until a header is sorted). */
export function ModelCostTable({ rows, totals }: { rows: ModelTableRow[]; totals: CostFigures }) {
  return (
    <DataTable
      columns={modelColumns}
      data={rows}
      caption="Cost per model and provider"
      rowTestId={(row) => `model-row-${row.model}`}
      footer={[
        'All models',
        '',
        <CostCell key="cost" costUsd={totals.costUsd} unpricedRequests={totals.unpricedRequests} requests={totals.requests} testId="models-total-cost" />,
        '100%',
        count(totals.requests),
        '',
        count(totals.inputTokens),
        count(totals.outputTokens),
        '',
      ]}
    />
  );
}

/** A per-million price, exact; a price the model does not have (no cache writes) is a dash, never $0. */
function perMillion(value: string | null): string {
  return value === null ? '—' : exactPrice(value);
}

const priceColumns: ColumnDef<PriceRow>[] = [
  {
    id: 'model',
    header: 'Model',
    accessorKey: 'model',
    cell: ({ row }) => (
      <span className="inline-flex flex-col leading-tight">
        <span className="inline-flex items-center gap-1.5 font-medium">
          {row.original.displayName}
          {row.original.usedInRange ? (
            <Badge variant="outline" title="This model had calls in the page’s range">
              used
            </Badge>
          ) : null}
        </span>
        <span className="font-mono text-xs text-muted-foreground">{row.original.model}</span>
      </span>
    ),
  },
  { id: 'provider', header: 'Provider', accessorKey: 'provider' },
  { id: 'tier', header: 'Tier', accessorFn: (row) => row.tier ?? '', cell: ({ row }) => row.original.tier ?? <span className="text-muted-foreground">—</span> },
  { id: 'input', header: 'Input', accessorFn: (row) => Number(row.inputPerMillionUsd ?? -1), cell: ({ row }) => perMillion(row.original.inputPerMillionUsd), meta: { numeric: true } },
  {
    id: 'cached',
    header: 'Cached input',
    accessorFn: (row) => Number(row.cachedInputPerMillionUsd ?? -1),
    cell: ({ row }) => perMillion(row.original.cachedInputPerMillionUsd),
    meta: { numeric: true },
  },
  {
    id: 'cacheWrite',
    header: 'Cache write',
    accessorFn: (row) => Number(row.cacheWritePerMillionUsd ?? -1),
    cell: ({ row }) => perMillion(row.original.cacheWritePerMillionUsd),
    meta: { numeric: true },
  },
  { id: 'output', header: 'Output', accessorFn: (row) => Number(row.outputPerMillionUsd ?? -1), cell: ({ row }) => perMillion(row.original.outputPerMillionUsd), meta: { numeric: true } },
  {
    id: 'batch',
    header: 'Batch',
    accessorFn: (row) => row.batchDiscountPercent ?? -1,
    cell: ({ row }) => (row.original.batchDiscountPercent === null ? '—' : `−${row.original.batchDiscountPercent}%`),
    meta: { numeric: true },
  },
  {
    id: 'version',
    header: 'In force',
    accessorFn: (row) => row.effectiveFrom,
    cell: ({ row }) => (
      <span className="inline-flex w-48 flex-col leading-tight whitespace-normal">
        <span>from {row.original.effectiveFrom.slice(0, 10)}</span>
        <span className="font-mono text-xs break-all text-muted-foreground">{row.original.priceVersion}</span>
      </span>
    ),
  },
  {
    id: 'source',
    header: 'Source',
    accessorFn: (row) => row.source,
    cell: ({ row }) => <Badge variant={row.original.isOverride ? 'default' : 'secondary'}>{row.original.isOverride ? 'override' : row.original.source}</Badge>,
  },
];

/** The prices in force (catalog with this project's overrides), per million tokens. */
export function PriceTable({ rows }: { rows: PriceRow[] }) {
  return <DataTable columns={priceColumns} data={rows} caption="Prices in force, USD per million tokens" rowTestId={(row) => `price-row-${row.model}`} />;
}
