import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCosts } from '../../src/storage/costs.js';
import { CostscopeStorageError } from '../../src/storage/errors.js';
import { insertCalls } from '../../src/storage/llm-calls.js';
import type { ClickHouseTransport } from '../../src/storage/transport.js';
import { makeCall, usd } from '../support/call-factory.js';
import { plain, transportFactories } from '../support/storage-factories.js';

const factories = transportFactories();
afterAll(async () => {
  for (const factory of factories) await factory.close();
});

const PROJECT = 'project-costs';
const FROM = new Date('2026-11-01T00:00:00Z');
const TO = new Date('2026-11-16T00:00:00Z');

describe.each(factories)('costs through the $name transport', (factory) => {
  let transport: ClickHouseTransport;

  beforeAll(async () => {
    transport = await factory.open();
    await insertCalls(transport, [
      // Monday 2 Nov, 23:30 UTC: still Monday in UTC, already Tuesday in Tokyo.
      makeCall({ projectId: PROJECT, time: new Date('2026-11-02T23:30:00Z'), feature: 'chat', totalCostUsd: usd('0.000000000000000001'), inputTokens: 10, cacheReadInputTokens: 4, outputTokens: 5 }),
      makeCall({ projectId: PROJECT, time: new Date('2026-11-02T10:00:00Z'), feature: 'chat', totalCostUsd: usd('1.25'), inputTokens: 100, cacheReadInputTokens: 0, outputTokens: 50 }),
      makeCall({ projectId: PROJECT, time: new Date('2026-11-03T10:00:00Z'), feature: 'search', responseModel: 'claude-haiku-4-5', provider: 'anthropic', totalCostUsd: usd('0.5'), status: 'error', errorType: 'rate_limit', userId: 'user-2', inputTokens: 7, cacheReadInputTokens: 0, outputTokens: 0 }),
      makeCall({ projectId: PROJECT, time: new Date('2026-11-10T08:00:00Z'), feature: 'search', responseModel: 'claude-haiku-4-5', provider: 'anthropic', totalCostUsd: usd('0.75'), userId: 'user-2', userTier: 'pro', inputTokens: 20, cacheReadInputTokens: 0, outputTokens: 30 }),
      makeCall({ projectId: PROJECT, time: new Date('2026-11-10T09:00:00Z'), feature: 'summarize', responseModel: '', requestModel: 'gpt-5', totalCostUsd: 0n, costStatus: 'unpriced', inputTokens: 1, cacheReadInputTokens: 0, outputTokens: 1 }),
    ]);
  });

  it('groups cost, requests, errors and tokens by feature, largest cost first, with exact money', async () => {
    const report = await getCosts(transport, { projectId: PROJECT, from: FROM, to: TO, groupBy: ['feature'] });
    expect(plain(report.rows)).toEqual(
      plain([
        { keys: { feature: 'chat' }, costUsd: usd('1.250000000000000001'), requests: 2, errors: 0, inputTokens: 110, cachedInputTokens: 4, outputTokens: 55, unpricedRequests: 0, costPerSuccessUsd: usd('0.625000000000000001') },
        { keys: { feature: 'search' }, costUsd: usd('1.25'), requests: 2, errors: 1, inputTokens: 27, cachedInputTokens: 0, outputTokens: 30, unpricedRequests: 0, costPerSuccessUsd: usd('1.25') },
        { keys: { feature: 'summarize' }, costUsd: 0n, requests: 1, errors: 0, inputTokens: 1, cachedInputTokens: 0, outputTokens: 1, unpricedRequests: 1, costPerSuccessUsd: 0n },
      ]),
    );
    expect(report.totals.costUsd).toBe(usd('2.500000000000000001'));
    expect(report.totals.requests).toBe(5);
    // The summarize call's model had no price: the total is a floor, and the report says so.
    expect(report.totals.unpricedRequests).toBe(1);
    expect(report.truncated).toBe(false);
  });

  it('groups by model (the answering model, else the requested one), provider, user and status', async () => {
    const byModel = await getCosts(transport, { projectId: PROJECT, from: FROM, to: TO, groupBy: ['model', 'provider'] });
    expect(byModel.rows.map((row) => [row.keys.model, row.keys.provider, row.requests])).toEqual([
      ['gpt-5-mini-2025-08-07', 'openai', 2],
      ['claude-haiku-4-5', 'anthropic', 2],
      ['gpt-5', 'openai', 1],
    ]);
    const byUser = await getCosts(transport, { projectId: PROJECT, from: FROM, to: TO, groupBy: ['user', 'status'] });
    expect(byUser.source).toBe('raw');
    // Largest cost first: user-1 spent 1.25…, user-2's failed call 0.5 and its good one 0.75.
    expect(byUser.rows.map((row) => [row.keys.user, row.keys.status, row.requests])).toEqual([
      ['user-1', 'ok', 3],
      ['user-2', 'ok', 1],
      ['user-2', 'error', 1],
    ]);
  });

  it('filters by any dimension and keeps totals to the filtered calls', async () => {
    const report = await getCosts(transport, { projectId: PROJECT, from: FROM, to: TO, filters: { provider: ['anthropic'], userTier: ['pro'] } });
    expect(report.totals.requests).toBe(1);
    expect(report.totals.costUsd).toBe(usd('0.75'));
    expect(report.rows).toHaveLength(1);
  });

  it('puts day boundaries in the asked time zone', async () => {
    const utc = await getCosts(transport, { projectId: PROJECT, from: FROM, to: new Date('2026-11-04T00:00:00Z'), interval: 'day' });
    expect(utc.rows.map((row) => [row.bucket?.toISOString(), row.requests])).toEqual([
      ['2026-11-02T00:00:00.000Z', 2],
      ['2026-11-03T00:00:00.000Z', 1],
    ]);
    const tokyo = await getCosts(transport, { projectId: PROJECT, from: FROM, to: new Date('2026-11-04T00:00:00Z'), interval: 'day', timezone: 'Asia/Tokyo' });
    // Tokyo is UTC+9: 10:00Z on the 2nd is the 2nd there; 23:30Z on the 2nd is the 3rd, with 10:00Z on the 3rd.
    expect(tokyo.rows.map((row) => [row.bucket?.toISOString(), row.requests])).toEqual([
      ['2026-11-01T15:00:00.000Z', 1],
      ['2026-11-02T15:00:00.000Z', 2],
    ]);
  });

  it('starts weeks on Monday in the asked zone, hours on the hour', async () => {
    const weeks = await getCosts(transport, { projectId: PROJECT, from: FROM, to: TO, interval: 'week', timezone: 'America/New_York' });
    expect(weeks.rows.map((row) => [row.bucket?.toISOString(), row.requests])).toEqual([
      ['2026-11-02T05:00:00.000Z', 3],
      ['2026-11-09T05:00:00.000Z', 2],
    ]);
    const hours = await getCosts(transport, { projectId: PROJECT, from: new Date('2026-11-10T00:00:00Z'), to: new Date('2026-11-11T00:00:00Z'), interval: 'hour', groupBy: ['feature'] });
    expect(hours.rows.map((row) => [row.bucket?.toISOString(), row.keys.feature])).toEqual([
      ['2026-11-10T08:00:00.000Z', 'search'],
      ['2026-11-10T09:00:00.000Z', 'summarize'],
    ]);
  });

  it('gives the same numbers from hourly rollups and raw calls', async () => {
    for (const query of [
      { groupBy: ['feature', 'model'] as const, interval: 'day' as const, timezone: 'Europe/Berlin' },
      { groupBy: ['endpoint', 'provider', 'userTier', 'service', 'status'] as const },
      { groupBy: [] as const, interval: 'week' as const, timezone: 'America/New_York', filters: { feature: ['chat', 'search'] } },
    ]) {
      const base = { projectId: PROJECT, from: FROM, to: TO, ...query, groupBy: [...query.groupBy] };
      const rollup = await getCosts(transport, { ...base, source: 'rollup' });
      const raw = await getCosts(transport, { ...base, source: 'raw' });
      expect(rollup.source).toBe('rollup');
      expect(raw.source).toBe('raw');
      expect(plain(rollup.rows)).toEqual(plain(raw.rows));
      expect(plain(rollup.totals)).toEqual(plain(raw.totals));
      expect(rollup.totals.requests).toBe(5 - (query.filters ? 1 : 0));
    }
  });

  it('reads raw calls when rollups cannot answer exactly, and rollups for a range off the hour', async () => {
    const offHour = await getCosts(transport, { projectId: PROJECT, from: new Date('2026-11-02T10:00:00Z'), to: new Date('2026-11-02T23:29:00Z') });
    expect(offHour.source).toBe('rollup');
    expect(offHour.totals.requests).toBe(1);
    const rawOffHour = await getCosts(transport, { projectId: PROJECT, from: new Date('2026-11-02T10:00:00Z'), to: new Date('2026-11-02T23:29:00Z'), source: 'raw' });
    expect(plain(offHour.totals)).toEqual(plain(rawOffHour.totals));
    const india = await getCosts(transport, { projectId: PROJECT, from: FROM, to: TO, interval: 'day', timezone: 'Asia/Kolkata' });
    expect(india.source).toBe('raw');
    await expect(getCosts(transport, { projectId: PROJECT, from: FROM, to: TO, groupBy: ['user'], source: 'rollup' })).rejects.toThrow(CostscopeStorageError);
  });

  it('returns at most `limit` groups but totals over all of them', async () => {
    const report = await getCosts(transport, { projectId: PROJECT, from: FROM, to: TO, groupBy: ['feature'], limit: 1 });
    expect(report.rows.map((row) => row.keys.feature)).toEqual(['chat']);
    expect(report.truncated).toBe(true);
    expect(report.totals.requests).toBe(5);
    // Top users cut off: the totals still count every call, users or not, and filters hold.
    const all = await getCosts(transport, { projectId: PROJECT, from: FROM, to: TO });
    const topUser = await getCosts(transport, { projectId: PROJECT, from: FROM, to: TO, groupBy: ['user', 'status'], interval: 'day', limit: 1 });
    expect(topUser.truncated).toBe(true);
    expect(plain(topUser.totals)).toEqual(plain(all.totals));
    const filtered = await getCosts(transport, { projectId: PROJECT, from: FROM, to: TO, groupBy: ['user'], limit: 1, filters: { feature: ['search'] } });
    expect(filtered.totals.requests).toBe(2);
    expect(filtered.totals.costUsd).toBe(usd('1.25'));
  });

  it('refuses unknown dimensions, intervals and an empty project before building SQL', async () => {
    const base = { projectId: PROJECT, from: FROM, to: TO };
    await expect(getCosts(transport, { ...base, groupBy: ['feature; DROP TABLE llm_calls' as never] })).rejects.toMatchObject({ name: 'CostscopeStorageError', kind: 'invalid', operation: 'costs.byGroup' });
    await expect(getCosts(transport, { ...base, interval: 'month' as never })).rejects.toMatchObject({ kind: 'invalid' });
    await expect(getCosts(transport, { ...base, projectId: '' })).rejects.toMatchObject({ kind: 'invalid' });
    await expect(getCosts(transport, { ...base, filters: { ['1=1 OR feature' as never]: ['x'] } })).rejects.toMatchObject({ kind: 'invalid' });
  });

  it('treats hostile filter values as plain values', async () => {
    const report = await getCosts(transport, { projectId: PROJECT, from: FROM, to: TO, filters: { feature: ["chat' OR '1'='1", 'a\\b\tc\nd'] } });
    expect(report.totals.requests).toBe(0);
  });

  it('stores strings, maps and nulls as sent', async () => {
    const odd = makeCall({
      projectId: 'project-odd',
      feature: "it's \"quoted\" \\ back\\slash\ttab\nline 新",
      attributes: { "k'ey\\": "x\ny\tz'\\", empty: '' },
      maxTokens: null,
      timeToFirstTokenMs: null,
      totalCostUsd: usd('120'),
    });
    await insertCalls(transport, [odd]);
    const report = await getCosts(transport, { projectId: 'project-odd', from: FROM, to: TO, groupBy: ['feature'] });
    expect(report.rows.map((row) => [row.keys.feature, row.costUsd])).toEqual([[odd.feature, usd('120')]]);
    const [stored] = await transport.query<{ attributes: Record<string, string>; max_tokens: null; ttft: null }>({
      sql: 'SELECT attributes, max_tokens, time_to_first_token_ms AS ttft FROM llm_calls WHERE project_id = {p:String}',
      params: { p: 'project-odd' },
      tag: { operation: 'test' },
    });
    expect(stored).toEqual({ attributes: odd.attributes, max_tokens: null, ttft: null });
  });
});
