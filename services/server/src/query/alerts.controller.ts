import { Controller, Get, Inject, NotFoundException, Param, Query, UseInterceptors } from '@nestjs/common';
import { z } from 'zod';
import { RequiresScope } from '../auth/requires-scope.js';
import { parseBody } from '../http/parse-body.js';
import { ProjectId } from '../http/project-request.js';
import { getAlertEpisode, listAlertDeliveries, listAlertEpisodes, type AlertDeliveryRecord, type AlertEpisodeRecord } from '../storage/alert-episodes.js';
import { listAlertMessages } from '../storage/alert-messages.js';
import { CLICKHOUSE_TRANSPORT } from '../storage/storage.module.js';
import type { ClickHouseTransport } from '../storage/transport.js';
import type { AlertsResponse, AlertWithDeliveries } from './response-schemas.js';
import { QueryCancellationInterceptor } from './query-cancellation.interceptor.js';

export const alertParamsSchema = z
  .object({
    from: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
    to: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
    status: z.enum(['firing', 'resolved']).optional(),
    limit: z.coerce.number().int().min(1).max(1000).optional(),
  })
  .strict();

export function episodeJson(episode: AlertEpisodeRecord) {
  return {
    episodeId: episode.episodeId,
    rule: episode.rule,
    scope: episode.scope,
    status: episode.status,
    severity: episode.severity,
    startedAt: episode.startedAt.toISOString(),
    resolvedAt: episode.resolvedAt?.toISOString() ?? null,
    lastNotifiedAt: episode.lastNotifiedAt?.toISOString() ?? null,
    values: episode.values,
  };
}

/** The providers' ids (Slack's `ts`, the email's Message-ID) by `<delivery key>:<channel>`, from the outbox. */
async function providerMessageIds(transport: ClickHouseTransport, projectId: string, deliveryKeys: string[]): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  if (deliveryKeys.length === 0) return ids;
  for (const message of await listAlertMessages(transport, { projectId, deliveryKeys })) {
    const outcomes = Array.isArray(message.outcomes) ? (message.outcomes as Array<{ channel?: unknown; providerMessageId?: unknown }>) : [];
    for (const outcome of outcomes) {
      if (typeof outcome.providerMessageId === 'string') ids.set(`${message.deliveryKey}:${String(outcome.channel)}`, outcome.providerMessageId);
    }
  }
  return ids;
}

function deliveryKeyOf(delivery: AlertDeliveryRecord): string {
  const separator = delivery.deliveryId.lastIndexOf(':');
  return separator > 0 ? delivery.deliveryId.slice(0, separator) : delivery.deliveryId;
}

function deliveryJson(delivery: AlertDeliveryRecord, providerIds: ReadonlyMap<string, string>) {
  // The scheduler names each delivery `<delivery key>:<channel>`: the key is the message's identity.
  return {
    deliveryId: delivery.deliveryId,
    deliveryKey: deliveryKeyOf(delivery),
    channel: delivery.channel,
    messageKind: delivery.messageKind,
    /** `pending` until the channel was tried, then `sent` or `failed` (with the last error). */
    status: delivery.status,
    attempts: delivery.attempts,
    error: delivery.error === '' ? null : delivery.error,
    providerMessageId: delivery.status === 'sent' ? (providerIds.get(delivery.deliveryId) ?? null) : null,
    createdAt: delivery.createdAt.toISOString(),
    updatedAt: delivery.updatedAt.toISOString(),
  };
}

@Controller('api/v1/alerts')
@RequiresScope('read')
@UseInterceptors(QueryCancellationInterceptor)
export class AlertsController {
  constructor(@Inject(CLICKHOUSE_TRANSPORT) private readonly transport: ClickHouseTransport) {}

  /** Alert episodes (default: the last 30 days), newest first, each with its deliveries. */
  @Get()
  async alerts(@ProjectId() projectId: string, @Query() query: Record<string, unknown>): Promise<AlertsResponse> {
    const params = parseBody(alertParamsSchema, query, 'query');
    const to = params.to ? new Date(params.to) : new Date();
    const from = params.from ? new Date(params.from) : new Date(to.getTime() - 30 * 86_400_000);
    const episodes = await listAlertEpisodes(this.transport, { projectId, from, to, status: params.status, limit: params.limit });
    return { alerts: await this.withDeliveries(projectId, episodes) };
  }

  /** One episode with its deliveries: what the link in every alert message opens. */
  @Get(':episodeId')
  async alert(@ProjectId() projectId: string, @Param('episodeId') episodeId: string): Promise<AlertWithDeliveries | undefined> {
    const episode = await getAlertEpisode(this.transport, { projectId, episodeId });
    if (!episode) throw new NotFoundException(`No alert episode ${episodeId} in this project`);
    const [withDeliveries] = await this.withDeliveries(projectId, [episode]);
    return withDeliveries;
  }

  private async withDeliveries(projectId: string, episodes: AlertEpisodeRecord[]) {
    const deliveries =
      episodes.length === 0
        ? []
        : await listAlertDeliveries(this.transport, { projectId, episodeIds: episodes.map((e) => e.episodeId) });
    const providerIds = await providerMessageIds(this.transport, projectId, [...new Set(deliveries.map(deliveryKeyOf))]);
    return episodes.map((episode) => ({
      ...episodeJson(episode),
      deliveries: deliveries.filter((d) => d.episodeId === episode.episodeId).map((d) => deliveryJson(d, providerIds)),
    }));
  }
}
