import { describe, expect, it } from 'vitest';
import { nextSorting, sortRows, type ColumnDef } from '@/components/data-table';

type Row = { feature: string; calls: number; cost: string | null };

const columns: ColumnDef<Row>[] = [
  { id: 'feature', header: 'Feature', accessorFn: (row) => row.feature },
  { header: 'Calls', accessorKey: 'calls' },
  { id: 'cost', header: 'Cost', accessorFn: (row) => (row.cost === null ? null : Number(row.cost)) },
];
const [feature, calls, cost] = columns as [ColumnDef<Row>, ColumnDef<Row>, ColumnDef<Row>];

const rows: Row[] = [
  { feature: 'feature-10', calls: 5, cost: '0.20' },
  { feature: 'Feature-9', calls: 7, cost: null },
  { feature: 'chat', calls: 5, cost: '1.50' },
  { feature: 'feature-100', calls: 1, cost: '0.20' },
];
const names = (sorted: readonly Row[]) => sorted.map((row) => row.feature);

describe(sortRows.name, () => {
  it('keeps the rows’ own order without a sorting, or for a column it does not know', () => {
    expect(names(sortRows(columns, rows, null))).toEqual(['feature-10', 'Feature-9', 'chat', 'feature-100']);
    expect(names(sortRows(columns, rows, { id: 'nope', desc: true }))).toEqual(['feature-10', 'Feature-9', 'chat', 'feature-100']);
  });

  it('sorts numbers either way, ties in the rows’ order, unknown figures below every real one', () => {
    expect(names(sortRows(columns, rows, { id: 'calls', desc: true }))).toEqual(['Feature-9', 'feature-10', 'chat', 'feature-100']);
    expect(names(sortRows(columns, rows, { id: 'calls', desc: false }))).toEqual(['feature-100', 'feature-10', 'chat', 'Feature-9']);
    expect(names(sortRows(columns, rows, { id: 'cost', desc: true }))).toEqual(['chat', 'feature-10', 'feature-100', 'Feature-9']);
  });

  it('sorts text in natural order, whatever its case', () => {
    expect(names(sortRows(columns, rows, { id: 'feature', desc: false }))).toEqual(['chat', 'Feature-9', 'feature-10', 'feature-100']);
    expect(names(sortRows(columns, rows, { id: 'feature', desc: true }))).toEqual(['feature-100', 'feature-10', 'Feature-9', 'chat']);
  });
});

describe(nextSorting.name, () => {
  it('sorts numbers largest first, then the other way, then not at all', () => {
    const first = nextSorting(null, calls, rows);
    expect(first).toEqual({ id: 'calls', desc: true });
    const second = nextSorting(first, calls, rows);
    expect(second).toEqual({ id: 'calls', desc: false });
    expect(nextSorting(second, calls, rows)).toBeNull();
  });

  it('sorts text from A first, and a column pressed after another starts over', () => {
    expect(nextSorting({ id: 'calls', desc: false }, feature, rows)).toEqual({ id: 'feature', desc: false });
    expect(nextSorting({ id: 'feature', desc: false }, feature, rows)).toEqual({ id: 'feature', desc: true });
    expect(nextSorting({ id: 'feature', desc: true }, feature, rows)).toBeNull();
    expect(nextSorting({ id: 'cost', desc: true }, cost, rows)).toEqual({ id: 'cost', desc: false });
  });
});
