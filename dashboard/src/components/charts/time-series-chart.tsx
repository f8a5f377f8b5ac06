'use client';

import dynamic from 'next/dynamic';
import type * as React from 'react';
import { ChartFrame } from './chart-frame';
import type { TimeSeriesDrawing } from './time-series-drawing';

const Drawing = dynamic(() => import('./time-series-drawing').then((module) => module.TimeSeriesDrawing), { ssr: false });

/** A figure over time by group ({@link TimeSeriesDrawing}), drawn once the page is shown. */
export function TimeSeriesChart({ ariaLabel, height = 320, ...drawing }: React.ComponentProps<typeof TimeSeriesDrawing> & { ariaLabel: string }) {
  return (
    <ChartFrame ariaLabel={ariaLabel} height={height}>
      <Drawing height={height} {...drawing} />
    </ChartFrame>
  );
}
