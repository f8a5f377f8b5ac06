import { addLocalDays } from '@costscope/core';
import { ChevronLeft, ChevronRight, Download } from 'lucide-react';
import Link from 'next/link';
import { PageHeader } from '@/components/page-header';
import { ApiErrorBanner, NoDataYet, Stat, UnpricedNotice } from '@/components/states';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { serverUrl } from '@/lib/api/client';
import { count, dateTime, money } from '@/lib/format';
import { load, param, type PageSearchParams } from '@/lib/server/page-data';
import { insightScope, strategyLabel } from '@/lib/shape/savings';
import { moveShares, perSuccessText, weekOptions, weekSpendParts, weekSpendText, weeklyAlertRows, weeklyFeatureTableRows, type HeadlinePart, type WeeklyReview } from '@/lib/shape/weekly';
import { cn } from '@/lib/utils';
import { ChangeFigure } from './change-figure';
import { WeeklyFeatureTable } from './feature-table';
import { PrintButton } from './print-button';
import { SpendFigure } from './spend-figure';
import { loadWeeklyReview, type WeekNotice } from './weekly-data';
import { WeekSelect } from './week-select';

/**
 * The weekly cost review the team opens every Monday (the article: "review it weekly"): one
 * sentence on the week, the totals against last week, the features that moved most, what is new,
 * the week's alerts, and every feature's figures; exports for the meeting's notes and a print
 * stylesheet for the meeting itself. The figures are `/api/v1/reports/weekly`'s, the same the
 * Monday digest sends.
 */
export default async function WeeklyReviewPage({ searchParams }: { searchParams: PageSearchParams }) {
  const params = await searchParams;
  const loaded = await load(() => loadWeeklyReview(param(params, 'week')));
  if (!loaded.ok) {
    return (
      <>
        <PageHeader title="Weekly review" />
        <ApiErrorBanner message={loaded.error.message} at={loaded.error.at} />
      </>
    );
  }
  const { project, rules, notice, currentWeek, review } = loaded.data;
  const { totals, costPerSuccess } = review;
  const weekRange = { from: review.weekStartDay, to: addLocalDays(review.weekStartDay, 7) };
  const noCalls = totals.thisWeekRequests === 0 && totals.lastWeekRequests === 0;
  const stillFiring = review.alerts.filter((alert) => alert.status === 'firing').length;
  const exportHref = (format: 'csv' | 'md') => `/weekly/export?week=${review.week}&format=${format}`;

  return (
    <div className="grid grid-cols-1 gap-6">
      <PageHeader
        title="Weekly review"
        description={
          <>
            <span data-testid="weekly-week">{review.week}</span> · {review.daysLabel} ({review.timezone}) · project {project.projectId}
          </>
        }
      >
        {/* One line beside the title on a wide screen; the title wraps first. */}
        <div className="flex flex-wrap items-center gap-2 xl:flex-nowrap">
          <WeekPicker review={review} currentWeek={currentWeek} />
          <Button asChild variant="outline" size="sm">
            <a href={exportHref('csv')} download>
              <Download aria-hidden="true" />
              CSV
            </a>
          </Button>
          <Button asChild variant="outline" size="sm">
            <a href={exportHref('md')} download>
              <Download aria-hidden="true" />
              Markdown
            </a>
          </Button>
          <PrintButton />
        </div>
      </PageHeader>
      {/* On paper there is no navigation: say where the figures came from, and when. */}
      <p className="hidden text-sm print:block">
        From Costscope, figures as of {dateTime(new Date().toISOString(), review.timezone)} ({review.timezone}).
      </p>

      {notice ? <WeekNoticeBanner notice={notice} shown={review.week} /> : null}
      {review.inProgress ? (
        <p role="status" className="rounded-lg border border-warning/50 bg-warning/10 px-4 py-3 text-sm">
          This week is not over yet: its figures are so far, against all of last week.
        </p>
      ) : null}

      {noCalls ? (
        <NoDataYet endpoint={serverUrl()} what="calls in this week or the week before" />
      ) : (
        <>
          <Card className="print-break-avoid border-primary/30 bg-primary/5">
            <CardContent>
              <p className="text-lg leading-relaxed sm:text-xl" data-testid="weekly-headline">
                <Headline parts={review.headline} />
              </p>
            </CardContent>
          </Card>

          <UnpricedNotice requests={totals.thisWeekUnpriced} />

          <div className="grid grid-cols-1 gap-4 sm:grid-cols-2 xl:grid-cols-4">
            <Stat
              label="Spend this week"
              value={<SpendFigure usd={totals.thisWeekUsd} unpriced={totals.thisWeekUnpriced} requests={totals.thisWeekRequests} testId="weekly-this-week" />}
              hint={<ChangeFigure change={totals.change} testId="weekly-change" />}
            />
            <Stat
              label="Last week"
              value={<SpendFigure usd={totals.lastWeekUsd} unpriced={totals.lastWeekUnpriced} requests={totals.lastWeekRequests} testId="weekly-last-week" />}
              hint={`${count(totals.lastWeekRequests)} calls, against ${count(totals.thisWeekRequests)} this week`}
            />
            <Stat
              label="Cost per successful response"
              value={<span data-testid="weekly-cost-per-success">{perSuccessText(costPerSuccess.thisWeekUsd, totals.thisWeekUnpriced, totals.thisWeekRequests)}</span>}
              hint={
                costPerSuccess.change ? (
                  <>
                    <ChangeFigure change={costPerSuccess.change} testId="weekly-cost-per-success-change" /> on{' '}
                    {perSuccessText(costPerSuccess.lastWeekUsd, totals.lastWeekUnpriced, totals.lastWeekRequests)}
                  </>
                ) : (
                  'No successful responses to compare with'
                )
              }
            />
            <Stat
              label="Alerts this week"
              value={<span data-testid="weekly-alert-count">{review.alerts.length}</span>}
              hint={stillFiring > 0 ? `${stillFiring} still firing` : review.alerts.length > 0 ? 'All resolved' : 'None fired'}
            />
          </div>

          <div className="grid gap-4 lg:grid-cols-2 print:grid-cols-2">
            <TopMovers review={review} weekRange={weekRange} />
            <NewThisWeek review={review} />
          </div>

          <TopSavings review={review} />

          <Card className="min-w-0 gap-2">
            <CardHeader>
              <CardTitle className="text-base">Cost per feature</CardTitle>
              <CardDescription>
                This week against last week, biggest spend first; per success is all spend over successful responses.<span className="print:hidden"> Select a column to sort.</span>
              </CardDescription>
            </CardHeader>
            <CardContent>
              <WeeklyFeatureTable
                rows={weeklyFeatureTableRows(review.features)}
                range={weekRange}
                totals={[
                  'All features',
                  <SpendFigure key="this" usd={totals.thisWeekUsd} unpriced={totals.thisWeekUnpriced} requests={totals.thisWeekRequests} testId="weekly-total-this-week" />,
                  <SpendFigure key="last" usd={totals.lastWeekUsd} unpriced={totals.lastWeekUnpriced} requests={totals.lastWeekRequests} />,
                  <ChangeFigure key="change" change={totals.change} part="amount" />,
                  totals.change.percent,
                  count(totals.thisWeekRequests),
                  perSuccessText(costPerSuccess.thisWeekUsd, totals.thisWeekUnpriced, totals.thisWeekRequests),
                ]}
              />
            </CardContent>
          </Card>

          <WeekAlerts review={review} rules={rules} />
        </>
      )}
    </div>
  );
}

/** "$30.00 · 100 calls", "$8.57 + 3 unpriced calls · 100 calls", "Unpriced · 105 calls". */
function spendWithCalls(usd: string, unpriced: number, requests: number): string {
  const spend = unpriced >= requests ? weekSpendParts(usd, unpriced, requests).amount : weekSpendText(usd, unpriced, requests);
  return `${spend} · ${count(requests)} calls`;
}

function Headline({ parts }: { parts: readonly HeadlinePart[] }) {
  return parts.map((part, index) =>
    part.kind === 'figure' ? (
      <strong key={index} className="font-semibold tabular">
        {part.text}
      </strong>
    ) : part.kind === 'name' ? (
      <span key={index} className="font-medium">
        {part.text}
      </span>
    ) : (
      part.text
    ),
  );
}

function WeekPicker({ review, currentWeek }: { review: WeeklyReview; currentWeek: string }) {
  return (
    <nav aria-label="Weeks" className="flex items-center gap-1">
      <Button asChild variant="ghost" size="icon">
        <Link href={`/weekly?week=${review.previousWeek}`} aria-label={`Previous week, ${review.previousWeek}`} data-testid="weekly-previous">
          <ChevronLeft aria-hidden="true" />
        </Link>
      </Button>
      <WeekSelect week={review.week} options={weekOptions(review.week, currentWeek)} />
      {review.nextWeek ? (
        <Button asChild variant="ghost" size="icon">
          <Link href={`/weekly?week=${review.nextWeek}`} aria-label={`Next week, ${review.nextWeek}`} data-testid="weekly-next">
            <ChevronRight aria-hidden="true" />
          </Link>
        </Button>
      ) : (
        <Button variant="ghost" size="icon" disabled aria-label="No later week yet">
          <ChevronRight aria-hidden="true" />
        </Button>
      )}
    </nav>
  );
}

function WeekNoticeBanner({ notice, shown }: { notice: WeekNotice; shown: string }) {
  return (
    <p role="status" className="rounded-lg border border-warning/50 bg-warning/10 px-4 py-3 text-sm">
      {notice.reason === 'future' ? `${notice.asked} has not started yet` : `“${notice.asked}” is not a week (weeks look like 2026-W47)`}; showing {shown}, the last
      complete week.
    </p>
  );
}

function TopMovers({ review, weekRange }: { review: WeeklyReview; weekRange: { from: string; to: string } }) {
  const shares = moveShares(review.topMovers);
  return (
    <Card className="print-break-avoid gap-3">
      <CardHeader>
        <CardTitle className="text-base">Top movers</CardTitle>
        <CardDescription>The features whose spend moved most in dollars, up or down.</CardDescription>
      </CardHeader>
      <CardContent>
        {review.topMovers.length === 0 ? (
          <p className="text-sm text-muted-foreground">No feature’s spend moved.</p>
        ) : (
          <ol className="grid gap-3" data-testid="weekly-top-movers">
            {review.topMovers.map((row, index) => (
              <li key={row.feature} className="grid gap-1" data-testid={`weekly-mover-${row.feature}`}>
                <div className="flex flex-wrap items-baseline justify-between gap-x-3 text-sm">
                  <Link
                    href={`/features/${encodeURIComponent(row.feature)}?from=${weekRange.from}&to=${weekRange.to}`}
                    className="min-w-0 font-medium wrap-anywhere underline-offset-4 hover:underline"
                  >
                    {row.name}
                  </Link>
                  <span className="flex items-baseline gap-2 text-muted-foreground">
                    <ChangeFigure change={row.change} className="font-medium text-foreground" />
                    <span className="tabular">{weekSpendText(row.thisWeekUsd, row.thisWeekUnpriced, row.thisWeekRequests)} this week</span>
                  </span>
                </div>
                <div className="h-1.5 rounded-full bg-muted" aria-hidden="true">
                  <div
                    className={cn('h-full rounded-full [print-color-adjust:exact]', row.change.direction === 'up' ? 'bg-destructive/70' : 'bg-success/70')}
                    style={{ width: `${Math.max(2, (shares[index] ?? 0) * 100)}%` }}
                  />
                </div>
              </li>
            ))}
          </ol>
        )}
      </CardContent>
    </Card>
  );
}

function NewThisWeek({ review }: { review: WeeklyReview }) {
  return (
    <Card className="print-break-avoid gap-3">
      <CardHeader>
        <CardTitle className="text-base">New this week</CardTitle>
        <CardDescription>Features and models with calls this week and none the week before.</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4 text-sm">
        <div>
          <h3 className="mb-1.5 font-medium">Features</h3>
          {review.newFeatures.length === 0 ? (
            <p className="text-muted-foreground">No new feature.</p>
          ) : (
            <ul className="grid gap-1" data-testid="weekly-new-features">
              {review.newFeatures.map((row) => (
                <li key={row.feature} className="flex flex-wrap justify-between gap-x-3">
                  <span className="font-medium wrap-anywhere">{row.name}</span>
                  <span className="tabular text-muted-foreground">
                    {spendWithCalls(row.thisWeekUsd, row.thisWeekUnpriced, row.thisWeekRequests)}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </div>
        <div>
          <h3 className="mb-1.5 font-medium">Models</h3>
          {review.newModels.length === 0 ? (
            <p className="text-muted-foreground">No new model.</p>
          ) : (
            <ul className="grid gap-1" data-testid="weekly-new-models">
              {review.newModels.map((row) => (
                <li key={row.model} className="flex flex-wrap justify-between gap-x-3">
                  <code className="font-mono text-xs wrap-anywhere">{row.model}</code>
                  <span className="tabular text-muted-foreground">
                    {spendWithCalls(row.thisWeekUsd, row.unpricedRequests, row.requests)}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </div>
        {review.stoppedFeatures.length > 0 ? (
          <div>
            <h3 className="mb-1.5 font-medium">No calls this week</h3>
            <p className="text-muted-foreground">{review.stoppedFeatures.map((row) => row.name).join(', ')}</p>
          </div>
        ) : null}
      </CardContent>
    </Card>
  );
}

/** The three largest savings of `/savings`, with their dollars a month, for the meeting to pick from. */
function TopSavings({ review }: { review: WeeklyReview }) {
  return (
    <Card className="print-break-avoid gap-3">
      <CardHeader>
        <CardTitle className="text-base">Top savings</CardTitle>
        <CardDescription>
          The largest savings in the team’s own calls, a month each.{' '}
          <Link href="/savings" className="text-primary underline underline-offset-4 print:hidden">
            Every saving and the projection
          </Link>
        </CardDescription>
      </CardHeader>
      <CardContent>
        {review.topSavings.length === 0 ? (
          <p className="text-sm text-muted-foreground">No saving found.</p>
        ) : (
          <ol className="grid gap-2 text-sm" data-testid="weekly-top-savings">
            {review.topSavings.map((insight) => (
              <li key={insight.id} className="flex items-baseline justify-between gap-3 border-b pb-2 last:border-b-0 last:pb-0" data-testid={`weekly-saving-${insight.id}`}>
                <span className="flex min-w-0 flex-wrap items-baseline gap-x-3 gap-y-1">
                  <span className="font-medium wrap-anywhere">{insight.title}</span>
                  <Badge variant="secondary">{strategyLabel(insight.strategy)}</Badge>
                  <span className="text-muted-foreground wrap-anywhere">{insightScope(insight)}</span>
                </span>
                <span className="shrink-0 tabular font-semibold whitespace-nowrap" data-testid={`weekly-saving-usd-${insight.id}`}>
                  {money(insight.monthlySavingUsd)} a month
                </span>
              </li>
            ))}
          </ol>
        )}
      </CardContent>
    </Card>
  );
}

function WeekAlerts({ review, rules }: { review: WeeklyReview; rules: Parameters<typeof weeklyAlertRows>[1] }) {
  const rows = weeklyAlertRows(review.alerts, rules, review.timezone);
  return (
    <Card className="print-break-avoid gap-3">
      <CardHeader>
        <CardTitle className="text-base">Alerts this week</CardTitle>
        <CardDescription>Every alert episode open at some time during the week.</CardDescription>
      </CardHeader>
      <CardContent>
        {rows.length === 0 ? (
          <p className="text-sm text-muted-foreground">No alert fired this week.</p>
        ) : (
          <ul className="grid gap-2 text-sm" data-testid="weekly-alerts">
            {rows.map((row) => (
              <li key={row.episodeId} className="flex flex-wrap items-baseline gap-x-3 gap-y-1 border-b pb-2 last:border-b-0 last:pb-0">
                <Link href={`/alerts/${encodeURIComponent(row.episodeId)}`} className="font-medium underline-offset-4 hover:underline">
                  {row.title}
                </Link>
                <span className="text-muted-foreground wrap-anywhere">{row.scope}</span>
                <Badge variant={row.severity === 'critical' ? 'outline' : 'warning'}>{row.severity === 'critical' ? 'Critical' : 'Warning'}</Badge>
                <span className="tabular text-muted-foreground sm:ml-auto">
                  {row.started} → {row.resolved}
                </span>
              </li>
            ))}
          </ul>
        )}
      </CardContent>
    </Card>
  );
}
