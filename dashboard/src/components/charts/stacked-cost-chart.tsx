'use client';

import dynamic from 'next/dynamic';
import type * as React from 'react';
import { ChartFrame } from './chart-frame';
import type { StackedCostDrawing } from './stacked-cost-drawing';

const Drawing = dynamic(() => import('./stacked-cost-drawing').then((module) => module.StackedCostDrawing), { ssr: false });

/** Daily cost stacked by a dimension ({@link StackedCostDrawing}), drawn once the page is shown. */
export function StackedCostChart({ ariaLabel, height = 320, ...drawing }: React.ComponentProps<typeof StackedCostDrawing> & { ariaLabel: string }) {
  return (
    <ChartFrame ariaLabel={ariaLabel} height={height}>
      <Drawing height={height} {...drawing} />
    </ChartFrame>
  );
}
