import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  findFiringEpisode,
  listAlertDeliveries,
  listAlertEpisodes,
  saveAlertDelivery,
  saveAlertEpisode,
} from '../../src/storage/alert-episodes.js';
import type { AlertEpisodeRecord } from '../../src/storage/alert-episodes.js';
import { createApiKey, findApiKey, generateApiKey, hashApiKey, listApiKeys, revokeApiKey } from '../../src/storage/api-keys.js';
import { getSetting, listSettingVersions, putSetting } from '../../src/storage/settings.js';
import type { ClickHouseTransport } from '../../src/storage/transport.js';
import { transportFactories } from '../support/storage-factories.js';

const factories = transportFactories();
afterAll(async () => {
  for (const factory of factories) await factory.close();
});

describe.each(factories)('settings, API keys and alert episodes through the $name transport', (factory) => {
  let transport: ClickHouseTransport;

  beforeAll(async () => {
    transport = await factory.open();
  });

  it('keeps each settings write as a new version and returns the newest', async () => {
    const projectId = 'project-settings';
    expect(await getSetting(transport, { projectId, kind: 'allocations' })).toBeUndefined();
    const first = await putSetting(transport, { projectId, kind: 'allocations', value: { search: '500.00' }, now: new Date('2026-11-01T00:00:00Z') });
    const second = await putSetting(transport, { projectId, kind: 'allocations', value: { search: '750.00', chat: '100' }, expectedVersion: first.version });
    expect(second.version).toBeGreaterThan(first.version);
    expect(await getSetting(transport, { projectId, kind: 'allocations' })).toMatchObject({ version: second.version, value: { search: '750.00', chat: '100' } });
    expect((await listSettingVersions(transport, { projectId, kind: 'allocations' })).map((s) => s.version)).toEqual([second.version, first.version]);
    await expect(putSetting(transport, { projectId, kind: 'allocations', value: {}, expectedVersion: first.version })).rejects.toMatchObject({ kind: 'invalid', operation: 'settings.put' });
    await expect(getSetting(transport, { projectId, kind: 'colours' as never })).rejects.toMatchObject({ kind: 'invalid' });
  });

  it('stores only the hash of an API key, finds it by the key, and revokes it', async () => {
    const key = generateApiKey();
    const created = await createApiKey(transport, { projectId: 'project-keys', key, name: 'ci', scope: 'ingest' });
    expect([created.keyPrefix, created.scope]).toEqual([key.slice(0, 7), 'ingest']);
    const stored = await transport.query<{ key_hash: string }>({ sql: 'SELECT key_hash FROM api_keys WHERE key_id = {id:String}', params: { id: created.keyId }, tag: { operation: 'test' } });
    expect(stored).toEqual([{ key_hash: hashApiKey(key) }]);
    const everything = JSON.stringify(await transport.query({ sql: 'SELECT * FROM api_keys', tag: { operation: 'test' } }));
    expect(everything).not.toContain(key);

    expect(await findApiKey(transport, key)).toMatchObject({ keyId: created.keyId, projectId: 'project-keys', revokedAt: null });
    expect(await findApiKey(transport, `${key}x`)).toBeUndefined();
    // Registering the same key again at the next start is harmless; for another project it is refused.
    expect((await createApiKey(transport, { projectId: 'project-keys', key, name: 'ci', scope: 'admin' })).keyId).toBe(created.keyId);
    await expect(createApiKey(transport, { projectId: 'project-other', key, name: 'stolen', scope: 'admin' })).rejects.toMatchObject({ kind: 'invalid' });

    expect(await revokeApiKey(transport, { projectId: 'project-keys', keyId: created.keyId })).toBe(true);
    expect((await findApiKey(transport, key))?.revokedAt).toBeInstanceOf(Date);
    expect((await listApiKeys(transport, { projectId: 'project-keys' })).map((k) => k.revokedAt !== null)).toEqual([true]);
  });

  it('keeps the newest state of an alert episode and its deliveries', async () => {
    const projectId = 'project-alerts';
    const started = new Date('2026-11-10T10:00:00Z');
    const episode: AlertEpisodeRecord = {
      projectId, episodeId: 'ep-1', rule: 'dailySpendSpike', scope: 'feature:search', status: 'firing', severity: 'warning',
      startedAt: started, resolvedAt: null, lastNotifiedAt: started, values: { todayUsd: '30.00', averageUsd: '10.00' }, updatedAt: started,
    };
    await saveAlertEpisode(transport, episode);
    expect(await findFiringEpisode(transport, { projectId, rule: 'dailySpendSpike', scope: 'feature:search' })).toEqual(episode);

    const resolved = { ...episode, status: 'resolved' as const, resolvedAt: new Date('2026-11-11T00:00:00Z'), updatedAt: new Date('2026-11-11T00:00:00Z') };
    await saveAlertEpisode(transport, resolved);
    expect(await findFiringEpisode(transport, { projectId, rule: 'dailySpendSpike', scope: 'feature:search' })).toBeUndefined();
    const window = { projectId, from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-12-01T00:00:00Z') };
    expect(await listAlertEpisodes(transport, window)).toEqual([resolved]);
    expect(await listAlertEpisodes(transport, { ...window, status: 'firing' })).toEqual([]);

    const delivery = {
      projectId, episodeId: 'ep-1', deliveryId: 'd-1', channel: 'slack', messageKind: 'fired' as const, status: 'failed' as const,
      attempts: 1, error: 'ECONNREFUSED', createdAt: started, updatedAt: started,
    };
    await saveAlertDelivery(transport, delivery);
    expect(await listAlertDeliveries(transport, { projectId, status: 'failed' })).toEqual([delivery]);
    const sent = { ...delivery, status: 'sent' as const, attempts: 2, error: '', updatedAt: new Date('2026-11-10T10:01:00Z') };
    await saveAlertDelivery(transport, sent);
    expect(await listAlertDeliveries(transport, { projectId, status: 'failed' })).toEqual([]);
    expect(await listAlertDeliveries(transport, { projectId, episodeIds: ['ep-1'] })).toEqual([sent]);
    expect(await listAlertDeliveries(transport, { projectId, episodeIds: ['ep-2'] })).toEqual([]);
  });
});
