import { Info } from 'lucide-react';
import type { Metadata } from 'next';
import Link from 'next/link';
import { PageHeader } from '@/components/page-header';
import { RangePicker } from '@/components/range-picker';
import { ApiErrorBanner, Stat } from '@/components/states';
import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Table, TableBody, TableCaption, TableCell, TableFooter, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { api } from '@/lib/api/client';
import type { Insight, InsightsAnswer } from '@/lib/api/types';
import { dateTime, money } from '@/lib/format';
import { load, pageRange, type PageSearchParams } from '@/lib/server/page-data';
import { urlRangeParams } from '@/lib/shape/explore';
import {
  STRATEGIES,
  evidenceFigures,
  insightScope,
  insightsBySaving,
  isZeroUsd,
  projectionReduction,
  projectionRows,
  projectionSummary,
  projectionWaterfall,
  strategyLabel,
} from '@/lib/shape/savings';
import { rangePickerDays } from '@/lib/time-range';
import { ProjectionChart } from './projection-chart';

export const metadata: Metadata = { title: 'Savings' };

const CONFIDENCE = { high: 'High confidence', medium: 'Medium confidence', low: 'Low confidence' } as const;

/**
 * Where the team's money goes to waste, in dollars a month: each of the article's strategies that
 * applies to the team's own calls, with its evidence, and the article's "putting it all together"
 * projection. The figures are `/api/v1/insights`' exact strings, formatted once.
 */
export default async function SavingsPage({ searchParams }: { searchParams: PageSearchParams }) {
  const params = await searchParams;
  const ranged = await load(() => pageRange(params));
  if (!ranged.ok) {
    return (
      <>
        <PageHeader title="Savings" />
        <ApiErrorBanner message={ranged.error.message} at={ranged.error.at} />
      </>
    );
  }
  const { range } = ranged.data;
  // The range picker stays on the page when the figures fail, so a range the API refuses can be changed.
  const header = (
    <PageHeader title="Savings" description={`What each cost strategy would save a month, from this range’s calls · ${range.label}`}>
      <RangePicker preset={range.preset} {...rangePickerDays(range)} />
    </PageHeader>
  );
  const loaded = await load(() => api.insights({ from: range.from, to: range.to }));
  if (!loaded.ok) {
    return (
      <>
        {header}
        <ApiErrorBanner message={loaded.error.message} at={loaded.error.at} />
      </>
    );
  }
  const answer = loaded.data;
  const insights = insightsBySaving(answer.insights);
  const featureRange = new URLSearchParams(urlRangeParams(params, range.preset)).toString();

  return (
    <>
      {header}
      <div className="grid grid-cols-1 gap-4">
        <div className="grid gap-4 sm:grid-cols-3">
          <Stat
            label="Monthly spend"
            value={<span data-testid="savings-monthly-spend">{money(answer.monthlySpendUsd)}</span>}
            hint="This range’s spend scaled to 30 days"
          />
          <Stat
            label="After every strategy"
            value={<span data-testid="savings-projected-spend">{money(answer.projection.endUsd)}</span>}
            hint={answer.projection.steps.length === 0 ? 'No saving found' : `${projectionReduction(answer.projection) ?? '—'} on the monthly spend`}
          />
          <Stat label="Savings found" value={<span data-testid="savings-count">{insights.length}</span>} hint={`In ${answer.projection.steps.length} of 7 strategies`} />
        </div>

        {insights.length === 0 ? (
          <NoSavings spend={answer.monthlySpendUsd} />
        ) : (
          <>
            <Projection answer={answer} />
            <section aria-labelledby="savings-insights" className="grid gap-4">
              <h2 id="savings-insights" className="text-lg font-semibold tracking-tight">
                Every saving, largest first
              </h2>
              <ol className="grid gap-4" data-testid="savings-insights">
                {insights.map((insight) => (
                  <li key={insight.id}>
                    <InsightCard insight={insight} timezone={range.timezone} featureRange={featureRange} />
                  </li>
                ))}
              </ol>
            </section>
          </>
        )}
      </div>
    </>
  );
}

function Projection({ answer }: { answer: InsightsAnswer }) {
  const rows = projectionRows(answer.projection);
  const bars = projectionWaterfall(answer.projection);
  const summary = projectionSummary(answer.projection);
  return (
    <Card className="gap-3">
      <CardHeader>
        <CardTitle className="text-base">Putting it all together</CardTitle>
        <CardDescription>Each strategy applied in turn to what the one before left, so no dollar is saved twice.</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-6">
        <Table data-testid="savings-projection">
          <TableCaption className="sr-only">Projected monthly spend, strategy by strategy</TableCaption>
          <TableHeader>
            <TableRow>
              <TableHead>Strategy</TableHead>
              <TableHead>Action</TableHead>
              <TableHead className="text-right">Savings</TableHead>
              <TableHead className="text-right">New monthly cost</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {rows.map((row) => (
              <TableRow key={row.key} data-testid={`projection-row-${row.key}`}>
                <TableCell className="font-medium">{row.strategy}</TableCell>
                <TableCell className="whitespace-normal text-muted-foreground">{row.action}</TableCell>
                <TableCell className="text-right tabular">
                  {row.savingUsd === null ? (
                    '—'
                  ) : (
                    <>
                      <span data-testid={`projection-saving-${row.key}`}>−{money(row.savingUsd)}</span>
                      {row.savingPercent ? <span className="block text-xs text-muted-foreground">{row.savingPercent}</span> : null}
                    </>
                  )}
                </TableCell>
                <TableCell className="text-right tabular" data-testid={`projection-remaining-${row.key}`}>
                  {money(row.newMonthlyUsd)}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
          <TableFooter>
            <TableRow>
              <TableCell colSpan={3} className="font-medium">
                {summary}
              </TableCell>
              <TableCell className="text-right font-semibold tabular" data-testid="projection-end">
                {money(answer.projection.endUsd)}
              </TableCell>
            </TableRow>
          </TableFooter>
        </Table>
        <ProjectionChart
          bars={bars}
          ariaLabel={`${summary}: ${answer.projection.steps.map((step) => `${strategyLabel(step.strategy)} −${money(step.savingUsd)}`).join(', ')}.`}
        />
      </CardContent>
    </Card>
  );
}

function InsightCard({ insight, timezone, featureRange }: { insight: Insight; timezone: string; featureRange: string }) {
  const figures = evidenceFigures(insight.evidence.figures);
  return (
    <Card className="gap-3" data-testid={`insight-${insight.id}`}>
      <CardHeader>
        <div className="flex flex-col gap-3 sm:flex-row sm:items-start sm:justify-between">
          <div className="grid min-w-0 gap-1.5">
            <div className="flex flex-wrap items-center gap-2">
              <Badge variant="secondary">{strategyLabel(insight.strategy)}</Badge>
              <Badge variant={insight.confidence === 'high' ? 'success' : insight.confidence === 'medium' ? 'outline' : 'warning'}>{CONFIDENCE[insight.confidence]}</Badge>
            </div>
            <CardTitle className="text-base wrap-anywhere">{insight.title}</CardTitle>
            <CardDescription className="wrap-anywhere">
              {insight.feature ? (
                <Link href={`/features/${encodeURIComponent(insight.feature)}?${featureRange}`} className="underline-offset-4 hover:underline">
                  {insightScope(insight)}
                </Link>
              ) : (
                insightScope(insight)
              )}
            </CardDescription>
          </div>
          <div className="shrink-0 sm:text-right">
            <div className="text-2xl font-semibold tabular text-success" data-testid={`insight-saving-${insight.id}`}>
              {money(insight.monthlySavingUsd)}
            </div>
            <div className="text-xs text-muted-foreground">saved a month</div>
          </div>
        </div>
      </CardHeader>
      <CardContent className="grid gap-3 text-sm">
        <p>{insight.evidence.summary}</p>
        {figures.length > 0 ? (
          <dl className="grid grid-cols-2 gap-x-6 gap-y-1 sm:grid-cols-3 lg:grid-cols-4">
            {figures.map((figure) => (
              <div key={figure.name} className="min-w-0">
                <dt className="text-xs text-muted-foreground">{figure.label}</dt>
                <dd className="tabular wrap-anywhere" data-testid={`insight-figure-${insight.id}-${figure.name}`}>
                  {figure.value}
                </dd>
              </div>
            ))}
          </dl>
        ) : null}
        <p className="text-xs text-muted-foreground">
          Measured over {dateTime(insight.evidence.from, timezone)} – {dateTime(insight.evidence.to, timezone)} ({timezone})
        </p>
        {insight.caveat ? (
          <p className="flex items-start gap-2 rounded-md bg-muted px-3 py-2 text-muted-foreground">
            <Info className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
            <span>{insight.caveat}</span>
          </p>
        ) : null}
      </CardContent>
    </Card>
  );
}

/** Nothing to save in this range: say what data each strategy looks for, so the team knows what to send. */
function NoSavings({ spend }: { spend: string }) {
  return (
    <Card data-testid="savings-empty">
      <CardHeader>
        <CardTitle className="text-base">No savings found in this range</CardTitle>
        <CardDescription>
          {isZeroUsd(spend) ? 'There are no priced calls in this range. ' : ''}
          Each strategy looks for its own evidence in the calls:
        </CardDescription>
      </CardHeader>
      <CardContent>
        <ul className="grid gap-2 text-sm">
          {Object.entries(STRATEGIES).map(([strategy, { label, needs }]) => (
            <li key={strategy}>
              <span className="font-medium">{label}</span>
              <span className="text-muted-foreground">: {needs}.</span>
            </li>
          ))}
        </ul>
      </CardContent>
    </Card>
  );
}
