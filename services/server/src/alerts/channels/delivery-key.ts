import { createHash } from 'node:crypto';
import type { NotifiedAction } from '../messages/notification-types.js';

/**
 * The identity of one message to send, the same however often the scheduler tries: for an alert
 * group, the project and each episode's (id, action, notify time). The scheduler stores it with
 * each channel's outcome; before sending it loads the outcomes recorded under the key and passes
 * them to `deliverMessage`, which skips channels that already delivered.
 */
export function alertDeliveryKey(input: {
  projectId: string;
  notifiedAt: Date;
  alerts: ReadonlyArray<{ episodeId: string; action: NotifiedAction }>;
}): string {
  const parts = input.alerts.map((alert) => `${alert.episodeId}:${alert.action}`).sort();
  const digest = createHash('sha256')
    .update(JSON.stringify([input.projectId, input.notifiedAt.toISOString(), parts]))
    .digest('hex')
    .slice(0, 32);
  return `alert:${digest}`;
}

/** One weekly review per project and ISO week, whatever the time it is sent. */
export function weeklyReviewDeliveryKey(projectId: string, week: string): string {
  const digest = createHash('sha256').update(JSON.stringify([projectId, week])).digest('hex').slice(0, 32);
  return `weekly:${digest}`;
}
