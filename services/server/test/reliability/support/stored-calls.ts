import { openHttpTransport } from '../../../src/storage/http-transport.js';

export type StoredCalls = {
  /** Rows in `llm_calls`, duplicates included (no FINAL): equal to `spanIds.size` when each call is stored once. */
  rows: number;
  spanIds: Set<string>;
  /** Rows by `cost_status` (`priced`, `unpriced`, `reported`). */
  byCostStatus: Record<string, number>;
};

/** What storage holds for a project, read straight from the ClickHouse HTTP front. */
export async function storedCalls(
  front: { url: string; database: string; user: string; password: string },
  projectId = 'default',
): Promise<StoredCalls> {
  const transport = openHttpTransport({ url: front.url, username: front.user, password: front.password, database: front.database });
  try {
    const rows = await transport.query<{ span_id: string; cost_status: string }>({
      sql: 'SELECT span_id, cost_status FROM llm_calls WHERE project_id = {projectId:String}',
      params: { projectId },
      tag: { operation: 'test.storedCalls', projectId },
    });
    const byCostStatus: Record<string, number> = {};
    for (const row of rows) byCostStatus[row.cost_status] = (byCostStatus[row.cost_status] ?? 0) + 1;
    return { rows: rows.length, spanIds: new Set(rows.map((row) => row.span_id)), byCostStatus };
  } finally {
    await transport.close();
  }
}

/** The spool's depth as the server's metrics report it. */
export async function spoolDepthBytes(baseUrl: string): Promise<number> {
  const metrics = await (await fetch(`${baseUrl}/metrics`)).text();
  return Number(/^costscope_spool_depth_bytes (\d+)$/m.exec(metrics)?.[1] ?? Number.NaN);
}
