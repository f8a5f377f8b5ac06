import type { AlertChannel } from './alert-channel.js';
import type { ResolvedChannelSettings } from './channel-settings.js';
import { EmailChannel } from './email-channel.js';
import { SlackBotChannel } from './slack-bot-channel.js';
import { SlackWebhookChannel } from './slack-webhook-channel.js';

export type ChannelTransportOptions = {
  /** `SLACK_API_URL`: Slack's Web API base, for a proxy or a test peer. */
  slackApiUrl?: string;
  /** Per request or SMTP step. */
  timeoutMs?: number;
};

/** The channels a project's settings switch on, in a fixed order (Slack, webhook, email). */
export function createChannels(settings: ResolvedChannelSettings, options: ChannelTransportOptions = {}): AlertChannel[] {
  const channels: AlertChannel[] = [];
  const timeout = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };
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
  if (settings.webhook) channels.push(new SlackWebhookChannel({ url: settings.webhook.url, ...timeout }));
  if (settings.email) channels.push(new EmailChannel({ ...settings.email, ...timeout }));
  return channels;
}
