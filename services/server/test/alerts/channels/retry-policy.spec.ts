import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, alertDeliveryKey, backoffDelayMs } from '../../../src/alerts/channels/index.js';

describe(backoffDelayMs.name, () => {
  it('doubles each step, jitters within its upper half and stops growing at the cap', () => {
    const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 1_000, maxDelayMs: 5_000 };
    expect([1, 2, 3, 4].map((attempt) => backoffDelayMs(attempt, policy, () => 0))).toEqual([500, 1_000, 2_000, 2_500]);
    expect([1, 2, 3, 4].map((attempt) => backoffDelayMs(attempt, policy, () => 0.999_999))).toEqual([1_000, 2_000, 4_000, 5_000]);
  });
});

describe(alertDeliveryKey.name, () => {
  it('is the same for the same episodes, actions and time, in any order, and differs otherwise', () => {
    const notifiedAt = new Date('2026-11-28T09:05:00Z');
    const a = { episodeId: 'ep-1', action: 'open' as const };
    const b = { episodeId: 'ep-2', action: 'resolve' as const };
    const key = alertDeliveryKey({ projectId: 'default', notifiedAt, alerts: [a, b] });
    expect(alertDeliveryKey({ projectId: 'default', notifiedAt, alerts: [b, a] })).toBe(key);
    expect(alertDeliveryKey({ projectId: 'default', notifiedAt, alerts: [a, { ...b, action: 'repeat' }] })).not.toBe(key);
    expect(alertDeliveryKey({ projectId: 'default', notifiedAt: new Date('2026-11-28T13:05:00Z'), alerts: [a, b] })).not.toBe(key);
    expect(key).toMatch(/^alert:[0-9a-f]{32}$/);
  });
});
