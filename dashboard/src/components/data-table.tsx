'use client';

import {
  flexRender,
  getCoreRowModel,
  getSortedRowModel,
  useReactTable,
  type ColumnDef,
  type SortingState,
} from '@tanstack/react-table';
import { ArrowDown, ArrowUp, ArrowUpDown } from 'lucide-react';
import { useState } from 'react';
import { Table, TableBody, TableCell, TableFooter, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { cn } from '@/lib/utils';

export type { ColumnDef } from '@tanstack/react-table';

/**
 * A sortable table (TanStack Table) over plain rows prepared on the server. Columns sort by the
 * value their `accessorFn`/`accessorKey` gives, so money columns should expose a number (or
 * bigint-derived float) for sorting and render the exact string in `cell`. Header buttons are
 * keyboard reachable and say their sort state to screen readers.
 */
export function DataTable<Row>({
  columns,
  data,
  initialSorting = [],
  footer,
  caption,
  rowTestId,
  emptyMessage = 'No rows in this range.',
}: {
  columns: ColumnDef<Row, unknown>[];
  data: Row[];
  initialSorting?: SortingState;
  /** A totals row, aligned with the columns (one cell per column, in order). */
  footer?: React.ReactNode[];
  caption?: string;
  /** `data-testid` of each row, for tests that read figures per row. */
  rowTestId?: (row: Row) => string;
  emptyMessage?: string;
}) {
  const [sorting, setSorting] = useState<SortingState>(initialSorting);
  const table = useReactTable({
    data,
    columns,
    state: { sorting },
    onSortingChange: setSorting,
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
  });

  return (
    <Table>
      {caption ? <caption className="sr-only">{caption}</caption> : null}
      <TableHeader>
        {table.getHeaderGroups().map((group) => (
          <TableRow key={group.id} className="hover:bg-transparent">
            {group.headers.map((header) => {
              const sorted = header.column.getIsSorted();
              const numeric = (header.column.columnDef.meta as { numeric?: boolean } | undefined)?.numeric;
              return (
                <TableHead
                  key={header.id}
                  aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined}
                  className={cn(numeric && 'text-right')}
                >
                  {header.isPlaceholder ? null : header.column.getCanSort() ? (
                    <button
                      type="button"
                      onClick={header.column.getToggleSortingHandler()}
                      className={cn('inline-flex items-center gap-1 rounded-sm outline-none hover:text-foreground focus-visible:ring-[3px] focus-visible:ring-ring/50', numeric && 'flex-row-reverse')}
                    >
                      {flexRender(header.column.columnDef.header, header.getContext())}
                      {sorted === 'asc' ? <ArrowUp className="size-3.5" aria-hidden="true" /> : sorted === 'desc' ? <ArrowDown className="size-3.5" aria-hidden="true" /> : <ArrowUpDown className="size-3.5 opacity-40" aria-hidden="true" />}
                    </button>
                  ) : (
                    flexRender(header.column.columnDef.header, header.getContext())
                  )}
                </TableHead>
              );
            })}
          </TableRow>
        ))}
      </TableHeader>
      <TableBody>
        {table.getRowModel().rows.length === 0 ? (
          <TableRow>
            <TableCell colSpan={columns.length} className="py-8 text-center text-muted-foreground">
              {emptyMessage}
            </TableCell>
          </TableRow>
        ) : (
          table.getRowModel().rows.map((row) => (
            <TableRow key={row.id} data-testid={rowTestId?.(row.original)}>
              {row.getVisibleCells().map((cell) => {
                const numeric = (cell.column.columnDef.meta as { numeric?: boolean } | undefined)?.numeric;
                return (
                  <TableCell key={cell.id} className={cn(numeric && 'text-right tabular')}>
                    {flexRender(cell.column.columnDef.cell, cell.getContext())}
                  </TableCell>
                );
              })}
            </TableRow>
          ))
        )}
      </TableBody>
      {footer ? (
        <TableFooter>
          <TableRow>
            {footer.map((cell, index) => {
              const numeric = (columns[index]?.meta as { numeric?: boolean } | undefined)?.numeric;
              return (
                <TableCell key={index} className={cn(numeric && 'text-right tabular')}>
                  {cell}
                </TableCell>
              );
            })}
          </TableRow>
        </TableFooter>
      ) : null}
    </Table>
  );
}
