'use client';

import { Plus, Trash2 } from 'lucide-react';
import { useActionState, useId, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { moneyWithUnpriced } from '@/lib/format';
import { PROJECT_BUDGET_FIELD, type AllocationRow, type FormAnswer } from '@/lib/shape/settings';
import { saveAllocations, saveProjectBudget } from './actions';
import { FieldError, FormMessage, SubmitButton, invalidProps } from './form-parts';

export type FeatureSpend = { feature: string; costUsd: string; unpricedRequests: number };

type KeyedRow = AllocationRow & { key: number };

const BLANK: AllocationRow = { feature: '', monthlyUsd: '' };
/** Rows with React keys from `start` on (keys are ids in the page, so the server's and the browser's must agree). */
const keyed = (rows: AllocationRow[], start: number): KeyedRow[] => rows.map((row, index) => ({ ...row, key: start + index }));

/**
 * Per-feature monthly allocations: the rows are edited here and saved together. Clearing a row
 * removes it, so the form also works before its script has loaded.
 */
export function AllocationsForm({ initial, features }: { initial: AllocationRow[]; features: FeatureSpend[] }) {
  const [answer, action, pending] = useActionState<FormAnswer<AllocationRow[]>, FormData>(saveAllocations, { status: 'idle' });
  const [rows, setRows] = useState<KeyedRow[]>(() => keyed(initial.length > 0 ? initial : [BLANK], 0));
  const [nextKey, setNextKey] = useState(Math.max(initial.length, 1));
  const [shownAt, setShownAt] = useState(answer.at);
  const listId = useId();
  const formId = useId();

  // After a save, show the rows as the server stored them ("$1,500" became "1500").
  if (answer.at !== shownAt) {
    setShownAt(answer.at);
    if (answer.status === 'saved' && answer.submitted) {
      const saved = answer.submitted.length > 0 ? answer.submitted : [BLANK];
      setRows(keyed(saved, nextKey));
      setNextKey(nextKey + saved.length);
    }
  }

  const spendOf = new Map(features.map((feature) => [feature.feature, feature]));
  const unallocated = features.filter((feature) => !rows.some((row) => row.feature === feature.feature));
  const update = (key: number, patch: Partial<AllocationRow>) => setRows(rows.map((row) => (row.key === key ? { ...row, ...patch } : row)));
  const add = (feature = '') => {
    // A feature picked from the list fills the blank row there is, rather than adding another.
    const blank = feature ? rows.find((row) => !row.feature && !row.monthlyUsd) : undefined;
    if (blank) {
      update(blank.key, { feature });
      return;
    }
    setRows([...rows, ...keyed([{ feature, monthlyUsd: '' }], nextKey)]);
    setNextKey(nextKey + 1);
  };
  const errors = answer.status === 'error' ? answer.fieldErrors : undefined;

  return (
    <form action={action} className="grid gap-4" aria-describedby={`${formId}-help`}>
      <p id={`${formId}-help`} className="text-sm text-muted-foreground">
        What each feature may spend in a month, in USD. The allocation alert warns at a share of it, fires at 100%, and warns early when the month-end forecast is over.
      </p>
      <datalist id={listId}>
        {features.map((feature) => (
          <option key={feature.feature} value={feature.feature} />
        ))}
      </datalist>
      <div className="hidden gap-3 text-xs font-medium text-muted-foreground sm:grid sm:grid-cols-[minmax(0,1fr)_12rem_2.25rem]" aria-hidden="true">
        <span>Feature</span>
        <span>Monthly allocation (USD)</span>
      </div>
      <ul className="grid gap-3">
        {rows.map((row, index) => {
          const id = `${formId}-${row.key}`;
          const spend = spendOf.get(row.feature);
          return (
            <li key={row.key} className="grid gap-2 rounded-md border p-3 sm:grid-cols-[minmax(0,1fr)_12rem_2.25rem] sm:items-start sm:gap-3 sm:border-0 sm:p-0" data-testid={`allocation-row-${index}`}>
              <div className="grid gap-1">
                <Label htmlFor={`${id}-feature`} className="sm:sr-only">
                  Feature{rows.length > 1 ? `, row ${index + 1}` : ''}
                </Label>
                <Input
                  id={`${id}-feature`}
                  name="feature"
                  list={listId}
                  value={row.feature}
                  onChange={(event) => update(row.key, { feature: event.target.value })}
                  placeholder="feature name"
                  autoComplete="off"
                  {...invalidProps(`${id}-feature`, errors, `${index}.feature`)}
                />
                <FieldError id={`${id}-feature`} errors={errors} name={`${index}.feature`} />
                {spend ? <p className="text-xs text-muted-foreground">Last 30 days: {moneyWithUnpriced(spend.costUsd, spend.unpricedRequests)}</p> : null}
              </div>
              <div className="grid gap-1">
                <Label htmlFor={`${id}-amount`} className="sm:sr-only">
                  Monthly allocation in USD{rows.length > 1 ? `, row ${index + 1}` : ''}
                </Label>
                <div className="relative">
                  <span className="pointer-events-none absolute inset-y-0 left-3 flex items-center text-sm text-muted-foreground" aria-hidden="true">
                    $
                  </span>
                  <Input
                    id={`${id}-amount`}
                    name="monthlyUsd"
                    inputMode="decimal"
                    value={row.monthlyUsd}
                    onChange={(event) => update(row.key, { monthlyUsd: event.target.value })}
                    placeholder="0.00"
                    className="pl-6 text-right tabular"
                    data-testid={`allocation-amount-${index}`}
                    {...invalidProps(`${id}-amount`, errors, `${index}.monthlyUsd`)}
                  />
                </div>
                <FieldError id={`${id}-amount`} errors={errors} name={`${index}.monthlyUsd`} />
              </div>
              <Button
                type="button"
                variant="ghost"
                size="icon"
                className="justify-self-end"
                aria-label={`Remove the allocation${row.feature ? ` of ${row.feature}` : ''}`}
                onClick={() => {
                  if (rows.length > 1) {
                    setRows(rows.filter((other) => other.key !== row.key));
                  } else {
                    setRows(keyed([BLANK], nextKey));
                    setNextKey(nextKey + 1);
                  }
                }}
              >
                <Trash2 aria-hidden="true" />
              </Button>
            </li>
          );
        })}
      </ul>
      <div className="flex flex-wrap items-center gap-2">
        <Button type="button" variant="outline" size="sm" onClick={() => add()}>
          <Plus aria-hidden="true" />
          Add an allocation
        </Button>
        {unallocated.length > 0 ? (
          <span className="flex flex-wrap items-center gap-1 text-xs text-muted-foreground">
            Features without one:
            {unallocated.slice(0, 8).map((feature) => (
              <Button key={feature.feature} type="button" variant="secondary" size="sm" className="h-7 px-2 text-xs" onClick={() => add(feature.feature)} aria-label={`Add an allocation for ${feature.feature}`}>
                {feature.feature}
              </Button>
            ))}
          </span>
        ) : null}
      </div>
      <div className="flex flex-wrap items-center gap-3">
        <SubmitButton pending={pending} pendingText="Saving…" data-testid="allocations-save">
          Save allocations
        </SubmitButton>
        <FormMessage status={answer.status} message={answer.message} testId="allocations-message" />
      </div>
    </form>
  );
}

/**
 * The project's monthly budget: what all features together may spend. Blank is no budget. Its
 * own form beside the allocations, so saving one never resubmits the other.
 */
export function ProjectBudgetForm({ initial }: { initial: string | null }) {
  const [answer, action, pending] = useActionState<FormAnswer<string>, FormData>(saveProjectBudget, { status: 'idle' });
  const [amount, setAmount] = useState(initial ?? '');
  const [shownAt, setShownAt] = useState(answer.at);
  const id = useId();

  // After a save, show the amount as the server stored it ("$5,000" became "5000").
  if (answer.at !== shownAt) {
    setShownAt(answer.at);
    if (answer.status === 'saved') setAmount(answer.submitted ?? '');
  }
  const errors = answer.status === 'error' ? answer.fieldErrors : undefined;

  return (
    <form action={action} className="grid gap-2" aria-describedby={`${id}-help`} data-testid="project-budget-form">
      <Label htmlFor={`${id}-amount`}>Project monthly budget (USD)</Label>
      <p id={`${id}-help`} className="text-sm text-muted-foreground">
        What every feature together may spend in a month; leave it blank for none. The allocation alert watches it like a feature&apos;s allocation, and once it is
        spent the SDK&apos;s load shedding sheds every feature.
      </p>
      <div className="flex flex-wrap items-start gap-3">
        <div className="grid gap-1">
          <div className="relative w-48">
            <span className="pointer-events-none absolute inset-y-0 left-3 flex items-center text-sm text-muted-foreground" aria-hidden="true">
              $
            </span>
            <Input
              id={`${id}-amount`}
              name={PROJECT_BUDGET_FIELD}
              inputMode="decimal"
              value={amount}
              onChange={(event) => setAmount(event.target.value)}
              placeholder="no budget"
              className="pl-6 text-right tabular"
              data-testid="project-budget-amount"
              {...invalidProps(`${id}-amount`, errors, PROJECT_BUDGET_FIELD, `${id}-help`)}
            />
          </div>
          <FieldError id={`${id}-amount`} errors={errors} name={PROJECT_BUDGET_FIELD} />
        </div>
        <SubmitButton pending={pending} pendingText="Saving…" variant="outline" data-testid="project-budget-save">
          Save budget
        </SubmitButton>
      </div>
      <FormMessage status={answer.status} message={answer.message} testId="project-budget-message" />
    </form>
  );
}
