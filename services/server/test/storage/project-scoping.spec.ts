import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, listApiKeys, revokeApiKey } from '../../src/storage/api-keys.js';
import {
  findFiringEpisode,
  listAlertDeliveries,
  listAlertEpisodes,
  saveAlertDelivery,
  saveAlertEpisode,
} from '../../src/storage/alert-episodes.js';
import { listAlertMessages, saveAlertMessage } from '../../src/storage/alert-messages.js';
import {
  getCostPerSuccessWindows,
  getErrorRatesByEndpoint,
  getOutputTokenWindowsByModel,
  getUserDailySpend,
} from '../../src/storage/alert-rule-inputs.js';
import { getCosts } from '../../src/storage/costs.js';
import { insertCalls } from '../../src/storage/llm-calls.js';
import {
  getDailySpendBaselines,
  getInputTokenOutliers,
  getMonthToDateSpend,
} from '../../src/storage/rule-inputs.js';
import { getSetting, listSettingVersions, putSetting } from '../../src/storage/settings.js';
import type { ClickHouseTransport } from '../../src/storage/transport.js';
import { getUnpricedModels } from '../../src/storage/unpriced-models.js';
import { getWeeklyReview } from '../../src/storage/weekly-review.js';
import { makeCall, usd } from '../support/call-factory.js';
import { transportFactories } from '../support/storage-factories.js';

const factories = transportFactories();
afterAll(async () => {
  for (const factory of factories) await factory.close();
});

const A = 'project-a';
const B = 'project-b';
const FROM = new Date('2026-11-01T00:00:00Z');
const TO = new Date('2026-12-01T00:00:00Z');

describe.each(factories)('project scoping through the $name transport', (factory) => {
  let transport: ClickHouseTransport;

  beforeAll(async () => {
    transport = await factory.open();
    // Project A has calls, settings, keys, episodes and deliveries; project B has nothing.
    await insertCalls(
      transport,
      Array.from({ length: 40 }, (_, i) =>
        makeCall({
          projectId: A,
          time: new Date(Date.UTC(2026, 10, 1 + (i % 28), i % 24)),
          inputTokens: i === 0 ? 1_000_000 : 1_000,
          status: i % 5 === 0 ? 'error' : 'ok',
          attempt: i % 4 === 0 ? 2 : 1,
          totalCostUsd: usd('0.01'),
        }),
      ),
    );
    await insertCalls(transport, [
      makeCall({ projectId: A, time: new Date('2026-11-15T12:00:00Z'), responseModel: 'llama-9', costStatus: 'unpriced', totalCostUsd: 0n }),
    ]);
    await putSetting(transport, { projectId: A, kind: 'rules', value: { errorRate: { threshold: 0.02 } } });
    await createApiKey(transport, { projectId: A, key: 'cs_project_a_secret_key_0001', name: 'A key', scope: 'admin' });
    const now = new Date('2026-11-20T10:00:00Z');
    await saveAlertEpisode(transport, {
      projectId: A, episodeId: 'ep-a', rule: 'errorRate', scope: 'project', status: 'firing', severity: 'warning',
      startedAt: now, resolvedAt: null, lastNotifiedAt: now, values: { rate: 0.2 }, updatedAt: now,
    });
    await saveAlertMessage(transport, {
      projectId: A, deliveryKey: 'msg-a', kind: 'alert', status: 'pending', revision: 1, payload: {}, outcomes: {},
      createdAt: now, updatedAt: now,
    });
    await saveAlertDelivery(transport, {
      projectId: A, episodeId: 'ep-a', deliveryId: 'd-a', channel: 'slack', messageKind: 'fired', status: 'sent',
      attempts: 1, error: '', createdAt: now, updatedAt: now,
    });
  });

  // Each reader, called for project A (must see data: the check is not vacuous) and for B (must see none).
  const readers: Record<string, (projectId: string) => Promise<unknown[]>> = {
    'getCosts rows (rollup)': async (projectId) => (await getCosts(transport, { projectId, from: FROM, to: TO, groupBy: ['feature'] })).rows,
    'getCosts rows (raw, by user)': async (projectId) => (await getCosts(transport, { projectId, from: FROM, to: TO, groupBy: ['user'] })).rows,
    'getCosts totals': async (projectId) => {
      const { totals } = await getCosts(transport, { projectId, from: FROM, to: TO });
      return totals.requests > 0 ? [totals] : [];
    },
    getDailySpendBaselines: async (projectId) =>
      (await getDailySpendBaselines(transport, { projectId, day: '2026-11-10', scope: 'feature' })).filter((b) => b.todayUsd > 0n || b.trailingAverageUsd > 0n),
    getMonthToDateSpend: async (projectId) => getMonthToDateSpend(transport, { projectId, now: new Date('2026-11-29T00:00:00Z') }),
    'getInputTokenOutliers features': async (projectId) => (await getInputTokenOutliers(transport, { projectId, from: FROM, to: TO })).features,
    'getInputTokenOutliers calls': async (projectId) => (await getInputTokenOutliers(transport, { projectId, from: FROM, to: TO })).calls,
    getUnpricedModels: async (projectId) => getUnpricedModels(transport, { projectId, from: FROM, to: TO }),
    getWeeklyReview: async (projectId) => (await getWeeklyReview(transport, { projectId, week: '2026-W47' })).features,
    getSetting: async (projectId) => {
      const setting = await getSetting(transport, { projectId, kind: 'rules' });
      return setting ? [setting] : [];
    },
    listSettingVersions: async (projectId) => listSettingVersions(transport, { projectId, kind: 'rules' }),
    listApiKeys: async (projectId) => listApiKeys(transport, { projectId }),
    findFiringEpisode: async (projectId) => {
      const episode = await findFiringEpisode(transport, { projectId, rule: 'errorRate', scope: 'project' });
      return episode ? [episode] : [];
    },
    listAlertEpisodes: async (projectId) => listAlertEpisodes(transport, { projectId, from: FROM, to: TO }),
    listAlertDeliveries: async (projectId) => listAlertDeliveries(transport, { projectId }),
    // The alert scheduler's own storage functions (alert-*.ts) are held to the same rule.
    listAlertMessages: async (projectId) => listAlertMessages(transport, { projectId }),
    getErrorRatesByEndpoint: async (projectId) => getErrorRatesByEndpoint(transport, { projectId, from: FROM, to: TO }),
    getOutputTokenWindowsByModel: async (projectId) =>
      getOutputTokenWindowsByModel(transport, { projectId, recent: { from: new Date('2026-11-20T00:00:00Z'), to: TO }, baseline: { from: FROM, to: new Date('2026-11-20T00:00:00Z') } }),
    getUserDailySpend: async (projectId) =>
      (await getUserDailySpend(transport, { projectId, day: '2026-11-10', trailingDays: 7, timezone: 'UTC' })).filter((u) => u.todayUsd > 0n || u.trailingDailyUsd.some((v) => v > 0n)),
    getCostPerSuccessWindows: async (projectId) =>
      getCostPerSuccessWindows(transport, { projectId, recent: { from: new Date('2026-11-20T00:00:00Z'), to: TO }, baseline: { from: FROM, to: new Date('2026-11-20T00:00:00Z') } }),
  };

  it.each(Object.keys(readers))('project B reads nothing of project A through %s', async (name) => {
    const read = readers[name] as (projectId: string) => Promise<unknown[]>;
    expect((await read(A)).length).toBeGreaterThan(0);
    expect(await read(B)).toEqual([]);
  });

  it('project B cannot revoke project A’s key by its id', async () => {
    const [key] = await listApiKeys(transport, { projectId: A });
    expect(await revokeApiKey(transport, { projectId: B, keyId: key?.keyId ?? '' })).toBe(false);
    expect((await listApiKeys(transport, { projectId: A }))[0]?.revokedAt).toBeNull();
  });
});
