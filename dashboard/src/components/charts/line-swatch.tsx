import { cn } from '@/lib/utils';

/** A short line in a chart's own stroke, to name a reference line beside the chart (a legend for lines). */
export function LineSwatch({ tone, dashed = false }: { tone: 'muted' | 'destructive' | 'warning' | 'primary'; dashed?: boolean }) {
  const colour = { muted: 'border-muted-foreground', destructive: 'border-destructive', warning: 'border-warning', primary: 'border-chart-1' }[tone];
  return <span aria-hidden="true" className={cn('inline-block w-4 shrink-0 self-center border-t-2', dashed && 'border-dashed', colour)} />;
}
