'use client';

import Link from 'next/link';
import { CostCell } from '@/components/cost-cell';
import { DataTable, type ColumnDef } from '@/components/data-table';
import { Badge } from '@/components/ui/badge';
import { count, money, percent } from '@/lib/format';
import type { TierRow, UserRow } from '@/lib/shape/users';

export type TierTableRow = TierRow & { exploreHref: string | null };

function failed(errors: number, requests: number) {
  return (
    <>
      {count(errors)} <span className="text-xs text-muted-foreground">({requests > 0 ? percent(errors / requests) : '—'})</span>
    </>
  );
}

function perCall(value: string | null) {
  return value === null ? 'Unpriced' : money(value);
}

const userColumns: ColumnDef<UserRow & { rank: number }>[] = [
  { id: 'rank', header: '#', accessorKey: 'rank', cell: ({ row }) => <span className="text-muted-foreground">{row.original.rank}</span>, meta: { numeric: true } },
  {
    id: 'user',
    header: 'User',
    accessorKey: 'user',
    cell: ({ row }) =>
      row.original.exploreHref ? (
        <Link href={row.original.exploreHref} className="font-mono text-xs text-primary underline-offset-4 hover:underline" title={`Cost of ${row.original.user} by feature`}>
          {row.original.user}
        </Link>
      ) : (
        <span className="text-muted-foreground italic">{row.original.user || '(no user id)'}</span>
      ),
  },
  {
    id: 'tier',
    header: 'Tier',
    accessorFn: (row) => row.tiers.join(','),
    cell: ({ row }) =>
      row.original.tiers.length === 0 ? (
        <span className="text-muted-foreground">—</span>
      ) : (
        <span className="inline-flex gap-1" title={row.original.tiers.length > 1 ? 'More than one tier in this range (most calls first)' : undefined}>
          {row.original.tiers.map((tier) => (
            <Badge key={tier} variant="secondary">
              {tier}
            </Badge>
          ))}
        </span>
      ),
  },
  {
    id: 'cost',
    header: 'Cost',
    accessorFn: (row) => Number(row.costUsd),
    cell: ({ row }) => <CostCell costUsd={row.original.costUsd} unpricedRequests={row.original.unpricedRequests} requests={row.original.requests} testId={`user-cost-${row.original.user}`} />,
    meta: { numeric: true },
  },
  { id: 'share', header: 'Share', accessorFn: (row) => row.costShare ?? -1, cell: ({ row }) => percent(row.original.costShare), meta: { numeric: true } },
  {
    id: 'calls',
    header: 'Calls',
    accessorFn: (row) => row.requests,
    cell: ({ row }) => <span data-testid={`user-calls-${row.original.user}`}>{count(row.original.requests)}</span>,
    meta: { numeric: true },
  },
  {
    id: 'costPerCall',
    header: 'Cost / call',
    accessorFn: (row) => (row.costPerCallUsd === null ? -1 : Number(row.costPerCallUsd)),
    cell: ({ row }) => perCall(row.original.costPerCallUsd),
    meta: { numeric: true },
  },
  { id: 'errors', header: 'Failed', accessorFn: (row) => row.errors, cell: ({ row }) => failed(row.original.errors, row.original.requests), meta: { numeric: true } },
];

/** The users who cost the most; a user opens Explore with their cost by feature over the same range. */
export function TopUsersTable({ rows }: { rows: UserRow[] }) {
  return (
    <DataTable
      columns={userColumns}
      data={rows.map((row, index) => ({ ...row, rank: index + 1 }))}
      caption="Top users by cost"
      rowTestId={(row) => `user-row-${row.user}`}
      emptyMessage="No calls carried a user id in this range."
    />
  );
}

const tierColumns: ColumnDef<TierTableRow>[] = [
  {
    id: 'tier',
    header: 'User tier',
    accessorKey: 'tier',
    cell: ({ row }) =>
      row.original.exploreHref ? (
        <Link href={row.original.exploreHref} className="font-medium text-primary underline-offset-4 hover:underline" title={`The users of the ${row.original.tier} tier`}>
          {row.original.tier}
        </Link>
      ) : (
        <span className="text-muted-foreground italic">(no tier)</span>
      ),
  },
  {
    id: 'cost',
    header: 'Cost',
    accessorFn: (row) => Number(row.costUsd),
    cell: ({ row }) => <CostCell costUsd={row.original.costUsd} unpricedRequests={row.original.unpricedRequests} requests={row.original.requests} testId={`tier-cost-${row.original.tier}`} />,
    meta: { numeric: true },
  },
  { id: 'share', header: 'Share', accessorFn: (row) => row.costShare ?? -1, cell: ({ row }) => percent(row.original.costShare), meta: { numeric: true } },
  {
    id: 'calls',
    header: 'Calls',
    accessorFn: (row) => row.requests,
    cell: ({ row }) => <span data-testid={`tier-calls-${row.original.tier}`}>{count(row.original.requests)}</span>,
    meta: { numeric: true },
  },
  {
    id: 'costPerCall',
    header: 'Cost / call',
    accessorFn: (row) => (row.costPerCallUsd === null ? -1 : Number(row.costPerCallUsd)),
    cell: ({ row }) => perCall(row.original.costPerCallUsd),
    meta: { numeric: true },
  },
  {
    id: 'costPerSuccess',
    header: 'Cost / success',
    accessorFn: (row) => (row.costPerSuccessUsd === null ? -1 : Number(row.costPerSuccessUsd)),
    cell: ({ row }) => (row.original.costPerCallUsd === null ? 'Unpriced' : money(row.original.costPerSuccessUsd)),
    meta: { numeric: true },
  },
  { id: 'errors', header: 'Failed', accessorFn: (row) => row.errors, cell: ({ row }) => failed(row.original.errors, row.original.requests), meta: { numeric: true } },
];

/** Cost per user tier; a tier opens Explore with its users. */
export function TierTable({ rows }: { rows: TierTableRow[] }) {
  return <DataTable columns={tierColumns} data={rows} caption="Cost per user tier" rowTestId={(row) => `tier-row-${row.tier}`} emptyMessage="No calls carried a user tier in this range." />;
}
