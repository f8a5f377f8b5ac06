'use client';

import * as React from 'react';
import * as RechartsPrimitive from 'recharts';
import { cn } from '@/lib/utils';

/**
 * shadcn/ui's chart component, trimmed to what Costscope draws: a container that maps each series
 * key to a label and a theme colour (`--color-<key>`), and a tooltip and legend that read it.
 * Every chart in the dashboard goes through this one component.
 */
export type ChartConfig = Record<string, { label?: React.ReactNode; color?: string }>;

type ChartContextProps = { config: ChartConfig };

const ChartContext = React.createContext<ChartContextProps | null>(null);

function useChart(): ChartContextProps {
  const context = React.useContext(ChartContext);
  if (!context) throw new Error('useChart must be used within a <ChartContainer />');
  return context;
}

/** CSS custom properties may not hold every character a feature name can; keys are slugged. */
export function chartKey(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '_');
}

function ChartContainer({
  id,
  className,
  children,
  config,
  ...props
}: React.ComponentProps<'div'> & {
  config: ChartConfig;
  children: React.ComponentProps<typeof RechartsPrimitive.ResponsiveContainer>['children'];
}) {
  const uniqueId = React.useId();
  const chartId = `chart-${id ?? uniqueId.replace(/:/g, '')}`;
  const style = Object.fromEntries(
    Object.entries(config)
      .filter(([, item]) => item.color)
      .map(([key, item]) => [`--color-${chartKey(key)}`, item.color]),
  ) as React.CSSProperties;

  return (
    <ChartContext.Provider value={{ config }}>
      <div
        data-slot="chart"
        data-chart={chartId}
        style={style}
        className={cn(
          "flex aspect-video justify-center text-xs [&_.recharts-cartesian-axis-tick_text]:fill-muted-foreground [&_.recharts-cartesian-grid_line[stroke='#ccc']]:stroke-border/60 [&_.recharts-curve.recharts-tooltip-cursor]:stroke-border [&_.recharts-rectangle.recharts-tooltip-cursor]:fill-muted/60 [&_.recharts-reference-line_[stroke='#ccc']]:stroke-border [&_.recharts-layer]:outline-hidden [&_.recharts-surface]:outline-hidden",
          className,
        )}
        {...props}
      >
        <RechartsPrimitive.ResponsiveContainer>{children}</RechartsPrimitive.ResponsiveContainer>
      </div>
    </ChartContext.Provider>
  );
}

const ChartTooltip = RechartsPrimitive.Tooltip;

type TooltipEntry = { dataKey?: unknown; name?: unknown; value?: unknown; color?: string; payload?: Record<string, unknown> };

function ChartTooltipContent({
  active,
  payload,
  label,
  labelFormatter,
  valueFormatter,
  hideZero = true,
  className,
}: {
  active?: boolean;
  payload?: readonly TooltipEntry[];
  label?: unknown;
  labelFormatter?: (label: unknown) => React.ReactNode;
  /** Formats each series' value; money charts pass the dashboard's money rule. */
  valueFormatter?: (value: number, key: string) => React.ReactNode;
  hideZero?: boolean;
  className?: string;
}) {
  const { config } = useChart();
  if (!active || !payload?.length) return null;
  const entries = payload.filter((entry) => entry.value !== null && entry.value !== undefined && (!hideZero || entry.value !== 0));
  return (
    <div className={cn('grid min-w-40 gap-1.5 rounded-lg border bg-popover px-3 py-2 text-xs text-popover-foreground shadow-lg', className)}>
      <div className="font-medium">{labelFormatter ? labelFormatter(label) : String(label ?? '')}</div>
      {entries.length === 0 ? <div className="text-muted-foreground">No data</div> : null}
      {entries.map((entry) => {
        const key = String(entry.dataKey ?? entry.name ?? '');
        const itemConfig = config[key];
        return (
          <div key={key} className="flex items-center justify-between gap-4">
            <span className="flex items-center gap-1.5">
              <span className="size-2.5 shrink-0 rounded-[2px]" style={{ backgroundColor: entry.color }} />
              <span className="text-muted-foreground">{itemConfig?.label ?? key}</span>
            </span>
            <span className="font-mono font-medium tabular">
              {typeof entry.value === 'number' && valueFormatter ? valueFormatter(entry.value, key) : String(entry.value)}
            </span>
          </div>
        );
      })}
    </div>
  );
}

const ChartLegend = RechartsPrimitive.Legend;

function ChartLegendContent({ payload, className }: { payload?: readonly { dataKey?: unknown; value?: unknown; color?: string }[]; className?: string }) {
  const { config } = useChart();
  if (!payload?.length) return null;
  return (
    <div className={cn('flex flex-wrap items-center justify-center gap-x-4 gap-y-1 pt-3', className)}>
      {payload.map((item) => {
        const key = String(item.dataKey ?? item.value ?? '');
        return (
          <div key={key} className="flex items-center gap-1.5">
            <span className="size-2.5 shrink-0 rounded-[2px]" style={{ backgroundColor: item.color }} />
            <span>{config[key]?.label ?? key}</span>
          </div>
        );
      })}
    </div>
  );
}

export { ChartContainer, ChartLegend, ChartLegendContent, ChartTooltip, ChartTooltipContent };
