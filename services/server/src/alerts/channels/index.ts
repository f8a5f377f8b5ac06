export type { AlertChannel, ChannelName, DeliveryReceipt, SendContext } from './alert-channel.js';
export { CostscopeDeliveryError } from './delivery-error.js';
export type { DeliveryFailureKind } from './delivery-error.js';
export { SlackBotChannel } from './slack-bot-channel.js';
export type { SlackBotChannelOptions } from './slack-bot-channel.js';
export { SlackWebhookChannel } from './slack-webhook-channel.js';
export type { SlackWebhookChannelOptions } from './slack-webhook-channel.js';
export { EmailChannel } from './email-channel.js';
export type { EmailChannelOptions } from './email-channel.js';
export { deliverMessage, isRetryableFailure, systemDeliveryClock } from './deliver-message.js';
export type { DeliverOptions, DeliveryClock, DeliveryOutcome } from './deliver-message.js';
export { DEFAULT_RETRY_POLICY, backoffDelayMs } from './retry-policy.js';
export type { RetryPolicy } from './retry-policy.js';
export { alertDeliveryKey, weeklyReviewDeliveryKey } from './delivery-key.js';
export {
  CostscopeChannelConfigError,
  channelSettingsFromEnv,
  channelSettingsSchema,
  keepUnchangedSecrets,
  redactChannelSettings,
  refusedChannelDestination,
  resolveChannelSettings,
} from './channel-settings.js';
export type { ChannelOrigin, ChannelSettings, ChannelSettingsInput, RedactedChannelSettings, ResolvedChannelSettings } from './channel-settings.js';
export { createChannels } from './create-channels.js';
export { ALERT_DELIVERY_CONFIG, loadAlertDeliveryConfig } from './alert-delivery-config.js';
export type { AlertDeliveryConfig } from './alert-delivery-config.js';
export type { ChannelTransportOptions } from './create-channels.js';
export { sendTestMessage } from './send-test-message.js';
export { anyAddress, blockedRange, publicAddressesOnly, refusedHost } from './safe-address.js';
export type { AddressPolicy } from './safe-address.js';
export { ChannelSecretBox, openChannelSettings, sealChannelSettings } from './channel-secrets.js';
export { sendAlertGroup, sendWeeklyReview } from './send-notifications.js';
export type { SendOptions, SentNotification } from './send-notifications.js';
