'use client';

import { ArrowDown, ArrowUp, ArrowUpDown } from 'lucide-react';
import { useMemo, useState } from 'react';
import { Table, TableBody, TableCell, TableFooter, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { cn } from '@/lib/utils';

/** What a column may say of its cells: numbers align right; `cellTestId` names each cell for browser tests. */
export type DataColumnMeta<Row> = { numeric?: boolean; cellTestId?: (row: Row) => string };

/**
 * A column: its header, what it sorts by (`accessorFn`, or the row's `accessorKey` field) and how
 * a cell shows (`cell`). The column's `id` is its sort key in `initialSorting` (the accessor key
 * when left out). Rows sort by that value: numbers (give money columns a float of the exact
 * string) or text, in natural order (`feature-9` before `feature-10`).
 */
export type ColumnDef<Row> = {
  id?: string;
  header: string;
  accessorKey?: keyof Row & string;
  accessorFn?: (row: Row) => number | string | null | undefined;
  /** The cell; the sort value as it is when left out. */
  cell?: (context: { row: { original: Row } }) => React.ReactNode;
  meta?: DataColumnMeta<Row>;
  enableSorting?: boolean;
};

export type SortingState = { id: string; desc: boolean }[];

/**
 * The body's rows and cells are styled from the body (`[&>tr>td]:…`) instead of each cell's own
 * classes: a table of every feature has thousands of cells, and their repeated class lists were
 * most of the page's HTML (the CPU to render, compress and send it grows with its size).
 */
const BODY_CELLS = '[&>tr]:border-b [&>tr]:transition-colors [&>tr:hover]:bg-muted/50 [&>tr>td]:p-2 [&>tr>td]:align-middle [&>tr>td]:whitespace-nowrap';

const naturalOrder = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'string' && typeof b === 'string') return naturalOrder.compare(a, b);
  const x = typeof a === 'number' ? a : Number.NEGATIVE_INFINITY;
  const y = typeof b === 'number' ? b : Number.NEGATIVE_INFINITY;
  return x < y ? -1 : x > y ? 1 : 0;
}

const columnId = <Row,>(column: ColumnDef<Row>) => column.id ?? column.accessorKey ?? column.header;

function valueOf<Row>(column: ColumnDef<Row>, row: Row): unknown {
  return column.accessorFn ? column.accessorFn(row) : column.accessorKey ? row[column.accessorKey] : undefined;
}

type Sorting = { id: string; desc: boolean } | null;

/** `data` sorted by `sorting` (its own order without one); ties keep their order. */
export function sortRows<Row>(columns: readonly ColumnDef<Row>[], data: readonly Row[], sorting: Sorting): readonly Row[] {
  const column = sorting ? columns.find((candidate) => columnId(candidate) === sorting.id) : undefined;
  if (!sorting || !column) return data;
  const keyed = data.map((row, index) => ({ row, index, value: valueOf(column, row) }));
  keyed.sort((a, b) => (sorting.desc ? compareValues(b.value, a.value) : compareValues(a.value, b.value)) || a.index - b.index);
  return keyed.map((entry) => entry.row);
}

/** The sorting after pressing `column`'s header: numbers largest first, text from A; then the other way; then none. */
export function nextSorting<Row>(current: Sorting, column: ColumnDef<Row>, data: readonly Row[]): Sorting {
  const id = columnId(column);
  const first = data[0];
  const descFirst = first !== undefined && typeof valueOf(column, first) !== 'string';
  if (current?.id !== id) return { id, desc: descFirst };
  return current.desc === descFirst ? { id, desc: !descFirst } : null;
}

/**
 * A sortable table over plain rows prepared on the server. Header buttons are keyboard reachable
 * and say their sort state to screen readers; pressing one sorts by its column (`nextSorting`). Rows are a Client Component's props, sent to the browser inside the page: keep
 * them to what the cells show and sort by. (No table library: TanStack Table's per-cell objects
 * were as much server render time as React's own, for a table of every feature.)
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
  columns: ColumnDef<Row>[];
  data: Row[];
  initialSorting?: SortingState;
  /** A totals row, aligned with the columns (one cell per column, in order). */
  footer?: React.ReactNode[];
  caption?: string;
  /** `data-testid` of each row, for tests that read figures per row. */
  rowTestId?: (row: Row) => string;
  emptyMessage?: string;
}) {
  const [sorting, setSorting] = useState<Sorting>(initialSorting[0] ?? null);
  const rows = useMemo(() => sortRows(columns, data, sorting), [columns, data, sorting]);

  return (
    <Table>
      {caption ? <caption className="sr-only">{caption}</caption> : null}
      <TableHeader>
        <TableRow className="hover:bg-transparent">
          {columns.map((column) => {
            const id = columnId(column);
            const sorted = sorting?.id === id ? (sorting.desc ? 'desc' : 'asc') : false;
            const numeric = column.meta?.numeric;
            return (
              <TableHead key={id} aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined} className={cn(numeric && 'text-right')}>
                {column.enableSorting === false ? (
                  column.header
                ) : (
                  <button
                    type="button"
                    onClick={() => setSorting((current) => nextSorting(current, column, data))}
                    className={cn('inline-flex items-center gap-1 rounded-sm outline-none hover:text-foreground focus-visible:ring-[3px] focus-visible:ring-ring/50', numeric && 'flex-row-reverse')}
                  >
                    {column.header}
                    {sorted === 'asc' ? <ArrowUp className="size-3.5" aria-hidden="true" /> : sorted === 'desc' ? <ArrowDown className="size-3.5" aria-hidden="true" /> : <ArrowUpDown className="size-3.5 opacity-40" aria-hidden="true" />}
                  </button>
                )}
              </TableHead>
            );
          })}
        </TableRow>
      </TableHeader>
      {rows.length === 0 ? (
        <TableBody>
          <TableRow>
            <TableCell colSpan={columns.length} className="py-8 text-center text-muted-foreground">
              {emptyMessage}
            </TableCell>
          </TableRow>
        </TableBody>
      ) : (
        <TableBody className={BODY_CELLS}>
          {rows.map((row, index) => (
            <tr key={index} data-testid={rowTestId?.(row)}>
              {columns.map((column) => (
                <td key={columnId(column)} className={column.meta?.numeric ? 'text-right' : undefined} data-testid={column.meta?.cellTestId?.(row)}>
                  {column.cell ? column.cell({ row: { original: row } }) : (valueOf(column, row) as React.ReactNode)}
                </td>
              ))}
            </tr>
          ))}
        </TableBody>
      )}
      {footer ? (
        <TableFooter>
          <TableRow>
            {footer.map((cell, index) => {
              const numeric = columns[index]?.meta?.numeric;
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
