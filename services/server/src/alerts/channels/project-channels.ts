import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SERVER_CONFIG, type ServerConfig } from '../../config/server-config.js';
import { CostscopeBadRequestError } from '../../http/parse-body.js';
import { CostscopeStorageError } from '../../storage/errors.js';
import { getSetting, listSettingRows, putSetting, rewriteSettingVersion } from '../../storage/settings.js';
import { CLICKHOUSE_TRANSPORT } from '../../storage/storage.module.js';
import type { ClickHouseTransport } from '../../storage/transport.js';
import type { AlertChannel } from './alert-channel.js';
import { ALERT_DELIVERY_CONFIG, type AlertDeliveryConfig } from './alert-delivery-config.js';
import { hasClearSecrets, openChannelSettings, sealChannelSettings, type ChannelSecretBox } from './channel-secrets.js';
import { channelSettingsSchema, keepUnchangedSecrets, refusedChannelDestination, resolveChannelSettings, type ChannelSettings } from './channel-settings.js';
import { createChannels } from './create-channels.js';
import { publicAddressesOnly, type AddressPolicy } from './safe-address.js';

/** Nest injection token of the process's `ChannelSecretBox` (its key: COSTSCOPE_SECRET_KEY or `<data dir>/secret.key`). */
export const CHANNEL_SECRET_BOX = Symbol.for('costscope.channelSecretBox');

/**
 * Where a project's own webhook and SMTP server may connect: public addresses only. Tests stand a
 * loopback port in for "the internet" with `use`, the way they set the `AlertClock`.
 */
@Injectable()
export class ProjectAddressPolicy {
  private current: AddressPolicy = publicAddressesOnly;

  get policy(): AddressPolicy {
    return this.current;
  }

  use(policy: AddressPolicy): void {
    this.current = policy;
  }
}

export type StoredChannelSettings = { settings: ChannelSettings | null; version: number; updatedAt: Date | null };

/** While storage does not answer at start, the rewrite of clear secrets is tried again this often. */
const SEAL_RETRY_MS = 60_000;

/**
 * A project's channel settings as the API and the scheduler use them: stored with their secrets
 * encrypted, read back opened, and turned into channels with the address rules applied. At start
 * it encrypts any secret still stored in clear (every version of the setting, history included)
 * and proves the key opens what is stored, so a wrong key fails the start rather than every send.
 */
@Injectable()
export class ProjectChannels implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ProjectChannels');
  private retry: NodeJS.Timeout | undefined;

  constructor(
    @Inject(CLICKHOUSE_TRANSPORT) private readonly transport: ClickHouseTransport,
    @Inject(SERVER_CONFIG) private readonly config: ServerConfig,
    @Inject(ALERT_DELIVERY_CONFIG) private readonly delivery: AlertDeliveryConfig,
    @Inject(CHANNEL_SECRET_BOX) private readonly box: ChannelSecretBox,
    @Inject(ProjectAddressPolicy) private readonly addresses: ProjectAddressPolicy,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.sealStoredSecrets();
    } catch (error) {
      if (!isStorageOutage(error)) throw error;
      // Storage down at start must not stop the process (ingest keeps spooling): retry later.
      this.logger.warn(`storage is not ready (${(error as CostscopeStorageError).kind}): stored channel secrets will be checked and encrypted once it is`);
      this.retryLater();
    }
  }

  onApplicationShutdown(): void {
    if (this.retry) clearTimeout(this.retry);
  }

  private retryLater(): void {
    this.retry = setTimeout(() => {
      this.sealStoredSecrets().catch((error: unknown) => {
        if (isStorageOutage(error)) return this.retryLater();
        this.logger.error(`stored channel secrets: ${(error as Error).message}`);
      });
    }, SEAL_RETRY_MS);
    this.retry.unref();
  }

  /**
   * Opens every stored version (a wrong key throws, naming the project) and rewrites in place
   * those that still hold a secret in clear. Idempotent, so every api and scheduler process may run it.
   */
  async sealStoredSecrets(): Promise<number> {
    let rewritten = 0;
    for (const row of await listSettingRows(this.transport, { kind: 'channels' })) {
      const opened = openChannelSettings(this.box, row.projectId, row.value);
      if (!hasClearSecrets(row.value)) continue;
      const settings = channelSettingsSchema.parse(opened);
      const value = sealChannelSettings(this.box, row.projectId, settings);
      const cluster = this.config.storage.kind === 'http' ? this.config.storage.cluster : undefined;
      await rewriteSettingVersion(this.transport, { projectId: row.projectId, kind: 'channels', version: row.version, value, cluster });
      rewritten += 1;
    }
    if (rewritten > 0) this.logger.log(`encrypted the channel secrets of ${rewritten} stored setting version(s)`);
    return rewritten;
  }

  async read(projectId: string): Promise<StoredChannelSettings> {
    const stored = await getSetting(this.transport, { projectId, kind: 'channels' });
    if (!stored) return { settings: null, version: 0, updatedAt: null };
    const settings = channelSettingsSchema.parse(openChannelSettings(this.box, projectId, stored.value));
    return { settings, version: stored.version, updatedAt: stored.updatedAt };
  }

  /**
   * Stores a new version. Masked secrets sent back unchanged keep the stored ones; a webhook or
   * SMTP host written as a blocked address is refused (400) before anything is stored.
   */
  async save(projectId: string, update: ChannelSettings): Promise<StoredChannelSettings & { settings: ChannelSettings }> {
    const current = await this.read(projectId);
    const settings = keepUnchangedSecrets(current.settings, update);
    const refused = refusedChannelDestination(settings);
    if (refused) throw new CostscopeBadRequestError(`body.${refused.field}`, refused.message);
    const stored = await putSetting(this.transport, { projectId, kind: 'channels', value: sealChannelSettings(this.box, projectId, settings) });
    return { settings, version: stored.version, updatedAt: stored.updatedAt };
  }

  /** The project's channels now: its settings, else the environment's where they serve it. */
  async channelsOf(projectId: string): Promise<AlertChannel[]> {
    const { settings } = await this.read(projectId);
    return createChannels(resolveChannelSettings(settings, this.delivery, projectId), {
      ...(this.delivery.slackApiUrl ? { slackApiUrl: this.delivery.slackApiUrl } : {}),
      projectAddressPolicy: this.addresses.policy,
    });
  }
}

/**
 * Any storage failure: unreachable, slow, or not migrated yet (a server that was down at start is
 * migrated in the background). Only a key that does not open the stored secrets fails the start.
 */
function isStorageOutage(error: unknown): boolean {
  return CostscopeStorageError.isInstance(error);
}
