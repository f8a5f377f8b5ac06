import { CostscopeStorageError } from './errors.js';
import { requireProjectId, toClickHouseTime, toCount } from './query-support.js';
import type { ClickHouseTransport } from './transport.js';

/**
 * A message in the scheduler's outbox (migrations 0005, 0010: on a cluster, whole on every node): stored before it is sent, rewritten as
 * its deliveries finish. `payload` and `outcomes` are the alerts module's JSON; storage keeps
 * them opaque.
 */
export type AlertMessageRecord = {
  projectId: string;
  deliveryKey: string;
  kind: 'alert' | 'weekly';
  /** `prepared`: stored, its episode states not yet written; `pending`: sending or to retry; `done`. */
  status: 'prepared' | 'pending' | 'done';
  /** Grows with each rewrite; the highest is the message's state. */
  revision: number;
  payload: unknown;
  outcomes: unknown;
  createdAt: Date;
  updatedAt: Date;
};

export async function saveAlertMessage(transport: ClickHouseTransport, message: AlertMessageRecord): Promise<void> {
  const operation = 'alerts.saveMessage';
  requireProjectId(operation, message.projectId);
  if (!message.deliveryKey) throw new CostscopeStorageError(operation, 'invalid', 'deliveryKey is required');
  await transport.command({
    sql: `INSERT INTO alert_outbox (project_id, delivery_key, kind, status, revision, payload_json, outcomes_json, created_at, updated_at)
          SELECT {projectId:String}, {deliveryKey:String}, {kind:String}, {status:String}, {revision:UInt32},
            {payloadJson:String}, {outcomesJson:String}, {createdAt:DateTime64(3, 'UTC')}, {updatedAt:DateTime64(3, 'UTC')}`,
    params: {
      projectId: message.projectId,
      deliveryKey: message.deliveryKey,
      kind: message.kind,
      status: message.status,
      revision: message.revision,
      payloadJson: JSON.stringify(message.payload),
      outcomesJson: JSON.stringify(message.outcomes),
      createdAt: toClickHouseTime(message.createdAt),
      updatedAt: toClickHouseTime(message.updatedAt),
    },
    tag: { operation, projectId: message.projectId },
    quorum: true,
  });
}

type MessageRow = Record<string, string | number>;

function toMessage(row: MessageRow): AlertMessageRecord {
  return {
    projectId: String(row.project_id),
    deliveryKey: String(row.delivery_key),
    kind: row.kind === 'weekly' ? 'weekly' : 'alert',
    status: row.status === 'done' ? 'done' : row.status === 'prepared' ? 'prepared' : 'pending',
    revision: toCount(row.revision),
    payload: JSON.parse(String(row.payload_json)) as unknown,
    outcomes: JSON.parse(String(row.outcomes_json)) as unknown,
    createdAt: new Date(toCount(row.created_ms)),
    updatedAt: new Date(toCount(row.updated_ms)),
  };
}

const SELECT_MESSAGE = `SELECT project_id, delivery_key, kind, status, revision, payload_json, outcomes_json,
  toUnixTimestamp64Milli(created_at) AS created_ms, toUnixTimestamp64Milli(updated_at) AS updated_ms
  FROM alert_outbox FINAL`;

/**
 * Messages of a project: with `deliveryKeys` only those, with `unfinished` only those not `done`
 * (what a scheduler finishes before it evaluates anything new). Oldest first.
 */
export async function listAlertMessages(
  transport: ClickHouseTransport,
  input: { projectId: string; deliveryKeys?: readonly string[]; unfinished?: boolean },
): Promise<AlertMessageRecord[]> {
  const operation = 'alerts.listMessages';
  requireProjectId(operation, input.projectId);
  const rows = await transport.query<MessageRow>({
    sql: `${SELECT_MESSAGE}
          WHERE project_id = {projectId:String}
            AND (length({deliveryKeys:Array(String)}) = 0 OR delivery_key IN {deliveryKeys:Array(String)})
            AND ({unfinished:UInt8} = 0 OR status != 'done')
          ORDER BY created_at, delivery_key`,
    params: { projectId: input.projectId, deliveryKeys: input.deliveryKeys ?? [], unfinished: input.unfinished ? 1 : 0 },
    tag: { operation, projectId: input.projectId },
    quorum: true,
  });
  return rows.map(toMessage);
}
