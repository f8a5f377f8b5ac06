import { localTime, startOfLocalDay } from '@costscope/core';
import { ArrowLeft, ArrowRight } from 'lucide-react';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { StackedCostChart } from '@/components/charts/stacked-cost-chart';
import { PageHeader } from '@/components/page-header';
import { ApiErrorBanner, Stat } from '@/components/states';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { api } from '@/lib/api/client';
import type { CostDimension } from '@/lib/api/types';
import { stackTopSeries } from '@/lib/chart-data';
import { dateTime, shortDay } from '@/lib/format';
import { alertRuleSettings } from '@/lib/server/alert-rules';
import { load, param, projectInfo, type PageSearchParams } from '@/lib/server/page-data';
import { comparisonText, deliverySummary, durationText, episodeContextLink, isAlertRuleId, parseScope, readEpisodeValues, ruleTitle, RULE_SHORT_NAMES } from '@/lib/shape/alerts';
import { daysOfRange } from '@/lib/time-range';
import { DeliveryList, EpisodeBadges, ScopeText } from '../episode-parts';

/**
 * One alert episode: what every alert message links to (`/alerts/<episode>?project=<project>`).
 * It opens on the figures that fired it, the days around it drawn from the same scope, the page
 * to look into it with the right range, and what each message's delivery did.
 */
export default async function AlertEpisodePage({ params, searchParams }: { params: Promise<{ episodeId: string }>; searchParams: PageSearchParams }) {
  const { episodeId } = await params;
  const linkedProject = param(await searchParams, 'project');
  const now = new Date();
  const loaded = await load(async () => {
    const [project, episode, rules] = await Promise.all([projectInfo(), api.alert(episodeId), alertRuleSettings()]);
    const context = episodeContextLink(episode, project.timezone, now);
    const scope = parseScope(episode.scope);
    // Project-wide: which features moved; one feature: which models; narrower: which endpoints.
    const groupBy: CostDimension = scope.feature === undefined ? 'feature' : scope.model === undefined && scope.endpoint === undefined ? 'model' : 'endpoint';
    const range = { from: startOfLocalDay(context.from, project.timezone), to: startOfLocalDay(context.to, project.timezone) };
    const costs = await api.costs({ ...range, groupBy: [groupBy], interval: 'day', filters: context.filters });
    return { project, episode, rules, context, scope, groupBy, range, costs };
  });
  if (!loaded.ok) {
    if (loaded.error.status === 404) notFound();
    return (
      <>
        <PageHeader title="Alert" />
        <ApiErrorBanner message={loaded.error.message} at={loaded.error.at} />
      </>
    );
  }
  const { project, episode, rules, context, scope, groupBy, range, costs } = loaded.data;
  const timezone = project.timezone;
  const { reason, comparison } = readEpisodeValues(episode.values);
  const figures = comparison ? comparisonText(comparison) : null;
  const days = daysOfRange(range, timezone);
  const chart = stackTopSeries(costs.rows, { dimension: groupBy, buckets: days, bucketOf: (iso) => localTime(new Date(iso), timezone).day });
  const startDay = localTime(new Date(episode.startedAt), timezone).day;
  const deliveries = episode.deliveries ?? [];
  const title = ruleTitle(episode.rule, rules);

  return (
    <>
      <PageHeader title={title} description={<ScopeText scope={scope} />}>
        <Button asChild variant="ghost" size="sm">
          <Link href="/alerts">
            <ArrowLeft aria-hidden="true" />
            All alerts
          </Link>
        </Button>
      </PageHeader>
      <div className="grid grid-cols-1 gap-6">
        {linkedProject && linkedProject !== project.projectId ? (
          <p role="status" className="rounded-lg border border-warning/50 bg-warning/10 px-4 py-3 text-sm">
            This link names project <code className="font-mono">{linkedProject}</code>; this dashboard reads project{' '}
            <code className="font-mono">{project.projectId}</code>.
          </p>
        ) : null}
        <Card>
          <CardHeader className="gap-3">
            <EpisodeBadges episode={episode} />
            <CardTitle className="text-lg leading-snug first-letter:uppercase" data-testid="alert-reason">
              {reason ?? title}
            </CardTitle>
            <CardDescription className="tabular">
              Started {dateTime(episode.startedAt, timezone)} ({timezone})
              {episode.resolvedAt
                ? `, resolved ${dateTime(episode.resolvedAt, timezone)} after ${durationText(episode.startedAt, episode.resolvedAt)}`
                : `, firing for ${durationText(episode.startedAt, now.toISOString())}`}
              {episode.lastNotifiedAt ? ` · last message ${dateTime(episode.lastNotifiedAt, timezone)}` : ''}
            </CardDescription>
          </CardHeader>
          <CardContent className="flex flex-wrap gap-2">
            <Button asChild>
              <Link href={context.href} data-testid="alert-context-link">
                {context.label}
                <ArrowRight aria-hidden="true" />
              </Link>
            </Button>
            {isAlertRuleId(episode.rule) ? (
              <Button asChild variant="outline">
                <Link href={`/alerts?rule=${episode.rule}`}>All “{RULE_SHORT_NAMES[episode.rule]}” alerts</Link>
              </Button>
            ) : null}
            <Button asChild variant="outline">
              <Link href={episode.rule === 'featureAllocation' ? '/settings#allocations' : '/settings#rules'}>
                {episode.rule === 'featureAllocation' ? 'Allocations' : 'Rule settings'}
              </Link>
            </Button>
          </CardContent>
        </Card>

        {figures ? (
          <section aria-labelledby="figures-heading" className="grid grid-cols-1 gap-3">
            <h2 id="figures-heading" className="text-base font-semibold">
              {episode.status === 'resolved' ? 'Figures when it cleared' : 'The figures that fired it'}
            </h2>
            <div className="grid gap-4 sm:grid-cols-3">
              <Stat label="Measured" value={<span data-testid="alert-value">{figures.value}</span>} hint={figures.valueLabel} />
              <Stat label="Compared with" value={<span data-testid="alert-reference">{figures.reference}</span>} hint={figures.referenceLabel} />
              {figures.ratio ? <Stat label="Ratio" value={<span data-testid="alert-ratio">{figures.ratio}</span>} hint={`of the ${figures.referenceLabel}`} /> : null}
            </div>
          </section>
        ) : null}

        <Card>
          <CardHeader>
            <CardTitle className="text-base">Daily cost of this scope</CardTitle>
            <CardDescription>
              {context.label.split(', ').slice(1).join(', ')} by {groupBy}; the dot marks the day it fired ({shortDay(startDay)}).
            </CardDescription>
          </CardHeader>
          <CardContent>
            {costs.totals.requests === 0 ? (
              <p className="text-sm text-muted-foreground">No calls in this scope over these days.</p>
            ) : (
              <StackedCostChart
                points={chart.points}
                series={chart.series}
                markers={[{ bucket: startDay, label: 'Alert fired' }]}
                height={260}
                ariaLabel={`Daily cost of ${scope.feature ?? 'the project'} by ${groupBy}, ${context.from} to ${context.to}`}
              />
            )}
          </CardContent>
        </Card>

        <Card>
          <CardHeader>
            <CardTitle className="text-base">Messages</CardTitle>
            <CardDescription>{deliverySummary(deliveries)}</CardDescription>
          </CardHeader>
          {deliveries.length > 0 ? (
            <CardContent>
              <DeliveryList deliveries={deliveries} timezone={timezone} />
            </CardContent>
          ) : null}
        </Card>
      </div>
    </>
  );
}
