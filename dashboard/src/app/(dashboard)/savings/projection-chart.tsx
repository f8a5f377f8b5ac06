'use client';

import dynamic from 'next/dynamic';
import type * as React from 'react';
import { ChartFrame } from '@/components/charts/chart-frame';
import type { ProjectionDrawing } from './projection-drawing';

const Drawing = dynamic(() => import('./projection-drawing').then((module) => module.ProjectionDrawing), { ssr: false });

/** The savings projection as a waterfall ({@link ProjectionDrawing}, `h-64`), drawn once the page is shown. */
export function ProjectionChart({ ariaLabel, ...drawing }: React.ComponentProps<typeof ProjectionDrawing> & { ariaLabel: string }) {
  return (
    <ChartFrame ariaLabel={ariaLabel} height={256}>
      <Drawing {...drawing} />
    </ChartFrame>
  );
}
