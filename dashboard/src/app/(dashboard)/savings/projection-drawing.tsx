'use client';

import { Bar, BarChart, CartesianGrid, Cell, XAxis, YAxis } from 'recharts';
import { ChartContainer, ChartTooltip, type ChartConfig } from '@/components/ui/chart';
import { money, moneyTick } from '@/lib/format';
import type { WaterfallBar } from '@/lib/shape/savings';

const config: ChartConfig = { range: { label: 'Monthly spend', color: 'var(--chart-1)' } };

/**
 * The projection as a waterfall: this month's spend, each strategy's saving as a step down from
 * what the one before left, and what remains. Bars are drawn from floats; the tooltip and the
 * table beside the chart show the API's exact figures.
 */
export function ProjectionDrawing({ bars }: { bars: readonly WaterfallBar[] }) {
  return (
    <ChartContainer config={config} className="aspect-auto h-64 w-full">
      <BarChart data={[...bars]} margin={{ top: 16, right: 8, left: 0, bottom: 0 }}>
        <CartesianGrid vertical={false} />
        <XAxis dataKey="name" tickLine={false} axisLine={false} tickMargin={8} interval={0} fontSize={11} />
        <YAxis tickLine={false} axisLine={false} width={56} tickFormatter={(value: number) => moneyTick(value)} />
        <ChartTooltip
          cursor={{ fillOpacity: 0.4 }}
          content={({ active, payload }) => {
            const bar = active ? (payload?.[0]?.payload as WaterfallBar | undefined) : undefined;
            if (!bar) return null;
            return (
              <div className="rounded-lg border bg-background px-2.5 py-1.5 text-xs shadow-xl">
                <div className="font-medium">{bar.name}</div>
                <div className="tabular text-muted-foreground">{bar.kind === 'saving' ? `−${money(bar.usd)} a month` : `${money(bar.usd)} a month`}</div>
              </div>
            );
          }}
        />
        <Bar dataKey="range" radius={[3, 3, 0, 0]} isAnimationActive={false}>
          {bars.map((bar) => (
            <Cell key={bar.name} fill={bar.kind === 'saving' ? 'var(--success)' : 'var(--chart-1)'} />
          ))}
        </Bar>
      </BarChart>
    </ChartContainer>
  );
}
