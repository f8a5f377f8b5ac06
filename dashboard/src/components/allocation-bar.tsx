import { cn } from '@/lib/utils';
import { percent } from '@/lib/format';

/**
 * How much of a monthly allocation is spent (solid) and where the month-end forecast lands (a
 * tick), as a meter screen readers announce. Over 100% the bar is full and turns red; from the
 * rule's warning share (80% by default) it turns amber.
 */
export function AllocationBar({
  share,
  forecastShare,
  warnAt = 0.8,
  label,
  className,
}: {
  share: number;
  forecastShare?: number | null;
  warnAt?: number;
  /** What is measured ("search: allocation used"). */
  label: string;
  className?: string;
}) {
  const tone = share >= 1 ? 'bg-destructive' : share >= warnAt ? 'bg-warning' : 'bg-primary';
  const forecastOver = forecastShare !== null && forecastShare !== undefined && forecastShare > 1;
  return (
    <div
      role="meter"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(Math.min(share, 1) * 100)}
      aria-valuetext={`${percent(share, 0)} used${forecastShare !== null && forecastShare !== undefined ? `, ${percent(forecastShare, 0)} forecast` : ''}`}
      className={cn('relative h-2 w-full min-w-16 overflow-visible rounded-full bg-muted', className)}
    >
      <div className={cn('h-full rounded-full', tone)} style={{ width: `${Math.min(share, 1) * 100}%` }} />
      {forecastShare !== null && forecastShare !== undefined ? (
        <div
          aria-hidden="true"
          className={cn('absolute -top-1 h-4 w-0.5 rounded-full', forecastOver ? 'bg-destructive' : 'bg-foreground/60')}
          style={{ left: `calc(${Math.min(forecastShare, 1) * 100}% - 1px)` }}
        />
      ) : null}
    </div>
  );
}
