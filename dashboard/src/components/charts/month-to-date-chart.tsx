'use client';

import dynamic from 'next/dynamic';
import type * as React from 'react';
import { ChartFrame } from './chart-frame';
import type { MonthToDateDrawing } from './month-to-date-drawing';

const Drawing = dynamic(() => import('./month-to-date-drawing').then((module) => module.MonthToDateDrawing), { ssr: false });

/** Cumulative spend this month and its forecast ({@link MonthToDateDrawing}, `h-44`), drawn once the page is shown. */
export function MonthToDateChart({ ariaLabel, ...drawing }: React.ComponentProps<typeof MonthToDateDrawing> & { ariaLabel: string }) {
  return (
    <ChartFrame ariaLabel={ariaLabel} height={176}>
      <Drawing {...drawing} />
    </ChartFrame>
  );
}
