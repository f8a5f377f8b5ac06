import type { DeliveryClock } from '../../../src/alerts/channels/index.js';

/**
 * A clock for delivery tests: `sleep` never waits on real time, it records the delay, moves the
 * clock on and runs `onSleep` (a test uses it to bring a peer back up, or to hold a channel).
 */
export function testClock(onSleep: (ms: number) => Promise<void> | void = () => undefined): { clock: DeliveryClock; sleeps: number[] } {
  let now = Date.parse('2026-11-28T09:05:00Z');
  const sleeps: number[] = [];
  return {
    sleeps,
    clock: {
      now: () => new Date(now),
      sleep: async (ms) => {
        sleeps.push(ms);
        now += ms;
        await onSleep(ms);
      },
    },
  };
}
