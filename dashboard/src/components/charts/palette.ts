import { OTHERS_SERIES } from '@/lib/chart-data';

/** The theme's chart colours in order; `others` is always the neutral grey. */
export function seriesColor(key: string, index: number): string {
  if (key === OTHERS_SERIES) return 'var(--chart-others)';
  return `var(--chart-${(index % 8) + 1})`;
}
