import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertCalls } from '../../src/storage/llm-calls.js';
import {
  daysBetween,
  getDailySpendBaselines,
  getInputTokenOutliers,
  getMonthToDateSpend,
} from '../../src/storage/rule-inputs.js';
import type { ClickHouseTransport } from '../../src/storage/transport.js';
import { getWeeklyReview, isoWeekMonday } from '../../src/storage/weekly-review.js';
import { makeCall, usd } from '../support/call-factory.js';
import { plain, transportFactories } from '../support/storage-factories.js';

const factories = transportFactories();
afterAll(async () => {
  for (const factory of factories) await factory.close();
});

const PROJECT = 'project-rules';

describe.each(factories)('rule inputs through the $name transport', (factory) => {
  let transport: ClickHouseTransport;

  beforeAll(async () => {
    transport = await factory.open();
    const calls = [];
    // 3–9 Nov: chat spends $10/day (two $5 calls), search $1/day. 10 Nov: chat spends $30.
    for (const day of daysBetween('2026-11-03', '2026-11-09')) {
      calls.push(makeCall({ projectId: PROJECT, time: new Date(`${day}T09:00:00Z`), feature: 'chat', totalCostUsd: usd('5'), outputTokens: 100 }));
      calls.push(makeCall({ projectId: PROJECT, time: new Date(`${day}T15:00:00Z`), feature: 'chat', totalCostUsd: usd('5'), outputTokens: 100 }));
      calls.push(makeCall({ projectId: PROJECT, time: new Date(`${day}T12:00:00Z`), feature: 'search', totalCostUsd: usd('1'), inputTokens: 500 }));
    }
    for (let i = 0; i < 3; i += 1) {
      calls.push(makeCall({ projectId: PROJECT, time: new Date(`2026-11-10T0${i + 1}:00:00Z`), feature: 'chat', totalCostUsd: usd('10'), outputTokens: 400 }));
    }
    // Errors and retries on 10 Nov for search: 1 ok, 2 failed (one a retry), 1 retry ok.
    calls.push(makeCall({ projectId: PROJECT, time: new Date('2026-11-10T12:00:00Z'), feature: 'search', totalCostUsd: usd('0.25'), inputTokens: 500 }));
    calls.push(makeCall({ projectId: PROJECT, time: new Date('2026-11-10T12:01:00Z'), feature: 'search', totalCostUsd: usd('0.25'), status: 'error', errorType: 'timeout', inputTokens: 500 }));
    calls.push(makeCall({ projectId: PROJECT, time: new Date('2026-11-10T12:02:00Z'), feature: 'search', totalCostUsd: usd('0.25'), status: 'error', attempt: 2, inputTokens: 500 }));
    calls.push(makeCall({ projectId: PROJECT, time: new Date('2026-11-10T12:03:00Z'), feature: 'search', totalCostUsd: usd('0.25'), attempt: 3, inputTokens: 90_000 }));
    await insertCalls(transport, calls);
  });

  it('gives today’s spend and the trailing 7 days per feature, missing days as zero', async () => {
    const baselines = await getDailySpendBaselines(transport, { projectId: PROJECT, day: '2026-11-10', scope: 'feature' });
    const chat = baselines.find((b) => b.feature === 'chat');
    expect(chat?.todayUsd).toBe(usd('30'));
    expect(chat?.trailingDailyUsd).toEqual(Array(7).fill(usd('10')));
    expect(chat?.trailingAverageUsd).toBe(usd('10'));
    const early = await getDailySpendBaselines(transport, { projectId: PROJECT, day: '2026-11-04' });
    expect(early).toEqual([
      { feature: '', day: '2026-11-04', todayUsd: usd('11'), trailingDailyUsd: [0n, 0n, 0n, 0n, 0n, 0n, usd('11')], trailingAverageUsd: usd('1.571428571428571429') },
    ]);
  });

  it('cuts days at local midnight of the project’s zone', async () => {
    // In Los Angeles (UTC−8 in November) the chat calls at 01:00–03:00Z on the 10th belong to the 9th.
    const [chat] = await getDailySpendBaselines(transport, { projectId: PROJECT, day: '2026-11-10', timezone: 'America/Los_Angeles', scope: 'feature' }).then((rows) =>
      rows.filter((row) => row.feature === 'chat'),
    );
    expect(chat?.todayUsd).toBe(0n);
    expect(chat?.trailingDailyUsd.at(-1)).toBe(usd('40'));
  });

  it('gives month-to-date spend per feature and a straight-line month-end forecast', async () => {
    const now = new Date('2026-11-11T00:00:00Z');
    const rows = await getMonthToDateSpend(transport, { projectId: PROJECT, now });
    const chat = rows.find((row) => row.feature === 'chat');
    expect(chat?.monthToDateUsd).toBe(usd('100'));
    // 10 of 30 days elapsed: $100 → $300.
    expect(chat?.forecastUsd).toBe(usd('300'));
    expect(chat?.monthStart.toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(chat?.monthEnd.toISOString()).toBe('2026-12-01T00:00:00.000Z');
  });

  it('finds calls whose prompt is far above their feature’s median', async () => {
    const outliers = await getInputTokenOutliers(transport, { projectId: PROJECT, from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-12-01T00:00:00Z'), multiple: 10 });
    expect(outliers.features.find((f) => f.feature === 'search')).toEqual({ feature: 'search', calls: 11, medianInputTokens: 500, maxInputTokens: 90_000 });
    expect(outliers.calls.map((call) => [call.feature, call.inputTokens, call.medianInputTokens, call.costUsd])).toEqual([['search', 90_000, 500, usd('0.25')]]);
  });

  it('gives the weekly review per feature, this week against last', async () => {
    expect(isoWeekMonday('2026-W46')).toBe('2026-11-09');
    const review = await getWeeklyReview(transport, { projectId: PROJECT, week: '2026-W46' });
    expect(review.weekStartDay).toBe('2026-11-09');
    const chat = review.features.find((f) => f.feature === 'chat');
    // Last week (2–8 Nov) has 3–8 Nov: 6 days × $10; this week has 9 Nov ($10) and 10 Nov ($30).
    expect(chat).toMatchObject({ thisWeekUsd: usd('40'), lastWeekUsd: usd('60'), changeUsd: usd('-20'), thisWeekRequests: 5, lastWeekRequests: 12 });
    expect(review.thisWeekUsd).toBe(review.features.reduce((sum, f) => sum + f.thisWeekUsd, 0n));
    await expect(getWeeklyReview(transport, { projectId: PROJECT, week: '2026-11' })).rejects.toMatchObject({ kind: 'invalid' });
  });

  it('gives the same rule inputs from hourly rollups and raw calls', async () => {
    const pairs: Array<[string, (source: 'raw' | 'rollup') => Promise<unknown>]> = [
      ['daily spend', (source) => getDailySpendBaselines(transport, { projectId: PROJECT, day: '2026-11-10', scope: 'feature', timezone: 'Europe/Paris', source })],
      ['month to date', (source) => getMonthToDateSpend(transport, { projectId: PROJECT, now: new Date('2026-11-10T13:00:00Z'), source })],
      ['weekly review', (source) => getWeeklyReview(transport, { projectId: PROJECT, week: '2026-W46', timezone: 'Asia/Tokyo', source })],
    ];
    for (const [name, read] of pairs) {
      const [raw, rollup] = [await read('raw'), await read('rollup')];
      expect(plain(rollup), name).toEqual(plain(raw));
      expect(JSON.stringify(plain(raw)).length, name).toBeGreaterThan(10);
    }
  });
});
