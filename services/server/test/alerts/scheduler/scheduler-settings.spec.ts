import { describe, expect, it } from 'vitest';
import { decodePayload, encodePayload } from '../../../src/alerts/scheduler/alert-payload.js';
import { CostscopeConfigError, loadServerConfig } from '../../../src/config/server-config.js';

describe('scheduler settings from the environment', () => {
  it('evaluates every 5 minutes and sends the review Monday 09:00 by default', () => {
    const config = loadServerConfig({});
    expect(config.alertsIntervalMs).toBe(300_000);
    expect(config.weeklyReview).toEqual({ isoWeekday: 1, minuteOfDay: 540 });
  });

  it('reads the interval as a duration and the review as a weekday and time, or off', () => {
    expect(loadServerConfig({ COSTSCOPE_ALERTS_INTERVAL: '10s' }).alertsIntervalMs).toBe(10_000);
    expect(loadServerConfig({ COSTSCOPE_ALERTS_INTERVAL: '1h' }).alertsIntervalMs).toBe(3_600_000);
    expect(loadServerConfig({ COSTSCOPE_WEEKLY_REVIEW: 'Friday 17:30' }).weeklyReview).toEqual({ isoWeekday: 5, minuteOfDay: 1050 });
    expect(loadServerConfig({ COSTSCOPE_WEEKLY_REVIEW: 'off' }).weeklyReview).toBeNull();
  });

  it('fails the start naming the variable when a value cannot be used', () => {
    expect(() => loadServerConfig({ COSTSCOPE_ALERTS_INTERVAL: 'often' })).toThrow(CostscopeConfigError);
    expect(() => loadServerConfig({ COSTSCOPE_ALERTS_INTERVAL: '500ms' })).toThrow(/COSTSCOPE_ALERTS_INTERVAL: must be a duration from 1s to 24h/);
    expect(() => loadServerConfig({ COSTSCOPE_WEEKLY_REVIEW: 'mon 25:00' })).toThrow(/COSTSCOPE_WEEKLY_REVIEW/);
    expect(() => loadServerConfig({ SLACK_BOT_TOKEN: 'xoxb-1234' })).toThrow(/SLACK_CHANNEL is missing/);
  });
});

describe('outbox payloads', () => {
  it('keep money exact and instants as dates through storage JSON', () => {
    const value = { amount: 1_234_567_890_123_456_789_012n, at: new Date('2026-11-28T09:05:00.123Z'), list: [{ usd: -5n }], text: 'x' };
    const stored = JSON.parse(JSON.stringify(encodePayload(value))) as unknown;
    expect(decodePayload(stored)).toEqual(value);
  });
});
