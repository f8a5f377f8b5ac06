'use client';

import { parseAsString, useQueryStates } from 'nuqs';
import { useState, useTransition } from 'react';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { NativeSelect } from '@/components/ui/native-select';
import { RANGE_PRESETS, RANGE_PRESET_LABELS } from '@/lib/time-range';

const rangeParsers = { range: parseAsString, from: parseAsString, to: parseAsString };

/**
 * The time range in the URL (`range=7d`, or `from`/`to` for a custom range), so every view can be
 * bookmarked and shared. Changing it re-renders the page on the server (`shallow: false`).
 */
export function RangePicker({ preset, fromDay, toDay }: { preset: string; fromDay: string; toDay: string }) {
  const [pending, startTransition] = useTransition();
  const [, setRange] = useQueryStates(rangeParsers, { shallow: false, startTransition, history: 'push' });
  const [custom, setCustom] = useState(preset === 'custom');
  const [from, setFrom] = useState(fromDay);
  const [to, setTo] = useState(toDay);

  return (
    <div className="flex flex-wrap items-center gap-2" aria-busy={pending}>
      <label htmlFor="range-preset" className="sr-only">
        Time range
      </label>
      <NativeSelect
        id="range-preset"
        value={custom ? 'custom' : preset}
        onChange={(event) => {
          const value = event.target.value;
          if (value === 'custom') {
            setCustom(true);
            return;
          }
          setCustom(false);
          void setRange({ range: value, from: null, to: null });
        }}
      >
        {RANGE_PRESETS.map((value) => (
          <option key={value} value={value}>
            {RANGE_PRESET_LABELS[value]}
          </option>
        ))}
        <option value="custom">Custom…</option>
      </NativeSelect>
      {custom ? (
        <form
          className="flex flex-wrap items-center gap-2"
          onSubmit={(event) => {
            event.preventDefault();
            // The last day is included: the API's `to` is exclusive, so ask up to the day after.
            const end = new Date(`${to}T00:00:00Z`);
            end.setUTCDate(end.getUTCDate() + 1);
            void setRange({ range: null, from, to: end.toISOString().slice(0, 10) });
          }}
        >
          <label className="sr-only" htmlFor="range-from">
            From
          </label>
          <Input id="range-from" type="date" value={from} max={to} onChange={(e) => setFrom(e.target.value)} className="w-auto" required />
          <span className="text-sm text-muted-foreground">to</span>
          <label className="sr-only" htmlFor="range-to">
            To (included)
          </label>
          <Input id="range-to" type="date" value={to} min={from} onChange={(e) => setTo(e.target.value)} className="w-auto" required />
          <Button type="submit" size="sm" variant="secondary">
            Apply
          </Button>
        </form>
      ) : null}
      {pending ? <span className="text-xs text-muted-foreground">Updating…</span> : null}
    </div>
  );
}
