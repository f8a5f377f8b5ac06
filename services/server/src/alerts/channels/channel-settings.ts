import { CostscopeError } from '@costscope/core';
import { z } from 'zod';
import { refusedHost } from './safe-address.js';

/** A channel setting (or its environment variable) that cannot be used as written. */
export class CostscopeChannelConfigError extends CostscopeError {
  override readonly name = 'CostscopeChannelConfigError';
}

/** `alerts@example.com` or `Costscope <alerts@example.com>`. */
const mailbox = z
  .string()
  .trim()
  .regex(/^(?:[^<>\r\n]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/, 'an email address, optionally with a name: Costscope <alerts@example.com>');

/**
 * `PUT /api/v1/settings/channels`. Each channel is `null` when not set here, in which case the
 * environment's (DESIGN.md: SLACK_BOT_TOKEN + SLACK_CHANNEL, SLACK_WEBHOOK_URL, SMTP_URL +
 * ALERT_EMAIL_FROM + ALERT_EMAIL_TO) applies. Secrets are accepted here but never answered back:
 * GET returns `redactChannelSettings(…)`.
 */
export const channelSettingsSchema = z.object({
  slack: z
    .object({
      botToken: z
        .string()
        .trim()
        .regex(/^xox[a-z]-\S+$/, 'a Slack bot token, xoxb-…'),
      /** Channel id (`C0123ABCD`) or name (`#cost-alerts`). */
      channel: z.string().trim().min(1).max(80),
    })
    .nullable()
    .default(null),
  webhook: z
    .object({ url: z.url({ protocol: /^https?$/, error: 'an http(s) incoming-webhook URL' }) })
    .nullable()
    .default(null),
  email: z
    .object({
      /** When absent, SMTP_URL. */
      smtpUrl: z
        .string()
        .trim()
        .regex(/^smtps?:\/\/\S+$/, 'smtp://user:pass@host:587 or smtps://user:pass@host:465')
        .optional(),
      from: mailbox,
      to: z.array(mailbox).min(1).max(50),
    })
    .nullable()
    .default(null),
});

export type ChannelSettings = z.output<typeof channelSettingsSchema>;
export type ChannelSettingsInput = z.input<typeof channelSettingsSchema>;

/**
 * Who chose where a channel connects: the operator's environment (trusted: it may point at a
 * relay on the private network) or a project's settings (public addresses only).
 */
export type ChannelOrigin = 'environment' | 'project';

/** Settings ready to build channels from: email always has its SMTP URL. */
export type ResolvedChannelSettings = {
  slack: { botToken: string; channel: string; origin: ChannelOrigin } | null;
  webhook: { url: string; origin: ChannelOrigin } | null;
  /** `origin` is the SMTP server's: a project's own `smtpUrl`, or the operator's `SMTP_URL`. */
  email: { smtpUrl: string; from: string; to: string[]; origin: ChannelOrigin } | null;
};

const NO_CHANNELS: ResolvedChannelSettings = { slack: null, webhook: null, email: null };

function invalid(variable: string, issues: z.core.$ZodIssue[]): CostscopeChannelConfigError {
  return new CostscopeChannelConfigError(`Invalid alert channel setting — ${variable}: ${issues.map((issue) => issue.message).join('; ')}`);
}

/**
 * The channels configured in the environment. Variables that belong together must come
 * together: a token without a channel is a mistake worth failing the start for, not a silent
 * "no Slack".
 */
export function channelSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): ResolvedChannelSettings {
  const read = (name: string) => env[name]?.trim() || undefined;
  const settings: ResolvedChannelSettings = { slack: null, webhook: null, email: null };

  const token = read('SLACK_BOT_TOKEN');
  const channel = read('SLACK_CHANNEL');
  if (token || channel) {
    if (!token || !channel) {
      throw new CostscopeChannelConfigError(
        `Invalid alert channel setting — SLACK_BOT_TOKEN and SLACK_CHANNEL go together (${token ? 'SLACK_CHANNEL' : 'SLACK_BOT_TOKEN'} is missing)`,
      );
    }
    const parsed = channelSettingsSchema.shape.slack.safeParse({ botToken: token, channel });
    if (!parsed.success) throw invalid('SLACK_BOT_TOKEN', parsed.error.issues);
    settings.slack = parsed.data && { ...parsed.data, origin: 'environment' };
  }

  const webhookUrl = read('SLACK_WEBHOOK_URL');
  if (webhookUrl) {
    const parsed = channelSettingsSchema.shape.webhook.safeParse({ url: webhookUrl });
    if (!parsed.success) throw invalid('SLACK_WEBHOOK_URL', parsed.error.issues);
    settings.webhook = parsed.data && { ...parsed.data, origin: 'environment' };
  }

  const smtpUrl = read('SMTP_URL');
  const from = read('ALERT_EMAIL_FROM');
  const to = read('ALERT_EMAIL_TO');
  // SMTP_URL with ALERT_EMAIL_FROM alone is a relay for projects' own recipients, not a channel.
  if (to || (from && !smtpUrl)) {
    if (!smtpUrl || !from || !to) {
      const missing = [!smtpUrl && 'SMTP_URL', !from && 'ALERT_EMAIL_FROM', !to && 'ALERT_EMAIL_TO'].filter(Boolean).join(', ');
      throw new CostscopeChannelConfigError(`Invalid alert channel setting — email alerts need SMTP_URL, ALERT_EMAIL_FROM and ALERT_EMAIL_TO (missing ${missing})`);
    }
    const parsed = channelSettingsSchema.shape.email.safeParse({
      smtpUrl,
      from,
      to: to.split(',').map((address) => address.trim()).filter(Boolean),
    });
    if (!parsed.success) {
      const variable = parsed.error.issues[0]?.path[0] === 'smtpUrl' ? 'SMTP_URL' : parsed.error.issues[0]?.path[0] === 'from' ? 'ALERT_EMAIL_FROM' : 'ALERT_EMAIL_TO';
      throw invalid(variable, parsed.error.issues);
    }
    if (parsed.data) settings.email = { smtpUrl, from: parsed.data.from, to: parsed.data.to, origin: 'environment' };
  } else if (from) {
    const parsed = mailbox.safeParse(from);
    if (!parsed.success) throw invalid('ALERT_EMAIL_FROM', parsed.error.issues);
  }
  return settings;
}

/** The projects the environment's channels serve: `COSTSCOPE_ENV_CHANNELS_FOR`, `*` for all. */
export type EnvironmentChannelProjects = '*' | readonly string[];

/** What `resolveChannelSettings` needs of the environment (a slice of `AlertDeliveryConfig`). */
export type EnvironmentChannels = {
  channels: ResolvedChannelSettings;
  smtpUrl: string | undefined;
  /** `ALERT_EMAIL_FROM`: the sender of every email sent through `SMTP_URL`. */
  emailFrom: string | undefined;
  envChannelsFor: EnvironmentChannelProjects;
};

export function environmentServes(projects: EnvironmentChannelProjects, projectId: string): boolean {
  return projects === '*' || projects.includes(projectId);
}

/**
 * A project's channels. Its stored settings win channel by channel; the environment's fill the
 * rest only for the projects `COSTSCOPE_ENV_CHANNELS_FOR` names (`default` unless the operator
 * says otherwise), so one tenant's alerts never land in the Slack of another.
 *
 * Email without its own SMTP URL goes through the operator's `SMTP_URL`, to the project's own
 * recipients and always from `ALERT_EMAIL_FROM`: a project cannot use the operator's mail server
 * to send as someone else. Without SMTP_URL, or without ALERT_EMAIL_FROM, this says so rather
 * than silently sending nothing.
 */
export function resolveChannelSettings(stored: ChannelSettings | null, environment: EnvironmentChannels, projectId: string): ResolvedChannelSettings {
  const fromEnvironment = environmentServes(environment.envChannelsFor, projectId) ? environment.channels : NO_CHANNELS;
  let email = fromEnvironment.email;
  if (stored?.email) {
    const to = [...stored.email.to];
    if (stored.email.smtpUrl) {
      email = { smtpUrl: stored.email.smtpUrl, from: stored.email.from, to, origin: 'project' };
    } else if (!environment.smtpUrl) {
      throw new CostscopeChannelConfigError('Invalid alert channel setting — email is set without an SMTP URL (set email.smtpUrl, or the operator sets SMTP_URL)');
    } else if (!environment.emailFrom) {
      throw new CostscopeChannelConfigError(
        "Invalid alert channel setting — email through the server's SMTP_URL is sent from ALERT_EMAIL_FROM, which the operator has not set (or set email.smtpUrl)",
      );
    } else {
      email = { smtpUrl: environment.smtpUrl, from: environment.emailFrom, to, origin: 'environment' };
    }
  }
  return {
    slack: stored?.slack ? { ...stored.slack, origin: 'project' } : fromEnvironment.slack,
    webhook: stored?.webhook ? { ...stored.webhook, origin: 'project' } : fromEnvironment.webhook,
    email,
  };
}

/** The host of a URL as written, percent-escapes decoded (`smtp://` hosts are not normalised by `URL`). */
function hostOf(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).hostname);
  } catch {
    return undefined;
  }
}

/**
 * The save-time half of the SSRF rule: a webhook or SMTP host that is written as a loopback,
 * private, link-local or metadata address (in any spelling) is refused with the field and the
 * reason. Host names pass here; the address they resolve to is checked when connecting.
 */
export function refusedChannelDestination(settings: ChannelSettings): { field: string; message: string } | undefined {
  const destinations: Array<[string, string | undefined]> = [
    ['webhook.url', settings.webhook?.url],
    ['email.smtpUrl', settings.email?.smtpUrl],
  ];
  for (const [field, url] of destinations) {
    if (url === undefined) continue;
    const host = hostOf(url);
    const refused = host === undefined ? 'not a URL with a host' : refusedHost(host);
    if (refused) return { field, message: refused };
  }
  return undefined;
}

/** What `GET /api/v1/settings/channels` answers: everything but the secrets, which are masked. */
export type RedactedChannelSettings = {
  slack: { botToken: string; channel: string } | null;
  webhook: { url: string } | null;
  email: { smtpUrl?: string; from: string; to: string[] } | null;
};

/** `xoxb-…7f3a`: enough to tell two tokens apart, not enough to use one. */
function maskToken(token: string): string {
  const prefix = /^xox[a-z]-/.exec(token)?.[0] ?? '';
  return `${prefix}…${token.length > prefix.length + 8 ? token.slice(-4) : ''}`;
}

/** The webhook's path is its secret: keep the host so people recognise it. */
function maskWebhookUrl(url: string): string {
  try {
    return `${new URL(url).origin}/…`;
  } catch {
    return '…';
  }
}

/** The password goes; user, host and port stay. */
function maskSmtpUrl(url: string): string {
  return url.replace(/^(smtps?:\/\/[^:@/]*):[^@/]*@/, '$1:***@');
}

export function redactChannelSettings(settings: ChannelSettings | ResolvedChannelSettings): RedactedChannelSettings {
  return {
    slack: settings.slack && { botToken: maskToken(settings.slack.botToken), channel: settings.slack.channel },
    webhook: settings.webhook && { url: maskWebhookUrl(settings.webhook.url) },
    email: settings.email && {
      ...(settings.email.smtpUrl ? { smtpUrl: maskSmtpUrl(settings.email.smtpUrl) } : {}),
      from: settings.email.from,
      to: [...settings.email.to],
    },
  };
}

/**
 * A dashboard edits what GET returned and PUTs it back, masked secrets included. A secret that
 * comes back exactly as it was masked means "unchanged": the stored one is kept, so saving the
 * form never overwrites a token with `xoxb-…7f3a`.
 */
export function keepUnchangedSecrets(current: ChannelSettings | null, update: ChannelSettings): ChannelSettings {
  if (!current) return update;
  const redacted = redactChannelSettings(current);
  return {
    slack:
      update.slack && current.slack && update.slack.botToken === redacted.slack?.botToken
        ? { ...update.slack, botToken: current.slack.botToken }
        : update.slack,
    webhook: update.webhook && current.webhook && update.webhook.url === redacted.webhook?.url ? current.webhook : update.webhook,
    email:
      update.email && current.email?.smtpUrl && update.email.smtpUrl === redacted.email?.smtpUrl
        ? { ...update.email, smtpUrl: current.email.smtpUrl }
        : update.email,
  };
}
