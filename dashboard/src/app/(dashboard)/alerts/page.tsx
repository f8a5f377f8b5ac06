import { BellOff } from 'lucide-react';
import Link from 'next/link';
import { PageHeader } from '@/components/page-header';
import { rangePickerDays } from '@/lib/time-range';
import { RangePicker } from '@/components/range-picker';
import { ApiErrorBanner, Stat } from '@/components/states';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { api } from '@/lib/api/client';
import { dateTime } from '@/lib/format';
import { alertRuleSettings } from '@/lib/server/alert-rules';
import { load, pageRange, param, type PageSearchParams } from '@/lib/server/page-data';
import {
  ALERT_RULE_IDS,
  alertCounts,
  deliverySummary,
  durationText,
  episodeContextLink,
  filterEpisodes,
  parseScope,
  readAlertFilters,
  ruleTitle,
  RULE_SHORT_NAMES,
} from '@/lib/shape/alerts';
import { AlertFilters } from './alert-filters';
import { DeliveryList, EpisodeBadges, EpisodeFigures, ScopeText } from './episode-parts';

/** The most episodes one page asks for; the API's own ceiling is 1,000. */
const EPISODE_LIMIT = 500;

export default async function AlertsPage({ searchParams }: { searchParams: PageSearchParams }) {
  const params = await searchParams;
  const filters = readAlertFilters({ status: param(params, 'status'), rule: param(params, 'rule') });
  const loaded = await load(async () => {
    const { project, range } = await pageRange(params, '30d');
    const [answer, rules] = await Promise.all([
      api.alerts({ from: range.from, to: range.to, status: filters.status, limit: EPISODE_LIMIT }),
      alertRuleSettings(),
    ]);
    return { project, range, episodes: answer.alerts, rules };
  });
  if (!loaded.ok) {
    return (
      <>
        <PageHeader title="Alerts" />
        <ApiErrorBanner message={loaded.error.message} at={loaded.error.at} />
      </>
    );
  }
  const { project, range, rules } = loaded.data;
  const now = new Date();
  const episodes = filterEpisodes(loaded.data.episodes, filters);
  const counts = alertCounts(episodes);
  const timezone = project.timezone;

  return (
    <>
      <PageHeader title="Alerts" description={`${range.label} · times in ${timezone}`}>
        <AlertFilters status={filters.status ?? ''} rule={filters.rule ?? ''} rules={ALERT_RULE_IDS.map((id) => ({ id, name: RULE_SHORT_NAMES[id] }))} />
        <RangePicker preset={range.preset} {...rangePickerDays(range)} />
      </PageHeader>
      <div className="grid gap-6">
        <div className="grid grid-cols-2 gap-4 xl:grid-cols-4">
          <Stat label="Firing now" value={<span data-testid="alerts-firing">{counts.firing}</span>} />
          <Stat label="Episodes in range" value={<span data-testid="alerts-total">{counts.total}</span>} />
          <Stat label="Critical" value={<span data-testid="alerts-critical">{counts.critical}</span>} />
          <Stat label="Failed deliveries" value={<span data-testid="alerts-failed-deliveries">{counts.failedDeliveries}</span>} />
        </div>
        {loaded.data.episodes.length >= EPISODE_LIMIT ? (
          <p role="status" className="text-sm text-muted-foreground">
            Showing the newest {EPISODE_LIMIT} episodes of this range; narrow the range to see older ones.
          </p>
        ) : null}
        {episodes.length === 0 ? (
          <Card>
            <CardHeader>
              <CardTitle className="flex items-center gap-2 text-base">
                <BellOff className="size-4 text-muted-foreground" aria-hidden="true" />
                No {filters.status ? `${filters.status} ` : ''}alerts{filters.rule ? ` for “${RULE_SHORT_NAMES[filters.rule]}”` : ''} in this range
              </CardTitle>
              <CardDescription>
                Costscope checks the rules every few minutes and lists each episode here, from the evaluation that found it firing to the one
                that found it clear, with every message it sent.
              </CardDescription>
            </CardHeader>
            <CardContent className="text-sm">
              <Link href="/settings#rules" className="font-medium text-primary underline-offset-4 hover:underline">
                Review the alert rules and channels
              </Link>
            </CardContent>
          </Card>
        ) : (
          <ol className="grid gap-4" aria-label="Alert episodes, newest first">
            {episodes.map((episode) => {
              const context = episodeContextLink(episode, timezone, now);
              const deliveries = episode.deliveries ?? [];
              return (
                <li key={episode.episodeId}>
                  <Card className="gap-3" data-testid={`alert-${episode.episodeId}`}>
                    <CardHeader className="gap-2">
                      <div className="flex flex-wrap items-start justify-between gap-2">
                        <h2 className="text-base leading-snug font-semibold">
                          <Link href={`/alerts/${encodeURIComponent(episode.episodeId)}`} className="underline-offset-4 hover:underline">
                            {ruleTitle(episode.rule, rules)}
                          </Link>
                        </h2>
                        <EpisodeBadges episode={episode} />
                      </div>
                      <div className="text-sm">
                        <ScopeText scope={parseScope(episode.scope)} />
                      </div>
                    </CardHeader>
                    <CardContent className="grid gap-3">
                      <EpisodeFigures values={episode.values} resolved={episode.status === 'resolved'} testId={`alert-figures-${episode.episodeId}`} />
                      <p className="text-sm text-muted-foreground tabular">
                        Started {dateTime(episode.startedAt, timezone)}
                        {episode.resolvedAt
                          ? ` · resolved ${dateTime(episode.resolvedAt, timezone)}, after ${durationText(episode.startedAt, episode.resolvedAt)}`
                          : ` · firing for ${durationText(episode.startedAt, now.toISOString())}`}
                      </p>
                      <details className="group text-sm">
                        <summary className="cursor-pointer rounded-sm text-muted-foreground outline-none hover:text-foreground focus-visible:ring-[3px] focus-visible:ring-ring/50">
                          Messages: {deliverySummary(deliveries)}
                        </summary>
                        {deliveries.length > 0 ? (
                          <div className="mt-2 pl-1">
                            <DeliveryList deliveries={deliveries} timezone={timezone} />
                          </div>
                        ) : null}
                      </details>
                      <div className="flex flex-wrap gap-x-4 gap-y-1 text-sm">
                        <Link href={context.href} className="font-medium text-primary underline-offset-4 hover:underline">
                          {context.label}
                        </Link>
                        <Link href={`/alerts/${encodeURIComponent(episode.episodeId)}`} className="font-medium text-primary underline-offset-4 hover:underline">
                          Details<span className="sr-only"> of this alert</span>
                        </Link>
                      </div>
                    </CardContent>
                  </Card>
                </li>
              );
            })}
          </ol>
        )}
      </div>
    </>
  );
}
