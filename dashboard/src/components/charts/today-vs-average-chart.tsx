'use client';

import dynamic from 'next/dynamic';
import type * as React from 'react';
import { ChartFrame } from './chart-frame';
import type { TodayVsAverageDrawing } from './today-vs-average-drawing';

const Drawing = dynamic(() => import('./today-vs-average-drawing').then((module) => module.TodayVsAverageDrawing), { ssr: false });

/** Today against its trailing days ({@link TodayVsAverageDrawing}, `h-44`), drawn once the page is shown. */
export function TodayVsAverageChart({ ariaLabel, ...drawing }: React.ComponentProps<typeof TodayVsAverageDrawing> & { ariaLabel: string }) {
  return (
    <ChartFrame ariaLabel={ariaLabel} height={176}>
      <Drawing {...drawing} />
    </ChartFrame>
  );
}
