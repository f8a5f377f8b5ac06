import { CheckCircle2, CircleAlert, Clock, XCircle } from 'lucide-react';
import { Badge } from '@/components/ui/badge';
import type { AlertDelivery, AlertEpisode } from '@/lib/api/types';
import { dateTime } from '@/lib/format';
import { channelLabel, comparisonText, DELIVERY_STATUS_LABELS, deliveriesInOrder, MESSAGE_KIND_LABELS, readEpisodeValues, scopeParts, type AlertScope } from '@/lib/shape/alerts';
import { cn } from '@/lib/utils';

/** Firing or resolved, and how bad: the two things a reader scans a list of alerts for. */
export function EpisodeBadges({ episode }: { episode: Pick<AlertEpisode, 'status' | 'severity'> }) {
  return (
    <span className="flex flex-wrap items-center gap-1.5">
      {episode.status === 'firing' ? (
        <Badge variant="destructive">
          <CircleAlert className="size-3" aria-hidden="true" />
          Firing
        </Badge>
      ) : (
        <Badge variant="success">
          <CheckCircle2 className="size-3" aria-hidden="true" />
          Resolved
        </Badge>
      )}
      <Badge variant={episode.severity === 'critical' ? 'outline' : 'warning'} className={cn(episode.severity === 'critical' && 'border-destructive/60 text-destructive')}>
        {episode.severity === 'critical' ? 'Critical' : 'Warning'}
      </Badge>
    </span>
  );
}

/** "feature search · endpoint /api/search" with the values set apart, or "Whole project". */
export function ScopeText({ scope }: { scope: AlertScope }) {
  const parts = scopeParts(scope);
  if (parts.length === 0) return <span>Whole project</span>;
  return (
    <span className="flex flex-wrap items-center gap-x-1.5 gap-y-1">
      {parts.map(({ dimension, value }, index) => (
        <span key={dimension} className="inline-flex items-center gap-1">
          {index > 0 ? (
            <span aria-hidden="true" className="text-muted-foreground">
              ·
            </span>
          ) : null}
          <span className="text-muted-foreground">{dimension}</span>
          <code className="rounded bg-muted px-1.5 py-0.5 font-mono text-xs wrap-anywhere">{value}</code>
        </span>
      ))}
    </span>
  );
}

/**
 * The rule's own sentence when it fired, and the figures it compared: "$13.81 month to date
 * against $12.00 monthly allocation (115%)". The scheduler keeps the figures of the episode's
 * latest message, so a resolved episode shows those that cleared it, and says so.
 */
export function EpisodeFigures({ values, resolved, testId }: { values: unknown; resolved: boolean; testId?: string }) {
  const { reason, comparison } = readEpisodeValues(values);
  const figures = comparison ? comparisonText(comparison) : null;
  if (!reason && !figures) return <p className="text-sm text-muted-foreground">The figures of this episode were not recorded.</p>;
  return (
    <div className="grid gap-1 text-sm">
      {reason ? <p className="first-letter:uppercase">{reason}</p> : null}
      {figures ? (
        <p className="text-muted-foreground" data-testid={testId}>
          {resolved ? 'When it cleared: ' : ''}
          <strong className="font-semibold text-foreground tabular">{figures.value}</strong> {figures.valueLabel} against{' '}
          <strong className="font-semibold text-foreground tabular">{figures.reference}</strong> {figures.referenceLabel}
          {figures.ratio ? ` (${figures.ratio})` : ''}
        </p>
      ) : null}
    </div>
  );
}

const STATUS_ICON = { sent: CheckCircle2, failed: XCircle, pending: Clock } as const;
const STATUS_CLASS = { sent: 'text-success', failed: 'text-destructive', pending: 'text-warning' } as const;

/** Each message's outcome per channel: what went out, what failed and why, oldest first. */
export function DeliveryList({ deliveries, timezone }: { deliveries: readonly AlertDelivery[]; timezone: string }) {
  return (
    <ul className="grid gap-1.5 text-sm">
      {deliveriesInOrder(deliveries).map((delivery) => {
        const Icon = STATUS_ICON[delivery.status];
        return (
          <li key={delivery.deliveryId} className="flex flex-wrap items-start gap-x-2 gap-y-0.5" data-testid={`delivery-${delivery.channel}-${delivery.messageKind}`}>
            <Icon className={cn('mt-0.5 size-4 shrink-0', STATUS_CLASS[delivery.status])} aria-hidden="true" />
            <span className="font-medium">{channelLabel(delivery.channel)}</span>
            <span className="text-muted-foreground">{MESSAGE_KIND_LABELS[delivery.messageKind]} message</span>
            <span className="font-medium">{DELIVERY_STATUS_LABELS[delivery.status]}</span>
            <span className="text-muted-foreground tabular">
              {delivery.attempts} attempt{delivery.attempts === 1 ? '' : 's'} · {dateTime(delivery.updatedAt, timezone)}
            </span>
            {delivery.error ? <span className="basis-full pl-6 text-xs break-words text-muted-foreground">{delivery.error}</span> : null}
          </li>
        );
      })}
    </ul>
  );
}
