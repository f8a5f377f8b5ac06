import { describe, expect, it } from 'vitest';
import {
  CostscopeChannelConfigError,
  channelSettingsFromEnv,
  channelSettingsSchema,
  createChannels,
  keepUnchangedSecrets,
  loadAlertDeliveryConfig,
  redactChannelSettings,
  resolveChannelSettings,
} from '../../../src/alerts/channels/index.js';

const env = {
  SLACK_BOT_TOKEN: 'xoxb-1234-5678-abcdefghijkl',
  SLACK_CHANNEL: '#cost-alerts',
  SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T000/B000/XXXXSECRET',
  SMTP_URL: 'smtp://alerts:hunter2@mail.example.com:587',
  ALERT_EMAIL_FROM: 'Costscope <alerts@example.com>',
  ALERT_EMAIL_TO: 'oncall@example.com, finance@example.com',
};

describe(channelSettingsFromEnv.name, () => {
  it('reads the three channels from the environment of DESIGN.md', () => {
    expect(channelSettingsFromEnv(env)).toEqual({
      slack: { botToken: 'xoxb-1234-5678-abcdefghijkl', channel: '#cost-alerts', origin: 'environment' },
      webhook: { url: 'https://hooks.slack.com/services/T000/B000/XXXXSECRET', origin: 'environment' },
      email: {
        smtpUrl: 'smtp://alerts:hunter2@mail.example.com:587',
        from: 'Costscope <alerts@example.com>',
        to: ['oncall@example.com', 'finance@example.com'],
        origin: 'environment',
      },
    });
    expect(channelSettingsFromEnv({})).toEqual({ slack: null, webhook: null, email: null });
  });

  it('names the missing variable when one of a pair is set', () => {
    expect(() => channelSettingsFromEnv({ SLACK_BOT_TOKEN: env.SLACK_BOT_TOKEN })).toThrow(/SLACK_CHANNEL is missing/);
    expect(() => channelSettingsFromEnv({ ALERT_EMAIL_TO: 'a@example.com' })).toThrow(/missing SMTP_URL, ALERT_EMAIL_FROM/);
    expect(() => channelSettingsFromEnv({ SLACK_WEBHOOK_URL: 'not a url' })).toThrow(CostscopeChannelConfigError);
    expect(() => channelSettingsFromEnv({ ...env, ALERT_EMAIL_TO: 'oncall' })).toThrow(/ALERT_EMAIL_TO/);
    expect(() => channelSettingsFromEnv({ ALERT_EMAIL_FROM: 'alerts@example.com' })).toThrow(/missing SMTP_URL, ALERT_EMAIL_TO/);
  });

  it('reads SMTP_URL with ALERT_EMAIL_FROM alone as a relay for projects, not as a channel', () => {
    expect(channelSettingsFromEnv({ SMTP_URL: env.SMTP_URL, ALERT_EMAIL_FROM: env.ALERT_EMAIL_FROM }).email).toBeNull();
    expect(() => channelSettingsFromEnv({ SMTP_URL: env.SMTP_URL, ALERT_EMAIL_FROM: 'nobody' })).toThrow(/ALERT_EMAIL_FROM/);
  });
});

describe(redactChannelSettings.name, () => {
  it('never echoes a token, a webhook path or an SMTP password', () => {
    const redacted = redactChannelSettings(channelSettingsFromEnv(env));
    const shown = JSON.stringify(redacted);
    expect(shown).not.toContain('abcdefghijkl');
    expect(shown).not.toContain('XXXXSECRET');
    expect(shown).not.toContain('hunter2');
    expect(redacted).toEqual({
      slack: { botToken: 'xoxb-…ijkl', channel: '#cost-alerts' },
      webhook: { url: 'https://hooks.slack.com/…' },
      email: { smtpUrl: 'smtp://alerts:***@mail.example.com:587', from: 'Costscope <alerts@example.com>', to: ['oncall@example.com', 'finance@example.com'] },
    });
  });
});

describe(keepUnchangedSecrets.name, () => {
  it('keeps stored secrets when the dashboard sends back their masked form, and takes new ones', () => {
    const stored = channelSettingsSchema.parse({
      slack: { botToken: env.SLACK_BOT_TOKEN, channel: '#cost-alerts' },
      webhook: { url: env.SLACK_WEBHOOK_URL },
      email: { smtpUrl: env.SMTP_URL, from: 'alerts@example.com', to: ['a@example.com'] },
    });
    const edited = channelSettingsSchema.parse({ ...redactChannelSettings(stored), slack: { botToken: 'xoxb-…ijkl', channel: '#other' } });
    expect(keepUnchangedSecrets(stored, edited)).toEqual({ ...stored, slack: { botToken: env.SLACK_BOT_TOKEN, channel: '#other' } });

    const replaced = channelSettingsSchema.parse({ ...edited, slack: { botToken: 'xoxb-new-token-0000', channel: '#other' } });
    expect(keepUnchangedSecrets(stored, replaced).slack?.botToken).toBe('xoxb-new-token-0000');
  });
});

describe(resolveChannelSettings.name, () => {
  it('lets stored settings win channel by channel and fills email’s SMTP URL from the environment', () => {
    const stored = channelSettingsSchema.parse({ email: { from: 'alerts@example.com', to: ['team@example.com'] } });
    const resolved = resolveChannelSettings(stored, loadAlertDeliveryConfig(env), 'default');
    expect(resolved.email).toEqual({ smtpUrl: env.SMTP_URL, from: 'Costscope <alerts@example.com>', to: ['team@example.com'], origin: 'environment' });
    expect(resolved.slack).toMatchObject({ channel: '#cost-alerts', origin: 'environment' });
    expect(() => resolveChannelSettings(stored, loadAlertDeliveryConfig({}), 'default')).toThrow(/SMTP_URL/);
  });

  it('sends a project’s email through the operator’s SMTP only from ALERT_EMAIL_FROM, to the project’s own recipients', () => {
    const stored = channelSettingsSchema.parse({ email: { from: 'ceo@bank.example', to: ['team@example.com'] } });
    const resolved = resolveChannelSettings(stored, loadAlertDeliveryConfig(env), 'team-b');
    expect(resolved.email).toMatchObject({ from: 'Costscope <alerts@example.com>', to: ['team@example.com'] });
    expect(() => resolveChannelSettings(stored, loadAlertDeliveryConfig({ SMTP_URL: env.SMTP_URL }), 'team-b')).toThrow(/ALERT_EMAIL_FROM/);
    // With its own SMTP server, the sender is the project's to choose.
    const own = channelSettingsSchema.parse({ email: { smtpUrl: 'smtp://mail.team-b.example', from: 'ceo@team-b.example', to: ['a@team-b.example'] } });
    expect(resolveChannelSettings(own, loadAlertDeliveryConfig(env), 'team-b').email).toMatchObject({ from: 'ceo@team-b.example', origin: 'project' });
  });

  it('serves the environment’s channels to the default project only, unless COSTSCOPE_ENV_CHANNELS_FOR says otherwise', () => {
    expect(resolveChannelSettings(null, loadAlertDeliveryConfig(env), 'team-b')).toEqual({ slack: null, webhook: null, email: null });
    expect(resolveChannelSettings(null, loadAlertDeliveryConfig(env), 'default').slack).not.toBeNull();
    const forB = loadAlertDeliveryConfig({ ...env, COSTSCOPE_ENV_CHANNELS_FOR: 'default, team-b' });
    expect(resolveChannelSettings(null, forB, 'team-b').webhook).not.toBeNull();
    expect(resolveChannelSettings(null, forB, 'team-c').webhook).toBeNull();
    expect(resolveChannelSettings(null, loadAlertDeliveryConfig({ ...env, COSTSCOPE_ENV_CHANNELS_FOR: '*' }), 'team-c').email).not.toBeNull();
    expect(() => loadAlertDeliveryConfig({ COSTSCOPE_ENV_CHANNELS_FOR: 'a,,b' })).toThrow(/COSTSCOPE_ENV_CHANNELS_FOR/);
  });

  it('builds one channel per configured kind', () => {
    const built = createChannels(resolveChannelSettings(null, loadAlertDeliveryConfig(env), 'default'));
    expect(built.map((channel) => channel.name)).toEqual(['slack', 'webhook', 'email']);
    for (const channel of built) void channel.close?.();
  });
});

describe('channelSettingsSchema', () => {
  it('rejects what cannot work', () => {
    expect(channelSettingsSchema.safeParse({ slack: { botToken: 'not-a-token', channel: '#x' } }).success).toBe(false);
    expect(channelSettingsSchema.safeParse({ webhook: { url: 'ftp://example.com/hook' } }).success).toBe(false);
    expect(channelSettingsSchema.safeParse({ email: { from: 'a@example.com', to: [] } }).success).toBe(false);
    expect(channelSettingsSchema.parse({})).toEqual({ slack: null, webhook: null, email: null });
  });
});

describe(loadAlertDeliveryConfig.name, () => {
  it('reads the dashboard address, the Slack API address and SMTP_URL, naming a bad one', () => {
    expect(loadAlertDeliveryConfig({ COSTSCOPE_DASHBOARD_URL: 'https://costs.example.com/', SLACK_API_URL: 'http://127.0.0.1:9/api/' })).toMatchObject({
      dashboardUrl: 'https://costs.example.com',
      slackApiUrl: 'http://127.0.0.1:9/api/',
      smtpUrl: undefined,
    });
    expect(loadAlertDeliveryConfig({}).dashboardUrl).toBe('http://localhost:3000');
    expect(() => loadAlertDeliveryConfig({ COSTSCOPE_DASHBOARD_URL: 'costs.example.com' })).toThrow(/COSTSCOPE_DASHBOARD_URL/);
    expect(() => loadAlertDeliveryConfig({ SMTP_URL: 'mail.example.com' })).toThrow(/SMTP_URL/);
  });
});
