'use client';

import { Bar, BarChart, CartesianGrid, Line, LineChart, XAxis, YAxis } from 'recharts';
import { ChartContainer, ChartLegend, ChartLegendContent, ChartTooltip, ChartTooltipContent, type ChartConfig } from '@/components/ui/chart';
import type { SeriesInfo, StackedPoint } from '@/lib/chart-data';
import { chartMoney, compactCount, count, moneyTick } from '@/lib/format';
import { bucketLabel, bucketTick, type Interval } from '@/lib/shape/explore';
import { seriesColor } from './palette';

export type ValueFormat = 'money' | 'count';

const axisFormat: Record<ValueFormat, (value: number) => string> = { money: moneyTick, count: compactCount };
const tooltipFormat: Record<ValueFormat, (value: number) => string> = { money: chartMoney, count };

/**
 * A figure over time in hourly, daily or weekly buckets, one series per group (top series +
 * others): stacked bars (`bar`, parts of a whole such as cost by feature) or lines (`line`, to
 * compare series such as calls per user tier). Buckets without data are gaps. The exact figures
 * live in the tables beside it; this is for the eye.
 */
export function TimeSeriesDrawing({
  points,
  series,
  interval,
  kind = 'bar',
  format = 'money',
  height = 320,
}: {
  points: StackedPoint[];
  series: SeriesInfo[];
  interval: Interval;
  kind?: 'bar' | 'line';
  format?: ValueFormat;
  height?: number;
}) {
  const config: ChartConfig = Object.fromEntries(series.map((s, i) => [s.key, { label: s.label, color: seriesColor(s.key, i) }]));
  // The legend lists series largest first, as they stack, "others" last.
  const order = new Map(series.map((s, i) => [s.key, i]));
  const axes = (
    <>
      <CartesianGrid vertical={false} />
      <XAxis dataKey="bucket" tickLine={false} axisLine={false} tickMargin={8} minTickGap={24} tickFormatter={(key: string) => bucketTick(key, interval)} />
      <YAxis tickLine={false} axisLine={false} width={56} allowDecimals={format === 'money'} tickFormatter={axisFormat[format]} />
      <ChartTooltip
        cursor={kind === 'bar' ? { fillOpacity: 0.4 } : true}
        content={({ active, payload, label }) => (
          <ChartTooltipContent
            active={active}
            payload={payload as never}
            label={label}
            labelFormatter={(key) => bucketLabel(String(key), interval)}
            valueFormatter={tooltipFormat[format]}
          />
        )}
      />
      <ChartLegend itemSorter={(item) => order.get(String(item.dataKey)) ?? series.length} content={({ payload }) => <ChartLegendContent payload={payload as never} />} />
    </>
  );
  return (
    <ChartContainer config={config} className="aspect-auto w-full" style={{ height }}>
      {kind === 'bar' ? (
        <BarChart data={points} margin={{ top: 16, right: 8, left: 8, bottom: 0 }}>
          {axes}
          {series.map((s, i) => (
            <Bar key={s.key} dataKey={s.key} name={s.label} stackId="stack" fill={seriesColor(s.key, i)} isAnimationActive={false} />
          ))}
        </BarChart>
      ) : (
        <LineChart data={points} margin={{ top: 16, right: 8, left: 8, bottom: 0 }}>
          {axes}
          {series.map((s, i) => (
            <Line
              key={s.key}
              dataKey={s.key}
              name={s.label}
              type="linear"
              stroke={seriesColor(s.key, i)}
              strokeWidth={2}
              dot={points.length <= 31 ? { r: 2.5 } : false}
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      )}
    </ChartContainer>
  );
}
