import { describe, expect, it } from 'vitest';
import { FREE_TRIES, LoginThrottle } from '@/lib/server/login-throttle';

describe(LoginThrottle.name, () => {
  it('lets the first wrong tries through at once, then doubles the wait of each further one', () => {
    let now = 0;
    const throttle = new LoginThrottle(() => now);
    for (let i = 0; i < FREE_TRIES; i++) {
      expect(throttle.delayFor('a')).toBe(0);
      throttle.recordFailure('a');
    }
    expect(throttle.delayFor('a')).toBe(500);
    throttle.recordFailure('a');
    expect(throttle.delayFor('a')).toBe(1000);
    // Another address is not slowed by the first one's failures.
    expect(throttle.delayFor('b')).toBe(0);
    now += 16 * 60_000;
    expect(throttle.delayFor('a')).toBe(0);
  });

  it('caps the wait, and forgets an address after a right password', () => {
    const throttle = new LoginThrottle(() => 0);
    for (let i = 0; i < 20; i++) throttle.recordFailure('a');
    expect(throttle.delayFor('a')).toBe(8_000);
    throttle.recordSuccess('a');
    expect(throttle.delayFor('a')).toBe(0);
  });

  it('can give more free tries, as the dashboard-wide throttle does', () => {
    const throttle = new LoginThrottle(() => 0, 20);
    for (let i = 0; i < 19; i++) throttle.recordFailure('*');
    expect(throttle.delayFor('*')).toBe(0);
    throttle.recordFailure('*');
    expect(throttle.delayFor('*')).toBe(500);
  });
});
