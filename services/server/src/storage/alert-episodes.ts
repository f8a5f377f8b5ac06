import { CostscopeStorageError } from './errors.js';
import { requireProjectId, toClickHouseTime, toCount } from './query-support.js';
import type { ClickHouseTransport } from './transport.js';

export type AlertEpisodeRecord = {
  projectId: string;
  episodeId: string;
  /** Rule id: `dailySpendSpike`, `featureAllocation`, `errorRate`, `outputTokenDrift`… */
  rule: string;
  /** What the episode is about: `project`, `feature:search`… */
  scope: string;
  status: 'firing' | 'resolved';
  severity: 'warning' | 'critical';
  startedAt: Date;
  resolvedAt: Date | null;
  lastNotifiedAt: Date | null;
  /** The figures that made the rule fire (JSON-serializable; money as decimal strings). */
  values: Record<string, unknown>;
  updatedAt: Date;
};

export type AlertDeliveryRecord = {
  projectId: string;
  episodeId: string;
  deliveryId: string;
  /** `slack`, `email`, `webhook`… */
  channel: string;
  messageKind: 'fired' | 'repeat' | 'escalated' | 'resolved';
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  error: string;
  createdAt: Date;
  updatedAt: Date;
};

const nullableTime = (date: Date | null): string | null => (date ? toClickHouseTime(date) : null);
const fromMs = (value: string | number | null): Date | null => (value === null ? null : new Date(toCount(value)));
const msColumn = (column: string): string =>
  `if(${column} IS NULL, NULL, toUnixTimestamp64Milli(assumeNotNull(${column}))) AS ${column}_ms`;

/**
 * Writes the episode's current state. Each write is a new version (`updatedAt`); reads return
 * the newest, so callers write the whole episode every time it changes.
 */
export async function saveAlertEpisode(transport: ClickHouseTransport, episode: AlertEpisodeRecord): Promise<void> {
  const operation = 'alerts.saveEpisode';
  requireProjectId(operation, episode.projectId);
  if (!episode.episodeId) throw new CostscopeStorageError(operation, 'invalid', 'episodeId is required');
  await transport.command({
    sql: `INSERT INTO alert_episodes (project_id, episode_id, rule, scope, status, severity, started_at, resolved_at,
            last_notified_at, values_json, updated_at)
          SELECT {projectId:String}, {episodeId:String}, {rule:String}, {scope:String}, {status:String}, {severity:String},
            {startedAt:DateTime64(3, 'UTC')}, {resolvedAt:Nullable(DateTime64(3, 'UTC'))},
            {lastNotifiedAt:Nullable(DateTime64(3, 'UTC'))}, {valuesJson:String}, {updatedAt:DateTime64(3, 'UTC')}`,
    params: {
      projectId: episode.projectId,
      episodeId: episode.episodeId,
      rule: episode.rule,
      scope: episode.scope,
      status: episode.status,
      severity: episode.severity,
      startedAt: toClickHouseTime(episode.startedAt),
      resolvedAt: nullableTime(episode.resolvedAt),
      lastNotifiedAt: nullableTime(episode.lastNotifiedAt),
      valuesJson: JSON.stringify(episode.values),
      updatedAt: toClickHouseTime(episode.updatedAt),
    },
    tag: { operation, projectId: episode.projectId },
    quorum: true,
  });
}

type EpisodeRow = {
  project_id: string;
  episode_id: string;
  rule: string;
  scope: string;
  status: string;
  severity: string;
  started_at_ms: string | number;
  resolved_at_ms: string | number | null;
  last_notified_at_ms: string | number | null;
  values_json: string;
  updated_at_ms: string | number;
};

const SELECT_EPISODE = `SELECT project_id, episode_id, rule, scope, status, severity,
  toUnixTimestamp64Milli(started_at) AS started_at_ms, ${msColumn('resolved_at')}, ${msColumn('last_notified_at')},
  values_json, toUnixTimestamp64Milli(updated_at) AS updated_at_ms
  FROM alert_episodes FINAL`;

function toEpisode(row: EpisodeRow): AlertEpisodeRecord {
  return {
    projectId: row.project_id,
    episodeId: row.episode_id,
    rule: row.rule,
    scope: row.scope,
    status: row.status === 'resolved' ? 'resolved' : 'firing',
    severity: row.severity === 'critical' ? 'critical' : 'warning',
    startedAt: new Date(toCount(row.started_at_ms)),
    resolvedAt: fromMs(row.resolved_at_ms),
    lastNotifiedAt: fromMs(row.last_notified_at_ms),
    values: JSON.parse(row.values_json) as Record<string, unknown>,
    updatedAt: new Date(toCount(row.updated_at_ms)),
  };
}

/** The firing episode of a rule on a scope, if any: what the evaluator continues or resolves. */
export async function findFiringEpisode(
  transport: ClickHouseTransport,
  input: { projectId: string; rule: string; scope: string },
): Promise<AlertEpisodeRecord | undefined> {
  const operation = 'alerts.findFiring';
  requireProjectId(operation, input.projectId);
  const [row] = await transport.query<EpisodeRow>({
    sql: `${SELECT_EPISODE}
          WHERE project_id = {projectId:String} AND rule = {rule:String} AND scope = {scope:String} AND status = 'firing'
          ORDER BY started_at DESC LIMIT 1`,
    params: input,
    tag: { operation, projectId: input.projectId },
    quorum: true,
  });
  return row ? toEpisode(row) : undefined;
}

/** One episode of the project by id (the link every alert message carries), or undefined. */
export async function getAlertEpisode(
  transport: ClickHouseTransport,
  input: { projectId: string; episodeId: string },
): Promise<AlertEpisodeRecord | undefined> {
  const operation = 'alerts.getEpisode';
  requireProjectId(operation, input.projectId);
  const [row] = await transport.query<EpisodeRow>({
    sql: `${SELECT_EPISODE}
          WHERE project_id = {projectId:String} AND episode_id = {episodeId:String}
          LIMIT 1`,
    params: input,
    tag: { operation, projectId: input.projectId },
    quorum: true,
  });
  return row ? toEpisode(row) : undefined;
}

/** Episodes that overlap [from, to), newest first, optionally only one status. */
export async function listAlertEpisodes(
  transport: ClickHouseTransport,
  input: { projectId: string; from: Date; to: Date; status?: 'firing' | 'resolved'; limit?: number },
): Promise<AlertEpisodeRecord[]> {
  const operation = 'alerts.listEpisodes';
  requireProjectId(operation, input.projectId);
  const rows = await transport.query<EpisodeRow>({
    sql: `${SELECT_EPISODE}
          WHERE project_id = {projectId:String}
            AND started_at < {to:DateTime64(3, 'UTC')}
            AND (resolved_at IS NULL OR resolved_at >= {from:DateTime64(3, 'UTC')})
            AND ({status:String} = '' OR status = {status:String})
          ORDER BY started_at DESC, episode_id
          LIMIT {limit:UInt32}`,
    params: {
      projectId: input.projectId,
      from: toClickHouseTime(input.from),
      to: toClickHouseTime(input.to),
      status: input.status ?? '',
      limit: input.limit ?? 500,
    },
    tag: { operation, projectId: input.projectId },
    quorum: true,
  });
  return rows.map(toEpisode);
}

/** Writes a delivery's current state (new version on each change). */
export async function saveAlertDelivery(transport: ClickHouseTransport, delivery: AlertDeliveryRecord): Promise<void> {
  const operation = 'alerts.saveDelivery';
  requireProjectId(operation, delivery.projectId);
  await transport.command({
    sql: `INSERT INTO alert_deliveries (project_id, episode_id, delivery_id, channel, message_kind, status, attempts, error,
            created_at, updated_at)
          SELECT {projectId:String}, {episodeId:String}, {deliveryId:String}, {channel:String}, {messageKind:String},
            {status:String}, {attempts:UInt16}, {error:String}, {createdAt:DateTime64(3, 'UTC')}, {updatedAt:DateTime64(3, 'UTC')}`,
    params: {
      projectId: delivery.projectId,
      episodeId: delivery.episodeId,
      deliveryId: delivery.deliveryId,
      channel: delivery.channel,
      messageKind: delivery.messageKind,
      status: delivery.status,
      attempts: delivery.attempts,
      error: delivery.error,
      createdAt: toClickHouseTime(delivery.createdAt),
      updatedAt: toClickHouseTime(delivery.updatedAt),
    },
    tag: { operation, projectId: delivery.projectId },
    quorum: true,
  });
}

/**
 * Deliveries of a project, newest state of each; with `episodeIds` only theirs, with
 * `status` only pending or failed ones (what the sender retries after a restart).
 */
export async function listAlertDeliveries(
  transport: ClickHouseTransport,
  input: { projectId: string; episodeIds?: readonly string[]; status?: AlertDeliveryRecord['status'] },
): Promise<AlertDeliveryRecord[]> {
  const operation = 'alerts.listDeliveries';
  requireProjectId(operation, input.projectId);
  const rows = await transport.query<Record<string, string | number>>({
    sql: `SELECT project_id, episode_id, delivery_id, channel, message_kind, status, attempts, error,
            toUnixTimestamp64Milli(created_at) AS created_ms, toUnixTimestamp64Milli(updated_at) AS updated_ms
          FROM alert_deliveries FINAL
          WHERE project_id = {projectId:String}
            AND (length({episodeIds:Array(String)}) = 0 OR episode_id IN {episodeIds:Array(String)})
            AND ({status:String} = '' OR status = {status:String})
          ORDER BY created_at, delivery_id`,
    params: { projectId: input.projectId, episodeIds: input.episodeIds ?? [], status: input.status ?? '' },
    tag: { operation, projectId: input.projectId },
    quorum: true,
  });
  return rows.map((row) => ({
    projectId: String(row.project_id),
    episodeId: String(row.episode_id),
    deliveryId: String(row.delivery_id),
    channel: String(row.channel),
    messageKind: String(row.message_kind) as AlertDeliveryRecord['messageKind'],
    status: String(row.status) as AlertDeliveryRecord['status'],
    attempts: toCount(row.attempts),
    error: String(row.error),
    createdAt: new Date(toCount(row.created_ms)),
    updatedAt: new Date(toCount(row.updated_ms)),
  }));
}
