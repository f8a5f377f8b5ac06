import { describe, expect, it } from 'vitest';
import { DEFAULT_DAILY_REQUESTS_BY_TIER, DailyRequestCounter } from './daily-requests.js';

describe('DailyRequestCounter', () => {
  const noon = Date.parse('2026-03-10T12:00:00Z');

  it('lets a free user make 50 calls a UTC day, then refuses, and starts again at midnight UTC', () => {
    let now = noon;
    const counter = new DailyRequestCounter(DEFAULT_DAILY_REQUESTS_BY_TIER, () => now);
    for (let call = 1; call <= 50; call += 1) expect(counter.take('u1', 'free')).toBeUndefined();
    expect(counter.take('u1', 'free')).toEqual({ limit: 50, used: 50 });
    // A refused call is not counted, and other users keep their own count.
    expect(counter.take('u1', 'free')).toEqual({ limit: 50, used: 50 });
    expect(counter.take('u2', 'free')).toBeUndefined();
    now = Date.parse('2026-03-10T23:59:59.999Z');
    expect(counter.take('u1', 'free')).toEqual({ limit: 50, used: 50 });
    now = Date.parse('2026-03-11T00:00:00Z');
    expect(counter.take('u1', 'free')).toBeUndefined();
  });

  it('gives paid users 500, enterprise and unknown tiers no limit, and calls without a user no count', () => {
    const counter = new DailyRequestCounter(DEFAULT_DAILY_REQUESTS_BY_TIER, () => noon);
    for (let call = 1; call <= 500; call += 1) expect(counter.take('p', 'paid')).toBeUndefined();
    expect(counter.take('p', 'paid')).toEqual({ limit: 500, used: 500 });
    for (let call = 1; call <= 1000; call += 1) {
      expect(counter.take('e', 'enterprise')).toBeUndefined();
      expect(counter.take('x', 'pro')).toBeUndefined();
      expect(counter.take(undefined, 'free')).toBeUndefined();
      expect(counter.take('t', undefined)).toBeUndefined();
    }
  });

  it('takes the limits the app configured', () => {
    const counter = new DailyRequestCounter({ ...DEFAULT_DAILY_REQUESTS_BY_TIER, enterprise: 2 }, () => noon);
    expect(counter.take('e', 'enterprise')).toBeUndefined();
    expect(counter.take('e', 'enterprise')).toBeUndefined();
    expect(counter.take('e', 'enterprise')).toEqual({ limit: 2, used: 2 });
  });
});
