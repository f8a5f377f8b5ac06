/** The storage layer: the only place SQL lives. Other modules call these plain functions. */
export { CLICKHOUSE_TRANSPORT, StorageModule } from './storage.module.js';
export { openStorage } from './open-storage.js';
// openEmbeddedTransport is not re-exported: importing it loads chDB, which a server-mode process
// never needs (openStorage imports it only when no CLICKHOUSE_URL is set).
export type { EmbeddedTransportOptions } from './embedded-transport.js';
export { openHttpTransport } from './http-transport.js';
export type { HttpTransportOptions } from './http-transport.js';
export type { ClickHouseTransport, QueryTag } from './transport.js';
export { CostscopeStorageError } from './errors.js';
export type { StorageFailureKind } from './errors.js';
export { listMigrations, migrate, renderMigration } from './migrate.js';
export type { MigrationReport, SchemaOptions } from './migrate.js';

export { COST_DIMENSIONS } from './query-support.js';
export type { CostDimension, CostFilters } from './query-support.js';
export { insertCalls } from './llm-calls.js';
export type { InsertCallsOptions, InsertCallsResult } from './llm-calls.js';
export { getCosts } from './costs.js';
export type { CostFigures, CostInterval, CostQuery, CostReport, CostRow, CostSource } from './costs.js';
export {
  getDailySpendBaselines,
  getInputTokenOutliers,
  getMonthToDateSpend,
} from './rule-inputs.js';
export type {
  DailySpendBaseline,
  InputTokenFeaturePeak,
  InputTokenOutlierCall,
  MonthToDateSpend,
  RuleScope,
  RuleSource,
} from './rule-inputs.js';
export { getWeeklyReview, isoWeekMonday } from './weekly-review.js';
export type { WeeklyFeatureCost, WeeklyReview } from './weekly-review.js';
export { SETTING_KINDS, getSetting, listSettingVersions, putSetting } from './settings.js';
export type { SettingKind, StoredSetting } from './settings.js';
export { createApiKey, findApiKey, findApiKeyByHash, generateApiKey, hashApiKey, listApiKeys, revokeApiKey } from './api-keys.js';
export type { ApiKeyRecord } from './api-keys.js';
export {
  findFiringEpisode,
  listAlertDeliveries,
  listAlertEpisodes,
  saveAlertDelivery,
  saveAlertEpisode,
} from './alert-episodes.js';
export type { AlertDeliveryRecord, AlertEpisodeRecord } from './alert-episodes.js';
