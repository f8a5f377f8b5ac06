import { describe, expect, it } from 'vitest';
import { ApiRateLimiter } from '../../src/auth/api-rate-limiter.js';
import { FailedAuthThrottle } from '../../src/auth/failed-auth-throttle.js';

function clock(start = 5_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe(ApiRateLimiter.name, () => {
  it('lets a key spend a minute’s worth at once, then one request per 60 s / limit, with the wait to retry', () => {
    const time = clock();
    const limiter = new ApiRateLimiter(60, time.now);
    for (let i = 0; i < 60; i += 1) expect(limiter.take('key-a')).toBe(0);
    expect(limiter.take('key-a')).toBe(1);
    expect(limiter.take('key-b')).toBe(0);
    time.advance(999);
    expect(limiter.take('key-a')).toBe(1);
    time.advance(1);
    expect(limiter.take('key-a')).toBe(0);
    expect(limiter.take('key-a')).toBe(1);
  });

  it('says how many seconds to wait when the limit is slow', () => {
    const time = clock();
    const limiter = new ApiRateLimiter(2, time.now);
    expect([limiter.take('k'), limiter.take('k'), limiter.take('k')]).toEqual([0, 0, 30]);
    time.advance(30_000);
    expect(limiter.take('k')).toBe(0);
  });
});

describe(FailedAuthThrottle.name, () => {
  it('slows an address down after its failures of the window, and lets it go when the window ends', () => {
    const time = clock();
    const throttle = new FailedAuthThrottle({ maxFailures: 3, windowMs: 60_000, now: time.now });
    for (let i = 0; i < 3; i += 1) {
      expect(throttle.retryAfterSeconds('10.0.0.1')).toBe(0);
      throttle.recordFailure('10.0.0.1');
      time.advance(1_000);
    }
    expect(throttle.retryAfterSeconds('10.0.0.1')).toBe(57);
    expect(throttle.retryAfterSeconds('10.0.0.2')).toBe(0);
    time.advance(57_000);
    expect(throttle.retryAfterSeconds('10.0.0.1')).toBe(0);
  });

  it('counts failures per window: a few a minute never add up', () => {
    const time = clock();
    const throttle = new FailedAuthThrottle({ maxFailures: 3, windowMs: 60_000, now: time.now });
    for (let i = 0; i < 10; i += 1) {
      throttle.recordFailure('10.0.0.3');
      throttle.recordFailure('10.0.0.3');
      time.advance(61_000);
    }
    expect(throttle.retryAfterSeconds('10.0.0.3')).toBe(0);
  });
});
