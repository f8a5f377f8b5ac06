import { CostscopeStorageError } from './errors.js';
import { requireProjectId, toClickHouseTime, toCount } from './query-support.js';
import type { ClickHouseTransport } from './transport.js';

/** The settings a project keeps, each one JSON document validated by its owner before it is stored. */
export const SETTING_KINDS = ['allocations', 'budget', 'rules', 'channels', 'prices'] as const;
export type SettingKind = (typeof SETTING_KINDS)[number];

export type StoredSetting = { kind: SettingKind; version: number; value: unknown; updatedAt: Date };

function requireKind(operation: string, kind: string): SettingKind {
  if (!(SETTING_KINDS as readonly string[]).includes(kind)) {
    throw new CostscopeStorageError(operation, 'invalid', `unknown setting kind ${JSON.stringify(kind)}; one of ${SETTING_KINDS.join(', ')}`);
  }
  return kind as SettingKind;
}

/** The newest version of a setting, or `undefined` when the project never saved one. */
export async function getSetting(
  transport: ClickHouseTransport,
  input: { projectId: string; kind: SettingKind },
): Promise<StoredSetting | undefined> {
  const operation = 'settings.get';
  requireProjectId(operation, input.projectId);
  const kind = requireKind(operation, input.kind);
  const [row] = await transport.query<{ version: string | number; value_json: string; updated_ms: string | number }>({
    sql: `SELECT version, value_json, toUnixTimestamp64Milli(updated_at) AS updated_ms
          FROM project_settings
          WHERE project_id = {projectId:String} AND kind = {kind:String}
          ORDER BY version DESC
          LIMIT 1`,
    params: { projectId: input.projectId, kind },
    tag: { operation, projectId: input.projectId },
    quorum: true,
  });
  if (!row) return undefined;
  return { kind, version: toCount(row.version), value: JSON.parse(row.value_json) as unknown, updatedAt: new Date(toCount(row.updated_ms)) };
}

/**
 * Stores a new version of a setting and returns it. Versions only grow: the new one is
 * max(previous + 1, now in ms), so versions also order by time. With `expectedVersion`, the write
 * is refused when someone saved in between (optimistic concurrency for the settings page).
 */
export async function putSetting(
  transport: ClickHouseTransport,
  input: { projectId: string; kind: SettingKind; value: unknown; expectedVersion?: number; now?: Date },
): Promise<StoredSetting> {
  const operation = 'settings.put';
  const current = await getSetting(transport, input);
  if (input.expectedVersion !== undefined && (current?.version ?? 0) !== input.expectedVersion) {
    throw new CostscopeStorageError(
      operation,
      'invalid',
      `setting ${input.kind} is at version ${current?.version ?? 0}, not ${input.expectedVersion}: reload and apply the change again`,
    );
  }
  const now = input.now ?? new Date();
  const version = Math.max((current?.version ?? 0) + 1, now.getTime());
  const valueJson = JSON.stringify(input.value);
  if (valueJson === undefined) throw new CostscopeStorageError(operation, 'invalid', 'a setting must be a JSON value');
  await transport.command({
    sql: `INSERT INTO project_settings (project_id, kind, version, value_json, updated_at)
          SELECT {projectId:String}, {kind:String}, {version:UInt64}, {valueJson:String}, {updatedAt:DateTime64(3, 'UTC')}`,
    params: { projectId: input.projectId, kind: input.kind, version, valueJson, updatedAt: toClickHouseTime(now) },
    tag: { operation, projectId: input.projectId },
    quorum: true,
  });
  return { kind: input.kind, version, value: JSON.parse(valueJson) as unknown, updatedAt: now };
}

/** Every stored version of a setting, newest first (audit trail of the settings page). */
export async function listSettingVersions(
  transport: ClickHouseTransport,
  input: { projectId: string; kind: SettingKind; limit?: number },
): Promise<StoredSetting[]> {
  const operation = 'settings.history';
  requireProjectId(operation, input.projectId);
  const kind = requireKind(operation, input.kind);
  const rows = await transport.query<{ version: string | number; value_json: string; updated_ms: string | number }>({
    sql: `SELECT version, any(value_json) AS value_json, toUnixTimestamp64Milli(any(updated_at)) AS updated_ms
          FROM project_settings
          WHERE project_id = {projectId:String} AND kind = {kind:String}
          GROUP BY version
          ORDER BY version DESC
          LIMIT {limit:UInt32}`,
    params: { projectId: input.projectId, kind, limit: input.limit ?? 50 },
    tag: { operation, projectId: input.projectId },
    quorum: true,
  });
  return rows.map((row) => ({
    kind,
    version: toCount(row.version),
    value: JSON.parse(row.value_json) as unknown,
    updatedAt: new Date(toCount(row.updated_ms)),
  }));
}

/** Every stored version of one kind of setting, all projects (for rewriting them at start). */
export async function listSettingRows(
  transport: ClickHouseTransport,
  input: { kind: SettingKind },
): Promise<Array<{ projectId: string; version: number; value: unknown }>> {
  const operation = 'settings.allVersions';
  const kind = requireKind(operation, input.kind);
  const rows = await transport.query<{ project_id: string; version: string | number; value_json: string }>({
    sql: `SELECT project_id, version, value_json
          FROM project_settings
          WHERE kind = {kind:String}
          ORDER BY project_id, version`,
    params: { kind },
    tag: { operation },
    quorum: true,
  });
  return rows.map((row) => ({ projectId: row.project_id, version: toCount(row.version), value: JSON.parse(row.value_json) as unknown }));
}

/**
 * Replaces the value of one stored version in place (a synchronous mutation), so the old text
 * is gone from the table rather than kept beside a newer version — used to encrypt channel
 * secrets written in clear. ClickHouse drops the replaced parts after `old_parts_lifetime`.
 * On a cluster the mutation runs on every replica's local table.
 */
export async function rewriteSettingVersion(
  transport: ClickHouseTransport,
  input: { projectId: string; kind: SettingKind; version: number; value: unknown; cluster?: string | undefined },
): Promise<void> {
  const operation = 'settings.rewrite';
  requireProjectId(operation, input.projectId);
  const kind = requireKind(operation, input.kind);
  if (input.cluster !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(input.cluster)) {
    throw new CostscopeStorageError(operation, 'invalid', `invalid cluster name ${JSON.stringify(input.cluster)}`);
  }
  const table = input.cluster ? `project_settings_local ON CLUSTER ${input.cluster}` : 'project_settings';
  await transport.command({
    sql: `ALTER TABLE ${table}
          UPDATE value_json = {valueJson:String}
          WHERE project_id = {projectId:String} AND kind = {kind:String} AND version = {version:UInt64}
          SETTINGS mutations_sync = 2`,
    params: { projectId: input.projectId, kind, version: input.version, valueJson: JSON.stringify(input.value) },
    tag: { operation, projectId: input.projectId },
    quorum: true,
  });
}
