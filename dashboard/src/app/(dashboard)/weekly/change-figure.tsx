import { Minus, TrendingDown, TrendingUp } from 'lucide-react';
import type { UsdChange } from '@/lib/shape/weekly';
import { cn } from '@/lib/utils';

const ICONS = { up: TrendingUp, down: TrendingDown, flat: Minus } as const;

/**
 * A change in spend with its direction drawn as well as signed, so it reads in grey print too.
 * More spend is the colour of a warning; less, of relief. The text stays in the foreground
 * colour for contrast.
 */
export function ChangeFigure({ change, part = 'text', testId, className }: { change: UsdChange; part?: 'text' | 'amount'; testId?: string; className?: string }) {
  const Icon = ICONS[change.direction];
  return (
    <span className={cn('inline-flex items-center gap-1 tabular', className)}>
      <Icon
        className={cn('size-3.5 shrink-0', change.direction === 'up' && 'text-destructive', change.direction === 'down' && 'text-success', change.direction === 'flat' && 'text-muted-foreground')}
        aria-hidden="true"
      />
      <span data-testid={testId}>{part === 'amount' ? change.amount : change.text}</span>
    </span>
  );
}

/** Lucide's trending-up, trending-down and minus, as the icons above draw them. */
const DIRECTION_PATHS = {
  up: ['M16 7h6v6', 'm22 7-8.5 8.5-5-5L2 17'],
  down: ['M16 17h6v-6', 'm22 17-8.5-8.5-5 5L2 7'],
  flat: ['M5 12h14'],
} as const;

/**
 * The direction icons once, for a table that draws one on every row: each row's `<use>` is a
 * tenth of a copy of the icon, and the review lists every feature.
 */
export function ChangeIconSymbols() {
  return (
    <svg className="absolute size-0 overflow-hidden" aria-hidden="true">
      {Object.entries(DIRECTION_PATHS).map(([direction, paths]) => (
        <symbol key={direction} id={`change-${direction}`} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={2} strokeLinecap="round" strokeLinejoin="round">
          {paths.map((d) => (
            <path key={d} d={d} />
          ))}
        </symbol>
      ))}
    </svg>
  );
}

/** `ChangeFigure`'s amount with its icon drawn from `ChangeIconSymbols`. */
export function ChangeAmount({ change, testId }: { change: Pick<UsdChange, 'direction' | 'amount'>; testId?: string }) {
  return (
    <span className="inline-flex items-center gap-1">
      <svg
        className={cn('size-3.5 shrink-0', change.direction === 'up' && 'text-destructive', change.direction === 'down' && 'text-success', change.direction === 'flat' && 'text-muted-foreground')}
        aria-hidden="true"
      >
        <use href={`#change-${change.direction}`} />
      </svg>
      <span data-testid={testId}>{change.amount}</span>
    </span>
  );
}
