'use client';

import { parseAsString, useQueryStates } from 'nuqs';
import { useId, useMemo, useState, useTransition } from 'react';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import type { CostDimension } from '@/lib/api/types';
import { count } from '@/lib/format';
import { isFilterable } from '@/lib/shape/explore';

export type FilterOption = { value: string; cost: string; calls: number };

/**
 * The values of one dimension over the range (the other filters applied), most costly first,
 * to tick; Apply writes them to the URL as the API names them (`model=gpt-5,gpt-5-mini`). A
 * value not listed (a user id beyond the costliest) can be typed in.
 */
export function FilterEditor({
  dimension,
  dimensionLabel,
  options,
  selected,
  listCut,
}: {
  dimension: CostDimension;
  dimensionLabel: string;
  options: FilterOption[];
  selected: string[];
  /** The API listed only the costliest values. */
  listCut: boolean;
}) {
  const [pending, startTransition] = useTransition();
  const [, setFilter] = useQueryStates({ [dimension]: parseAsString, filterOn: parseAsString }, { shallow: false, history: 'push', startTransition });
  const [chosen, setChosen] = useState<string[]>(selected);
  const [query, setQuery] = useState('');
  const searchId = useId();

  const typed = query.trim();
  const listed = useMemo(() => {
    const extra = chosen.filter((value) => !options.some((option) => option.value === value)).map((value) => ({ value, cost: '—', calls: 0 }));
    const all = [...options, ...extra];
    const needle = typed.toLowerCase();
    return needle ? all.filter((option) => option.value.toLowerCase().includes(needle)) : all;
  }, [options, chosen, typed]);
  const canAddTyped = isFilterable(typed) && !listed.some((option) => option.value === typed);

  const toggle = (value: string, on: boolean) => setChosen((current) => (on ? [...current, value] : current.filter((v) => v !== value)));

  return (
    <form
      className="grid gap-3"
      aria-busy={pending}
      onSubmit={(event) => {
        event.preventDefault();
        void setFilter({ [dimension]: chosen.length > 0 ? chosen.join(',') : null, filterOn: null });
      }}
    >
      <fieldset className="grid gap-3">
        <legend className="mb-1 text-sm font-semibold">Filter by {dimensionLabel.toLowerCase()}</legend>
        <div className="flex flex-wrap items-center gap-2">
          <label htmlFor={searchId} className="sr-only">
            Find a {dimensionLabel.toLowerCase()}
          </label>
          <Input id={searchId} type="search" value={query} onChange={(event) => setQuery(event.target.value)} placeholder={`Find or type a ${dimensionLabel.toLowerCase()}…`} className="max-w-xs" />
          {canAddTyped ? (
            <Button
              type="button"
              variant="outline"
              size="sm"
              onClick={() => {
                setChosen((current) => (current.includes(typed) ? current : [...current, typed]));
                setQuery('');
              }}
            >
              Add “{typed}”
            </Button>
          ) : null}
        </div>
        {listed.length === 0 ? (
          <p className="text-sm text-muted-foreground">{typed ? 'No value matches.' : 'No calls in this range have a value here.'}</p>
        ) : (
          <ul className="grid max-h-72 gap-0.5 overflow-y-auto rounded-md border p-1" aria-label={`${dimensionLabel} values`}>
            {listed.map((option) => (
              <li key={option.value}>
                <label className="flex cursor-pointer items-center gap-2 rounded px-2 py-1.5 text-sm hover:bg-muted/60">
                  <input type="checkbox" className="size-4 accent-primary" checked={chosen.includes(option.value)} onChange={(event) => toggle(option.value, event.target.checked)} />
                  <span className="min-w-0 flex-1 truncate font-mono text-xs">{option.value}</span>
                  <span className="shrink-0 tabular text-xs text-muted-foreground">
                    {option.cost} · {count(option.calls)} call{option.calls === 1 ? '' : 's'}
                  </span>
                </label>
              </li>
            ))}
          </ul>
        )}
        {listCut ? <p className="text-xs text-muted-foreground">Only the costliest values are listed; type any other to add it.</p> : null}
      </fieldset>
      <div className="flex flex-wrap items-center gap-2">
        <Button type="submit" size="sm" disabled={pending}>
          {chosen.length > 0 ? `Show ${chosen.length} ${dimensionLabel.toLowerCase()}${chosen.length === 1 ? '' : ' values'}` : `Show every ${dimensionLabel.toLowerCase()}`}
        </Button>
        <Button type="button" variant="ghost" size="sm" onClick={() => void setFilter({ filterOn: null })}>
          Cancel
        </Button>
        {chosen.length > 0 ? (
          <Button type="button" variant="ghost" size="sm" onClick={() => setChosen([])}>
            Untick all
          </Button>
        ) : null}
        {pending ? <span className="text-xs text-muted-foreground">Updating…</span> : null}
      </div>
    </form>
  );
}
