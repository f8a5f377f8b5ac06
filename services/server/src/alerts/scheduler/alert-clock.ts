import type { DeliveryClock } from '../channels/deliver-message.js';

/**
 * The scheduler's time: the system clock until a test sets it, then a manual clock that moves
 * only when told (`set`, `advance`) — and whose `sleep` (delivery backoff) advances it at once,
 * so no test waits on real time. The same clock drives evaluation, lifecycle and delivery.
 */
export class AlertClock implements DeliveryClock {
  private manualMs: number | undefined;

  now(): Date {
    return new Date(this.manualMs ?? Date.now());
  }

  sleep(ms: number): Promise<void> {
    if (this.manualMs !== undefined) {
      this.manualMs += ms;
      return Promise.resolve();
    }
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  /** Freezes time at `date`; from then on it moves only with `set`, `advance` and `sleep`. */
  set(date: Date): void {
    this.manualMs = date.getTime();
  }

  advance(ms: number): void {
    this.manualMs = (this.manualMs ?? Date.now()) + ms;
  }

  get isManual(): boolean {
    return this.manualMs !== undefined;
  }
}
