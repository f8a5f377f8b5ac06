import type { AlertGroup, WeeklyReviewDigest } from '../messages/notification-types.js';
import { renderAlertGroup, type RenderOptions } from '../messages/render-alert-group.js';
import { renderWeeklyReview } from '../messages/render-weekly-review.js';
import type { AlertChannel } from './alert-channel.js';
import { deliverMessage, type DeliverOptions, type DeliveryOutcome } from './deliver-message.js';
import { alertDeliveryKey, weeklyReviewDeliveryKey } from './delivery-key.js';

export type SendOptions = DeliverOptions &
  RenderOptions & {
    /** The key stored before the first try; by default derived from the message (see `alertDeliveryKey`). */
    deliveryKey?: string;
  };

export type SentNotification = { deliveryKey: string; outcomes: DeliveryOutcome[] };

/**
 * The scheduler's call for one project's alerts of one evaluation: render once, send to every
 * channel, return each channel's outcome under the delivery key to record.
 */
export async function sendAlertGroup(group: AlertGroup, channels: readonly AlertChannel[], options: SendOptions): Promise<SentNotification> {
  const deliveryKey = options.deliveryKey ?? alertDeliveryKey(group);
  const message = renderAlertGroup(group, { dashboardUrl: options.dashboardUrl });
  return { deliveryKey, outcomes: await deliverMessage(message, channels, deliveryKey, options) };
}

/** The same for the Monday digest; one key per project and week, so a restart on Monday sends it once. */
export async function sendWeeklyReview(
  digest: WeeklyReviewDigest,
  channels: readonly AlertChannel[],
  options: SendOptions,
): Promise<SentNotification> {
  const deliveryKey = options.deliveryKey ?? weeklyReviewDeliveryKey(digest.projectId, digest.week);
  const message = renderWeeklyReview(digest, { dashboardUrl: options.dashboardUrl });
  return { deliveryKey, outcomes: await deliverMessage(message, channels, deliveryKey, options) };
}
