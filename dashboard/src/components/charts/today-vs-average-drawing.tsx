'use client';

import { Bar, BarChart, CartesianGrid, Cell, ReferenceLine, XAxis, YAxis } from 'recharts';
import { ChartContainer, ChartTooltip, ChartTooltipContent, type ChartConfig } from '@/components/ui/chart';
import { chartMoney, moneyTick, shortDay } from '@/lib/format';

const config: ChartConfig = { costUsd: { label: 'Spend', color: 'var(--chart-1)' } };

/**
 * The trailing days and today as bars, with the trailing average (solid) and the alert threshold
 * (dashed): today's bar crossing the dashed line is what the daily spend rule fires on. The page
 * names both lines beside the chart (`LineSwatch`), with their exact figures.
 */
export function TodayVsAverageDrawing({
  bars,
  average,
  threshold,
}: {
  bars: ReadonlyArray<{ day: string; costUsd: number | null; today: boolean }>;
  average: number;
  threshold: number;
}) {
  const over = bars.some((bar) => bar.today && (bar.costUsd ?? 0) > threshold);
  return (
    <ChartContainer config={config} className="aspect-auto h-44 w-full">
      <BarChart data={[...bars]} margin={{ top: 16, right: 8, left: 0, bottom: 0 }}>
        <CartesianGrid vertical={false} />
        <XAxis dataKey="day" tickLine={false} axisLine={false} tickMargin={8} minTickGap={8} tickFormatter={(day: string) => shortDay(day)} />
        <YAxis tickLine={false} axisLine={false} width={52} tickFormatter={(value: number) => moneyTick(value)} />
        <ChartTooltip
          cursor={{ fillOpacity: 0.4 }}
          content={({ active, payload, label }) => (
            <ChartTooltipContent active={active} payload={payload as never} label={label} hideZero={false} labelFormatter={(day) => shortDay(String(day))} valueFormatter={(value) => chartMoney(value)} />
          )}
        />
        <Bar dataKey="costUsd" radius={[3, 3, 0, 0]} isAnimationActive={false}>
          {bars.map((bar) => (
            <Cell key={bar.day} fill={bar.today ? (over ? 'var(--destructive)' : 'var(--chart-1)') : 'var(--chart-others)'} />
          ))}
        </Bar>
        <ReferenceLine y={average} stroke="var(--muted-foreground)" strokeWidth={1.5} ifOverflow="extendDomain" />
        <ReferenceLine y={threshold} stroke="var(--destructive)" strokeDasharray="5 4" strokeWidth={1.5} ifOverflow="extendDomain" />
      </BarChart>
    </ChartContainer>
  );
}
