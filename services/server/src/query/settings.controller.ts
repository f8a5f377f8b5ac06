import { Body, Controller, Get, Inject, Param, Put, UseInterceptors } from '@nestjs/common';
import {
  CostscopeCatalogError,
  alertRulesSchema,
  createPriceCatalog,
  featureAllocationsSchema,
  priceOverrideSchema,
  projectBudgetSchema,
} from '@costscope/core';
import { z } from 'zod';
import { channelSettingsSchema, redactChannelSettings, type ChannelSettings } from '../alerts/channels/channel-settings.js';
import { ProjectChannels, type StoredChannelSettings } from '../alerts/channels/project-channels.js';
import { RequiresScope } from '../auth/requires-scope.js';
import { ProjectPriceOverrides } from '../ingest/project-price-overrides.js';
import { CostscopeBadRequestError, parseBody } from '../http/parse-body.js';
import { ProjectId } from '../http/project-request.js';
import { getSetting, putSetting, SETTING_KINDS, type SettingKind } from '../storage/settings.js';
import { CLICKHOUSE_TRANSPORT } from '../storage/storage.module.js';
import type { ClickHouseTransport } from '../storage/transport.js';
import type { SettingResponse } from './response-schemas.js';
import { QueryCancellationInterceptor } from './query-cancellation.interceptor.js';

const priceOverridesSchema = z.array(priceOverrideSchema).max(1_000);

/** Each setting's schema and its value before a project saves one. */
export const SETTINGS: Record<SettingKind, { schema: z.ZodType; initial: () => unknown }> = {
  allocations: { schema: featureAllocationsSchema, initial: () => [] },
  budget: { schema: projectBudgetSchema, initial: () => ({ monthlyUsd: null }) },
  rules: { schema: alertRulesSchema, initial: () => alertRulesSchema.parse({}) },
  channels: { schema: channelSettingsSchema, initial: () => channelSettingsSchema.parse({}) },
  prices: { schema: priceOverridesSchema, initial: () => [] },
};

function settingKind(kind: string): SettingKind {
  if ((SETTING_KINDS as readonly string[]).includes(kind)) return kind as SettingKind;
  throw new CostscopeBadRequestError('kind', `must be one of ${SETTING_KINDS.join(', ')}`);
}

/**
 * `GET|PUT /api/v1/settings/{allocations,budget,rules,channels,prices}`. A PUT replaces the whole
 * setting after validation and keeps the old versions as history. Channel secrets are never
 * answered back: GET shows them masked, and a PUT that sends the masked value keeps the secret.
 */
@Controller('api/v1/settings')
@RequiresScope('read')
@UseInterceptors(QueryCancellationInterceptor)
export class SettingsController {
  constructor(
    @Inject(CLICKHOUSE_TRANSPORT) private readonly transport: ClickHouseTransport,
    @Inject(ProjectPriceOverrides) private readonly priceOverrides: ProjectPriceOverrides,
    @Inject(ProjectChannels) private readonly projectChannels: ProjectChannels,
  ) {}

  /** Channels are stored with their secrets encrypted (`ProjectChannels`) and answered masked. */
  private channelsAnswer(stored: StoredChannelSettings) {
    return {
      kind: 'channels' as const,
      version: stored.version,
      updatedAt: stored.updatedAt?.toISOString() ?? null,
      value: redactChannelSettings(stored.settings ?? channelSettingsSchema.parse({})),
    };
  }

  @Get(':kind')
  async get(@ProjectId() projectId: string, @Param('kind') rawKind: string): Promise<SettingResponse> {
    const kind = settingKind(rawKind);
    if (kind === 'channels') return this.channelsAnswer(await this.projectChannels.read(projectId));
    const stored = await getSetting(this.transport, { projectId, kind });
    const value = stored ? SETTINGS[kind].schema.parse(stored.value) : SETTINGS[kind].initial();
    return {
      kind,
      version: stored?.version ?? 0,
      updatedAt: stored?.updatedAt.toISOString() ?? null,
      value,
    };
  }

  @Put(':kind')
  @RequiresScope('admin')
  async put(@ProjectId() projectId: string, @Param('kind') rawKind: string, @Body() body: unknown): Promise<SettingResponse> {
    const kind = settingKind(rawKind);
    const value: unknown = parseBody(SETTINGS[kind].schema, body);
    if (kind === 'prices') {
      try {
        // Beyond each override's own shape: two overrides of one model from the same time.
        createPriceCatalog({ overrides: value as z.output<typeof priceOverridesSchema> });
      } catch (error) {
        if (CostscopeCatalogError.isInstance(error)) throw new CostscopeBadRequestError('body', error.message);
        throw error;
      }
    }
    if (kind === 'channels') return this.channelsAnswer(await this.projectChannels.save(projectId, value as ChannelSettings));
    const stored = await putSetting(this.transport, { projectId, kind, value });
    if (kind === 'prices') this.priceOverrides.invalidate(projectId);
    return {
      kind,
      version: stored.version,
      updatedAt: stored.updatedAt.toISOString(),
      value,
    };
  }
}
