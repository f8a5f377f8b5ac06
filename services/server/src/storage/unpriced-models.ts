import { callsTable } from './hourly-rollups.js';
import { requireProjectId, requireRange, toClickHouseTime, toCount } from './query-support.js';
import type { ClickHouseTransport } from './transport.js';

export type UnpricedModel = { model: string; requests: number; lastSeen: Date };

/**
 * The models a project's calls used that no price applied to, most calls first: what to add a
 * price override for. `model` is the model that answered, else the one asked for.
 */
export async function getUnpricedModels(
  transport: ClickHouseTransport,
  input: { projectId: string; from: Date; to: Date; limit?: number },
): Promise<UnpricedModel[]> {
  const operation = 'prices.unpricedModels';
  requireProjectId(operation, input.projectId);
  requireRange(operation, input.from, input.to);
  const rows = await transport.query<{ model: string; requests: string | number; last_ms: string | number }>({
    sql: `SELECT model, count() AS requests, toUnixTimestamp64Milli(max(time)) AS last_ms
          FROM ${callsTable(transport)}
          WHERE project_id = {projectId:String} AND time >= {from:DateTime64(3, 'UTC')} AND time < {to:DateTime64(3, 'UTC')}
            AND cost_status = 'unpriced'
          GROUP BY model
          ORDER BY requests DESC, model
          LIMIT {limit:UInt32}`,
    params: { projectId: input.projectId, from: toClickHouseTime(input.from), to: toClickHouseTime(input.to), limit: input.limit ?? 100 },
    tag: { operation, projectId: input.projectId },
  });
  return rows.map((row) => ({ model: row.model, requests: toCount(row.requests), lastSeen: new Date(toCount(row.last_ms)) }));
}
