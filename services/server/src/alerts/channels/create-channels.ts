import type { AlertChannel } from './alert-channel.js';
import type { ChannelOrigin, ResolvedChannelSettings } from './channel-settings.js';
import { EmailChannel } from './email-channel.js';
import { anyAddress, publicAddressesOnly, type AddressPolicy } from './safe-address.js';
import { SlackBotChannel } from './slack-bot-channel.js';
import { SlackWebhookChannel } from './slack-webhook-channel.js';

export type ChannelTransportOptions = {
  /** `SLACK_API_URL`: Slack's Web API base, for a proxy or a test peer. */
  slackApiUrl?: string;
  /** Per request or SMTP step. */
  timeoutMs?: number;
  /** Where a project's own webhook and SMTP server may connect; `publicAddressesOnly` by default. */
  projectAddressPolicy?: AddressPolicy;
};

/**
 * The channels a project's settings switch on, in a fixed order (Slack, webhook, email). What the
 * operator's environment set may connect anywhere (a relay on the private network); what a
 * project set only to public addresses. The Slack bot always posts to Slack's API, or to the
 * operator's `SLACK_API_URL`: a project chooses its token and channel, never where they go.
 */
export function createChannels(settings: ResolvedChannelSettings, options: ChannelTransportOptions = {}): AlertChannel[] {
  const channels: AlertChannel[] = [];
  const timeout = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };
  const policyFor = (origin: ChannelOrigin): AddressPolicy =>
    origin === 'environment' ? anyAddress : (options.projectAddressPolicy ?? publicAddressesOnly);
  if (settings.slack) {
    channels.push(
      new SlackBotChannel({
        botToken: settings.slack.botToken,
        channel: settings.slack.channel,
        ...(options.slackApiUrl ? { slackApiUrl: options.slackApiUrl } : {}),
        ...timeout,
      }),
    );
  }
  if (settings.webhook) {
    channels.push(new SlackWebhookChannel({ url: settings.webhook.url, addressPolicy: policyFor(settings.webhook.origin), ...timeout }));
  }
  if (settings.email) {
    const { smtpUrl, from, to, origin } = settings.email;
    channels.push(new EmailChannel({ smtpUrl, from, to, addressPolicy: policyFor(origin), ...timeout }));
  }
  return channels;
}
