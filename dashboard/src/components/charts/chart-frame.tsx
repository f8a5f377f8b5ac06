import type * as React from 'react';

/**
 * Where a chart goes, rendered with the page: its label for screen readers and its height, so
 * nothing moves when the drawing arrives. The drawing itself (Recharts, about 120 kB gzipped, more
 * than the rest of a page's first load) is loaded after the figures with `next/dynamic` and no
 * server rendering; Recharts' ResponsiveContainer drew nothing on the server anyway, as it needs
 * the box's width.
 */
export function ChartFrame({ ariaLabel, height, children }: { ariaLabel: string; height: number; children: React.ReactNode }) {
  return (
    <div role="img" aria-label={ariaLabel} data-slot="chart-frame" style={{ minHeight: height }}>
      {children}
    </div>
  );
}
