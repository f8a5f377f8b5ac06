'use client';

import { parseAsString, useQueryStates } from 'nuqs';
import { useTransition } from 'react';
import { NativeSelect } from '@/components/ui/native-select';

export type FilterChoice = {
  /** The URL parameter, named as the API names the dimension (`model`, `userTier`). */
  dimension: string;
  label: string;
  /** "All models". */
  allLabel: string;
  /** The values to choose from (the API cannot filter on an empty value, so none is `''`). */
  options: string[];
  /** The URL's value (a comma list when several were asked for), or null. */
  value: string | null;
};

/**
 * One select per filter dimension, kept in the URL (`?model=gpt-5&userTier=paid`) so a filtered
 * view can be bookmarked and shared; changing one re-renders the page on the server.
 */
export function FilterSelects({ filters }: { filters: FilterChoice[] }) {
  const [pending, startTransition] = useTransition();
  const [, setFilters] = useQueryStates(Object.fromEntries(filters.map((filter) => [filter.dimension, parseAsString])), {
    shallow: false,
    history: 'push',
    startTransition,
  });
  return (
    <div className="flex flex-wrap items-center gap-2" aria-busy={pending}>
      {filters.map((filter) => {
        const id = `filter-${filter.dimension}`;
        // A value from a shared link that is not among this range's options still shows as chosen.
        const options = filter.value !== null && !filter.options.includes(filter.value) ? [filter.value, ...filter.options] : filter.options;
        return (
          <div key={filter.dimension} className="flex items-center gap-1.5">
            <label htmlFor={id} className="text-sm text-muted-foreground">
              {filter.label}
            </label>
            <NativeSelect
              id={id}
              value={filter.value ?? ''}
              className="max-w-48"
              onChange={(event) => void setFilters({ [filter.dimension]: event.target.value === '' ? null : event.target.value })}
            >
              <option value="">{filter.allLabel}</option>
              {options.map((option) => (
                <option key={option} value={option}>
                  {option}
                </option>
              ))}
            </NativeSelect>
          </div>
        );
      })}
    </div>
  );
}
