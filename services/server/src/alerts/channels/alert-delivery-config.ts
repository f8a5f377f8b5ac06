import { z } from 'zod';
import { dashboardBaseUrl } from '../messages/dashboard-links.js';
import {
  CostscopeChannelConfigError,
  channelSettingsFromEnv,
  type EnvironmentChannelProjects,
  type ResolvedChannelSettings,
} from './channel-settings.js';

/** Everything delivery reads from the environment, parsed once at start. */
export type AlertDeliveryConfig = {
  /** `COSTSCOPE_DASHBOARD_URL`, without a trailing slash; messages link here. */
  dashboardUrl: string;
  /** `SLACK_API_URL`, when set. */
  slackApiUrl: string | undefined;
  /** `SMTP_URL`: also the server for email recipients set through the settings API. */
  smtpUrl: string | undefined;
  /** `ALERT_EMAIL_FROM`: also the sender of projects' email sent through `SMTP_URL`. */
  emailFrom: string | undefined;
  /** The channels the environment configures (DESIGN.md's variables). */
  channels: ResolvedChannelSettings;
  /** `COSTSCOPE_ENV_CHANNELS_FOR`: the projects those channels serve (`default` unless set; `*` for all). */
  envChannelsFor: EnvironmentChannelProjects;
};

const httpUrl = z.url({ protocol: /^https?$/ });

/**
 * Reads and checks the delivery settings; a bad value fails the start with the variable's name
 * (explicit setting → environment → default, as elsewhere in the server).
 */
export function loadAlertDeliveryConfig(env: NodeJS.ProcessEnv = process.env): AlertDeliveryConfig {
  const dashboardUrl = dashboardBaseUrl(env);
  if (!httpUrl.safeParse(dashboardUrl).success) {
    throw new CostscopeChannelConfigError(`Invalid alert channel setting — COSTSCOPE_DASHBOARD_URL: not an http(s) URL: ${dashboardUrl}`);
  }
  const slackApiUrl = env['SLACK_API_URL']?.trim() || undefined;
  if (slackApiUrl && !httpUrl.safeParse(slackApiUrl).success) {
    throw new CostscopeChannelConfigError(`Invalid alert channel setting — SLACK_API_URL: not an http(s) URL: ${slackApiUrl}`);
  }
  const smtpUrl = env['SMTP_URL']?.trim() || undefined;
  if (smtpUrl && !/^smtps?:\/\/\S+$/.test(smtpUrl)) {
    throw new CostscopeChannelConfigError('Invalid alert channel setting — SMTP_URL: expected smtp://user:pass@host:587 or smtps://user:pass@host:465');
  }
  const channels = channelSettingsFromEnv(env);
  const emailFrom = env['ALERT_EMAIL_FROM']?.trim() || undefined;
  return { dashboardUrl, slackApiUrl, smtpUrl, emailFrom, channels, envChannelsFor: parseEnvChannelsFor(env['COSTSCOPE_ENV_CHANNELS_FOR']) };
}

/** `default` when unset; `*` for every project; else a comma-separated list of project ids. */
function parseEnvChannelsFor(value: string | undefined): EnvironmentChannelProjects {
  const text = value?.trim() || 'default';
  if (text === '*') return '*';
  const projects = text.split(',').map((project) => project.trim());
  if (projects.some((project) => project === '' || project === '*')) {
    throw new CostscopeChannelConfigError('Invalid alert channel setting — COSTSCOPE_ENV_CHANNELS_FOR: expected * or project ids separated by commas (default,team-a)');
  }
  return projects;
}

/**
 * Nest injection token for the config, for `{ provide: ALERT_DELIVERY_CONFIG, useFactory: () =>
 * loadAlertDeliveryConfig() }` and `@Inject(ALERT_DELIVERY_CONFIG)` (no decorator metadata here).
 */
export const ALERT_DELIVERY_CONFIG = Symbol.for('costscope.alertDeliveryConfig');
