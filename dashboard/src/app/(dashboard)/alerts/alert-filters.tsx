'use client';

import { parseAsString, useQueryStates } from 'nuqs';
import { useTransition } from 'react';
import { NativeSelect } from '@/components/ui/native-select';

const filterParsers = { status: parseAsString, rule: parseAsString };

/**
 * The alerts list's filters in the URL (`status=firing`, `rule=errorRate`), so a filtered view can
 * be bookmarked and an alert message's "all alerts of this rule" link lands on it.
 */
export function AlertFilters({ status, rule, rules }: { status: string; rule: string; rules: ReadonlyArray<{ id: string; name: string }> }) {
  const [pending, startTransition] = useTransition();
  const [, setFilters] = useQueryStates(filterParsers, { shallow: false, startTransition, history: 'push' });
  return (
    <div className="flex flex-wrap items-center gap-2" aria-busy={pending}>
      <label htmlFor="alert-status" className="sr-only">
        Status
      </label>
      <NativeSelect id="alert-status" value={status} onChange={(event) => void setFilters({ status: event.target.value || null })}>
        <option value="">Firing and resolved</option>
        <option value="firing">Firing</option>
        <option value="resolved">Resolved</option>
      </NativeSelect>
      <label htmlFor="alert-rule" className="sr-only">
        Rule
      </label>
      <NativeSelect id="alert-rule" value={rule} onChange={(event) => void setFilters({ rule: event.target.value || null })}>
        <option value="">Every rule</option>
        {rules.map(({ id, name }) => (
          <option key={id} value={id}>
            {name}
          </option>
        ))}
      </NativeSelect>
    </div>
  );
}
