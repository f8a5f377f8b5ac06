'use client';

import { CartesianGrid, Line, LineChart, ReferenceLine, XAxis, YAxis } from 'recharts';
import { ChartContainer, ChartTooltip, ChartTooltipContent, type ChartConfig } from '@/components/ui/chart';
import { chartMoney, moneyTick, shortDay } from '@/lib/format';

const config: ChartConfig = {
  actual: { label: 'Spend so far', color: 'var(--chart-1)' },
  forecast: { label: 'Forecast (dashed)', color: 'var(--chart-1)' },
};

/**
 * Cumulative spend this month (solid) and the straight-line forecast to month end (dashed),
 * against the total allocation when one is set (amber). The page names the lines beside it.
 */
export function MonthToDateDrawing({
  points,
  allocation,
}: {
  points: ReadonlyArray<{ day: string; actual: number | null; forecast: number | null }>;
  allocation: number | null;
}) {
  return (
    <ChartContainer config={config} className="aspect-auto h-44 w-full">
      <LineChart data={[...points]} margin={{ top: 16, right: 8, left: 0, bottom: 0 }}>
        <CartesianGrid vertical={false} />
        <XAxis dataKey="day" tickLine={false} axisLine={false} tickMargin={8} minTickGap={24} tickFormatter={(day: string) => shortDay(day)} />
        <YAxis tickLine={false} axisLine={false} width={52} tickFormatter={(value: number) => moneyTick(value)} />
        <ChartTooltip
          content={({ active, payload, label }) => (
            <ChartTooltipContent active={active} payload={payload as never} label={label} labelFormatter={(day) => shortDay(String(day))} valueFormatter={(value) => chartMoney(value)} />
          )}
        />
        {allocation !== null ? (
          <ReferenceLine y={allocation} stroke="var(--warning)" strokeWidth={1.5} ifOverflow="extendDomain" />
        ) : null}
        <Line dataKey="actual" stroke="var(--color-actual)" strokeWidth={2} dot={false} connectNulls={false} isAnimationActive={false} />
        <Line dataKey="forecast" stroke="var(--color-forecast)" strokeWidth={2} strokeDasharray="6 5" dot={false} connectNulls={false} isAnimationActive={false} />
      </LineChart>
    </ChartContainer>
  );
}
