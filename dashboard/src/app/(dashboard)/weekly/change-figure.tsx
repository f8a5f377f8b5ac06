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
