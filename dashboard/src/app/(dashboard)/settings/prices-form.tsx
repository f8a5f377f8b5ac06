'use client';

import { CheckCircle2, Plus, Trash2 } from 'lucide-react';
import { useActionState, useId, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { count, exactPrice } from '@/lib/format';
import { repriceSummary } from '@/lib/shape/reprice';
import { emptyPriceOverrideRow, type FieldErrors, type FormAnswer, type PriceOverrideRow } from '@/lib/shape/settings';
import { RepriceJobProgress } from '../reprice-job-progress';
import { repriceRange, savePriceOverrides, type RepriceAnswerState } from './actions';
import { FieldError, FormMessage, SubmitButton, invalidProps } from './form-parts';

type KeyedRow = PriceOverrideRow & { key: number };
const keyed = (rows: PriceOverrideRow[], start: number): KeyedRow[] => rows.map((row, index) => ({ ...row, key: start + index }));

export type UnpricedModel = { model: string; requests: number; effectiveFrom: string };
/** A catalog model's price in force now, per million tokens, to compare an override with. */
export type CatalogPrice = { input: string; cached: string | null; output: string; batchDiscountPercent: number | null };

const COLUMNS: Array<{ field: keyof PriceOverrideRow; label: string; placeholder?: string; type?: string; className?: string; inputMode?: 'decimal' | 'numeric' }> = [
  { field: 'model', label: 'Model', placeholder: 'model name', className: 'col-span-2' },
  { field: 'effectiveFrom', label: 'From (UTC)', type: 'date', className: 'col-span-2 sm:col-span-1' },
  { field: 'inputPerMillion', label: 'Input $/M', placeholder: '0.00', inputMode: 'decimal' },
  { field: 'cachedInputPerMillion', label: 'Cached $/M', placeholder: '—', inputMode: 'decimal' },
  { field: 'cacheWritePerMillion', label: 'Cache write $/M', placeholder: '—', inputMode: 'decimal' },
  { field: 'outputPerMillion', label: 'Output $/M', placeholder: '0.00', inputMode: 'decimal' },
  { field: 'batchDiscountPercent', label: 'Batch %', placeholder: '—', inputMode: 'numeric' },
  { field: 'note', label: 'Note', placeholder: 'optional', className: 'col-span-2' },
];

/**
 * The project's own prices: a negotiated rate, a fine-tuned model, a model the catalog does not
 * know. `prefill` is a row opened from a link (`/settings?model=acme-llm-1#prices`).
 */
export function PriceOverridesForm({
  initial,
  prefill,
  unpriced,
  catalogPrices,
  newRowFrom,
}: {
  initial: PriceOverrideRow[];
  prefill: PriceOverrideRow | null;
  unpriced: UnpricedModel[];
  catalogPrices: Record<string, CatalogPrice>;
  newRowFrom: string;
}) {
  const [answer, action, pending] = useActionState<FormAnswer<PriceOverrideRow[]>, FormData>(savePriceOverrides, { status: 'idle' });
  const start = prefill ? [...initial, prefill] : initial;
  const [rows, setRows] = useState<KeyedRow[]>(() => keyed(start, 0));
  const [nextKey, setNextKey] = useState(start.length);
  const [shownAt, setShownAt] = useState(answer.at);
  const formId = useId();
  const listId = useId();

  if (answer.at !== shownAt) {
    setShownAt(answer.at);
    if (answer.status === 'saved' && answer.submitted) {
      setRows(keyed(answer.submitted, nextKey));
      setNextKey(nextKey + answer.submitted.length);
    }
  }

  const add = (row: PriceOverrideRow) => {
    setRows([...rows, ...keyed([row], nextKey)]);
    setNextKey(nextKey + 1);
  };
  const update = (key: number, patch: Partial<PriceOverrideRow>) => setRows(rows.map((row) => (row.key === key ? { ...row, ...patch } : row)));
  const errors = answer.status === 'error' ? answer.fieldErrors : undefined;
  const stillUnpriced = unpriced.filter((model) => !rows.some((row) => row.model === model.model));

  return (
    <form action={action} className="grid gap-4">
      <p className="text-sm text-muted-foreground">
        Prices per million tokens in USD, from a day on (UTC). An override wins over the catalog’s price for calls from that day; cached reads and cache writes left blank
        bill at the input price, and a blank batch discount means no batch API.
      </p>
      <datalist id={listId}>
        {[...new Set([...unpriced.map((model) => model.model), ...Object.keys(catalogPrices)])].map((model) => (
          <option key={model} value={model} />
        ))}
      </datalist>
      {stillUnpriced.length > 0 ? (
        <div className="flex flex-wrap items-center gap-2 rounded-md border border-warning/50 bg-warning/10 px-3 py-2 text-sm" data-testid="unpriced-models">
          <span>No price applied to these models in the last 30 days:</span>
          {stillUnpriced.map((model) => (
            <Button key={model.model} type="button" size="sm" variant="outline" className="h-7 px-2 text-xs" onClick={() => add(emptyPriceOverrideRow(model.model, model.effectiveFrom))}>
              <Plus aria-hidden="true" />
              {model.model} ({count(model.requests)} calls)
            </Button>
          ))}
        </div>
      ) : null}
      {rows.length === 0 ? <p className="text-sm text-muted-foreground">No price overrides: every call is priced from the catalog.</p> : null}
      <ul className="grid gap-3">
        {rows.map((row, index) => (
          <li key={row.key} className="rounded-lg border p-3" data-testid={`price-row-${index}`}>
            <div className="grid grid-cols-2 gap-3 sm:grid-cols-4 xl:grid-cols-[minmax(9rem,2.4fr)_9rem_repeat(5,minmax(4rem,1fr))_minmax(5rem,1.4fr)_auto]">
              {COLUMNS.map((column) => {
                const id = `${formId}-${row.key}-${column.field}`;
                const name = `${index}.${column.field}`;
                return (
                  <div key={column.field} className={`grid content-start gap-1 ${column.className ?? ''} xl:col-span-1`}>
                    <Label htmlFor={id} className="text-xs xl:min-h-8 xl:items-end">
                      {column.label}
                      <span className="sr-only">{row.model ? ` of ${row.model}` : `, override ${index + 1}`}</span>
                    </Label>
                    <Input
                      id={id}
                      name={column.field}
                      type={column.type ?? 'text'}
                      inputMode={column.inputMode}
                      list={column.field === 'model' ? listId : undefined}
                      value={row[column.field]}
                      onChange={(event) => update(row.key, { [column.field]: event.target.value })}
                      placeholder={column.placeholder}
                      autoComplete="off"
                      className={`h-8 ${column.inputMode ? 'tabular' : ''}`}
                      {...invalidProps(id, errors, name)}
                    />
                    <FieldError id={id} errors={errors} name={name} />
                  </div>
                );
              })}
              <Button
                type="button"
                variant="ghost"
                size="icon"
                className="self-end justify-self-end"
                aria-label={`Remove the price override${row.model ? ` of ${row.model}` : ''}`}
                onClick={() => setRows(rows.filter((other) => other.key !== row.key))}
              >
                <Trash2 aria-hidden="true" />
              </Button>
            </div>
            <CatalogHint price={catalogPrices[row.model]} />
          </li>
        ))}
      </ul>
      <div className="flex flex-wrap items-center gap-3">
        <Button type="button" variant="outline" size="sm" onClick={() => add(emptyPriceOverrideRow('', newRowFrom))}>
          <Plus aria-hidden="true" />
          Add a price override
        </Button>
        <SubmitButton pending={pending} pendingText="Saving…" data-testid="prices-save">
          Save price overrides
        </SubmitButton>
        <FormMessage status={answer.status} message={answer.message} testId="prices-message" />
      </div>
    </form>
  );
}

/** What the catalog charges for the model now, so an override can be checked against it. */
function CatalogHint({ price }: { price: CatalogPrice | undefined }) {
  if (!price) return null;
  const parts = [`${exactPrice(price.input)} input`, price.cached ? `${exactPrice(price.cached)} cached` : null, `${exactPrice(price.output)} output`].filter(Boolean);
  return (
    <p className="mt-2 text-xs text-muted-foreground">
      Catalog price now: {parts.join(', ')} per million tokens{price.batchDiscountPercent === null ? '; no batch API' : `; batch ${price.batchDiscountPercent}% off`}.
    </p>
  );
}

/** Applies the prices in force now to the calls already stored in a range of days. */
export function RepriceForm({ defaultFrom, defaultThrough, oldestDay }: { defaultFrom: string; defaultThrough: string; oldestDay: string }) {
  const [answer, action, pending] = useActionState<RepriceAnswerState, FormData>(repriceRange, { status: 'idle' });
  const values = answer.submitted ?? { from: defaultFrom, through: defaultThrough };
  const errors: FieldErrors | undefined = answer.status === 'error' ? answer.fieldErrors : undefined;
  return (
    <form action={action} className="grid gap-3">
      <p className="text-sm text-muted-foreground">
        Re-pricing applies today’s prices (the catalog with the overrides above, once saved) to the calls stored in the range. Running it twice changes nothing more. Calls
        are kept raw from {oldestDay} on; older days cannot be re-priced.
      </p>
      <div key={answer.at ?? 'initial'} className="flex flex-wrap items-end gap-3">
        <div className="grid gap-1">
          <Label htmlFor="reprice-from">First day (UTC)</Label>
          <Input id="reprice-from" name="from" type="date" defaultValue={values.from} min={oldestDay} className="w-auto" {...invalidProps('reprice-from', errors, 'from')} />
          <FieldError id="reprice-from" errors={errors} name="from" />
        </div>
        <div className="grid gap-1">
          <Label htmlFor="reprice-through">Last day (UTC, included)</Label>
          <Input id="reprice-through" name="through" type="date" defaultValue={values.through} className="w-auto" {...invalidProps('reprice-through', errors, 'through')} />
          <FieldError id="reprice-through" errors={errors} name="through" />
        </div>
        <SubmitButton pending={pending} pendingText="Starting…" variant="secondary" data-testid="reprice-submit">
          Re-price the range
        </SubmitButton>
      </div>
      <FormMessage status={answer.status} message={answer.message} testId="reprice-message" />
      {answer.job ? (
        <RepriceJobProgress
          key={answer.at}
          initial={answer.job}
          note={answer.note}
          done={(job) => (
            <p className="flex items-start gap-1.5 text-success" data-testid="reprice-summary">
              <CheckCircle2 className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
              <span>{repriceSummary(job)}</span>
            </p>
          )}
        />
      ) : null}
    </form>
  );
}
