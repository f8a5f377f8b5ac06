'use client';

import { parseAsString, useQueryStates } from 'nuqs';
import { useTransition } from 'react';
import { Label } from '@/components/ui/label';
import { NativeSelect } from '@/components/ui/native-select';
import { COST_DIMENSIONS, type CostDimension } from '@/lib/api/types';
import { DIMENSION_LABELS, EXPLORE_METRICS, INTERVALS, METRIC_LABELS, type ExploreMetric, type Interval } from '@/lib/shape/explore';

const viewParsers = { groupBy: parseAsString, metric: parseAsString, interval: parseAsString, filterOn: parseAsString };

const INTERVAL_NAMES: Record<Interval, string> = { hour: 'Hourly', day: 'Daily', week: 'Weekly' };

/** Everything in the URL, so a view can be shared; each change re-renders the page on the server. */
function useExploreView() {
  const [pending, startTransition] = useTransition();
  const [, setView] = useQueryStates(viewParsers, { shallow: false, history: 'push', startTransition });
  return { pending, setView };
}

/** Group by one or two dimensions, the figure to stack, and the bucket size. */
export function ExploreControls({
  groupBy,
  metric,
  interval,
  autoInterval,
}: {
  groupBy: CostDimension[];
  metric: ExploreMetric;
  /** The interval the URL chose, or null for automatic. */
  interval: Interval | null;
  autoInterval: Interval;
}) {
  const { pending, setView } = useExploreView();
  const [first, second] = groupBy;
  const setGroupBy = (dimensions: Array<string | undefined>) => {
    const distinct = [...new Set(dimensions.filter((d): d is string => Boolean(d)))];
    void setView({ groupBy: distinct.join(',') });
  };

  return (
    <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4" aria-busy={pending}>
      <div className="grid gap-1.5">
        <Label htmlFor="explore-group-by">Group by</Label>
        <NativeSelect id="explore-group-by" value={first} onChange={(event) => setGroupBy([event.target.value, event.target.value === second ? undefined : second])}>
          {COST_DIMENSIONS.map((dimension) => (
            <option key={dimension} value={dimension}>
              {DIMENSION_LABELS[dimension]}
            </option>
          ))}
        </NativeSelect>
      </div>
      <div className="grid gap-1.5">
        <Label htmlFor="explore-then-by">Then by</Label>
        <NativeSelect id="explore-then-by" value={second ?? ''} onChange={(event) => setGroupBy([first, event.target.value || undefined])}>
          <option value="">Nothing (one dimension)</option>
          {COST_DIMENSIONS.filter((dimension) => dimension !== first).map((dimension) => (
            <option key={dimension} value={dimension}>
              {DIMENSION_LABELS[dimension]}
            </option>
          ))}
        </NativeSelect>
      </div>
      <div className="grid gap-1.5">
        <Label htmlFor="explore-metric">Chart</Label>
        <NativeSelect id="explore-metric" value={metric} onChange={(event) => void setView({ metric: event.target.value === 'cost' ? null : event.target.value })}>
          {EXPLORE_METRICS.map((value) => (
            <option key={value} value={value}>
              {METRIC_LABELS[value]}
            </option>
          ))}
        </NativeSelect>
      </div>
      <div className="grid gap-1.5">
        <Label htmlFor="explore-interval">Buckets</Label>
        <NativeSelect id="explore-interval" value={interval ?? ''} onChange={(event) => void setView({ interval: event.target.value || null })}>
          <option value="">Automatic ({INTERVAL_NAMES[autoInterval].toLowerCase()})</option>
          {INTERVALS.map((value) => (
            <option key={value} value={value}>
              {INTERVAL_NAMES[value]}
            </option>
          ))}
        </NativeSelect>
      </div>
    </div>
  );
}

/** Pick a dimension to filter on: the page then lists that dimension's values over the range. */
export function AddFilter({ editing }: { editing: CostDimension | null }) {
  const { pending, setView } = useExploreView();
  return (
    <div className="flex items-center gap-2" aria-busy={pending}>
      <label htmlFor="explore-add-filter" className="sr-only">
        Add a filter on
      </label>
      <NativeSelect id="explore-add-filter" value={editing ?? ''} onChange={(event) => void setView({ filterOn: event.target.value || null })} className="h-8">
        <option value="">+ Add a filter…</option>
        {COST_DIMENSIONS.map((dimension) => (
          <option key={dimension} value={dimension}>
            {DIMENSION_LABELS[dimension]}
          </option>
        ))}
      </NativeSelect>
      {pending ? <span className="text-xs text-muted-foreground">Updating…</span> : null}
    </div>
  );
}
