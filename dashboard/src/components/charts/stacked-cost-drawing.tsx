'use client';

import { Bar, BarChart, CartesianGrid, ReferenceDot, XAxis, YAxis } from 'recharts';
import { ChartContainer, ChartLegend, ChartLegendContent, ChartTooltip, ChartTooltipContent, type ChartConfig } from '@/components/ui/chart';
import type { SeriesInfo, StackedPoint } from '@/lib/chart-data';
import { chartMoney, moneyTick, shortDay } from '@/lib/format';
import { seriesColor } from './palette';

/**
 * Daily cost stacked by a dimension (top series + others). Days without data are gaps. Days in
 * `markers` (an alert fired) get a dot above their bar. The exact figures live in the tables
 * beside it; this is for the eye, and its tooltip shows cents.
 */
export function StackedCostDrawing({
  points,
  series,
  markers = [],
  height = 320,
}: {
  points: StackedPoint[];
  series: SeriesInfo[];
  markers?: ReadonlyArray<{ bucket: string; label: string }>;
  height?: number;
}) {
  const config: ChartConfig = Object.fromEntries(series.map((s, i) => [s.key, { label: s.label, color: seriesColor(s.key, i) }]));
  const order = new Map(series.map((s, index) => [s.key, index]));
  const totals = new Map(points.map((p) => [p.bucket, series.reduce((sum, s) => sum + (typeof p[s.key] === 'number' ? (p[s.key] as number) : 0), 0)]));
  return (
    <ChartContainer config={config} className="aspect-auto w-full" style={{ height }}>
      <BarChart data={points} margin={{ top: 16, right: 8, left: 8, bottom: 0 }}>
        <CartesianGrid vertical={false} />
        <XAxis dataKey="bucket" tickLine={false} axisLine={false} tickMargin={8} minTickGap={24} tickFormatter={(day: string) => shortDay(day)} />
        <YAxis tickLine={false} axisLine={false} width={56} tickFormatter={(value: number) => moneyTick(value)} />
        <ChartTooltip
          cursor={{ fillOpacity: 0.4 }}
          content={({ active, payload, label }) => (
            <ChartTooltipContent
              active={active}
              payload={payload as never}
              label={label}
              labelFormatter={(day) => shortDay(String(day))}
              valueFormatter={(value) => chartMoney(value)}
            />
          )}
        />
        {/* Biggest spend first, as the series are ranked, not alphabetically (Recharts' default). */}
        <ChartLegend itemSorter={(item) => order.get(String(item.dataKey)) ?? series.length} content={({ payload }) => <ChartLegendContent payload={payload as never} />} />
        {series.map((s, i) => (
          <Bar key={s.key} dataKey={s.key} stackId="cost" fill={seriesColor(s.key, i)} isAnimationActive={false} />
        ))}
        {markers.map((marker) => (
          <ReferenceDot
            key={marker.bucket}
            x={marker.bucket}
            y={(totals.get(marker.bucket) ?? 0) * 1.04}
            r={5}
            fill="var(--destructive)"
            stroke="var(--background)"
            strokeWidth={2}
            ifOverflow="extendDomain"
            label={{ value: '!', position: 'top', fill: 'var(--destructive)', fontSize: 11 }}
          />
        ))}
      </BarChart>
    </ChartContainer>
  );
}
