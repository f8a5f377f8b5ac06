import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChannelSecretBox, openChannelSettings, sealChannelSettings } from '../../src/alerts/channels/channel-secrets.js';
import { channelSettingsSchema } from '../../src/alerts/channels/channel-settings.js';
import { ProjectChannels } from '../../src/alerts/channels/project-channels.js';
import { loadOrCreateSecretKey, parseSecretKey } from '../../src/config/secret-key.js';
import { loadServerConfig } from '../../src/config/server-config.js';
import { putSetting as storeSettingRow } from '../../src/storage/settings.js';
import { startServer, type RunningServer } from '../support/running-server.js';
import { createProject } from './support/alert-harness.js';

/**
 * Channel secrets at rest: what a project saves is stored encrypted (every version), rows written
 * in clear before encryption are rewritten at start, a wrong key stops the start with a clear
 * message, and the answers keep masking secrets.
 */
const TOKEN = 'xoxb-1111-2222-tokensecret9f3e';
const WEBHOOK = 'https://hooks.slack.com/services/T000/B000/webhooksecret7c1d';
const SMTP_PASSWORD = 'smtppassword5a2b';
const SMTP_URL = `smtp://alerts:${SMTP_PASSWORD}@mail.example.com:587`;
const SECRETS = ['tokensecret9f3e', 'webhooksecret7c1d', SMTP_PASSWORD, 'mail.example.com'];

const channels = {
  slack: { botToken: TOKEN, channel: '#costs' },
  webhook: { url: WEBHOOK },
  email: { smtpUrl: SMTP_URL, from: 'alerts@example.com', to: ['team@example.com'] },
};

/** Every stored row of the settings table, as storage holds it (history included). */
async function rawSettingRows(server: RunningServer): Promise<string> {
  const rows = await server.transport.query<{ value_json: string }>({ sql: 'SELECT value_json FROM project_settings', tag: { operation: 'test.rawSettings' } });
  return rows.map((row) => row.value_json).join('\n');
}

describe(ChannelSecretBox.name, () => {
  const box = new ChannelSecretBox(randomBytes(32));

  it('opens what it sealed, and only for the same project and field', () => {
    const sealed = box.seal(TOKEN, 'project a channels.slack.botToken');
    expect(sealed).toMatch(/^cs1:[0-9a-f]{8}:/);
    expect(sealed).not.toContain('tokensecret');
    expect(box.open(sealed, 'project a channels.slack.botToken')).toBe(TOKEN);
    expect(box.seal(TOKEN, 'x')).not.toBe(box.seal(TOKEN, 'x'));
    expect(() => box.open(sealed, 'project b channels.slack.botToken')).toThrow(/cannot be decrypted/);
    const tampered = `${sealed.slice(0, -4)}${sealed.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    expect(() => box.open(tampered, 'project a channels.slack.botToken')).toThrow(/cannot be decrypted/);
  });

  it('says when a value was written with another key instead of returning garbage', () => {
    const sealed = new ChannelSecretBox(randomBytes(32)).seal(TOKEN, 'ctx');
    expect(() => box.open(sealed, 'ctx')).toThrow(/encrypted with another key.*COSTSCOPE_SECRET_KEY/);
  });

  it('round-trips a whole channels setting, leaving the rest readable', () => {
    const settings = channelSettingsSchema.parse(channels);
    const stored = sealChannelSettings(box, 'p1', settings);
    expect(JSON.stringify(stored)).not.toMatch(new RegExp(SECRETS.join('|')));
    expect(stored.email).toMatchObject({ from: 'alerts@example.com', to: ['team@example.com'] });
    expect(channelSettingsSchema.parse(openChannelSettings(box, 'p1', stored))).toEqual(settings);
  });
});

describe('the secret key', () => {
  it('reads COSTSCOPE_SECRET_KEY as base64 or hex, and refuses anything else without repeating it', () => {
    const key = randomBytes(32);
    expect(parseSecretKey(key.toString('base64'))).toEqual(key);
    expect(parseSecretKey(key.toString('base64url'))).toEqual(key);
    expect(parseSecretKey(key.toString('hex'))).toEqual(key);
    expect(parseSecretKey('too-short')).toBeUndefined();
    expect(loadServerConfig({ COSTSCOPE_SECRET_KEY: key.toString('hex') }).secretKey).toEqual(key);
    expect(() => loadServerConfig({ COSTSCOPE_SECRET_KEY: 'hunter2-not-a-key' })).toThrow(/COSTSCOPE_SECRET_KEY: must be 32 bytes/);
    expect(() => loadServerConfig({ COSTSCOPE_SECRET_KEY: 'hunter2-not-a-key' })).not.toThrow(/hunter2/);
  });

  it('is generated once into the data directory (0700) as a 0600 file, and read back on later starts', async () => {
    const parent = mkdtempSync(path.join(tmpdir(), 'costscope-key-'));
    const dataDir = path.join(parent, 'data');
    try {
      const first = await loadOrCreateSecretKey({ envKey: undefined, dataDir });
      expect(first.source).toBe('generated');
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      expect(statSync(path.join(dataDir, 'secret.key')).mode & 0o777).toBe(0o600);
      const second = await loadOrCreateSecretKey({ envKey: undefined, dataDir });
      expect(second).toMatchObject({ source: 'file' });
      expect(second.key).toEqual(first.key);
      writeFileSync(path.join(dataDir, 'secret.key'), 'garbage\n');
      await expect(loadOrCreateSecretKey({ envKey: undefined, dataDir })).rejects.toThrow(/does not hold a 32-byte key/);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});

describe('channel settings in storage', () => {
  let server: RunningServer;
  let auth: { Authorization: string };
  const project = 'p-secrets';
  const key = randomBytes(32).toString('base64');

  beforeAll(async () => {
    server = await startServer({ COSTSCOPE_SECRET_KEY: key });
    auth = await createProject(server, project);
  });
  afterAll(async () => {
    await server?.close();
  });

  const put = (value: unknown) =>
    fetch(`${server.baseUrl}/api/v1/settings/channels`, { method: 'PUT', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(value) });

  it('stores no token, webhook URL or SMTP password in clear, in any version, and answers them masked', async () => {
    expect((await put(channels)).status).toBe(200);
    // A second version, as the dashboard saves it: masked secrets sent back mean "unchanged".
    const shown = (await (await fetch(`${server.baseUrl}/api/v1/settings/channels`, { headers: auth })).json()) as { value: Record<string, unknown> };
    expect(JSON.stringify(shown)).not.toMatch(new RegExp(SECRETS.slice(0, 3).join('|')));
    expect((await put({ ...shown.value, slack: { ...(shown.value['slack'] as object), channel: '#other' } })).status).toBe(200);

    const raw = await rawSettingRows(server);
    expect(raw.match(/cs1:/g)?.length).toBeGreaterThanOrEqual(6);
    for (const secret of SECRETS) expect(raw).not.toContain(secret);
    expect((await server.app.get(ProjectChannels).read(project)).settings).toEqual(channelSettingsSchema.parse({ ...channels, slack: { ...channels.slack, channel: '#other' } }));
  });

  it('encrypts, at the next start, rows written in clear before encryption existed, history included', async () => {
    await storeSettingRow(server.transport, { projectId: 'p-legacy', kind: 'channels', value: channelSettingsSchema.parse(channels) });
    await storeSettingRow(server.transport, { projectId: 'p-legacy', kind: 'channels', value: channelSettingsSchema.parse({ webhook: channels.webhook }) });
    expect(await rawSettingRows(server)).toContain('tokensecret9f3e');

    const dataDir = server.config.dataDir;
    await server.close({ keepData: true });
    server = await startServer({ COSTSCOPE_SECRET_KEY: key, COSTSCOPE_DATA_DIR: dataDir });

    const raw = await rawSettingRows(server);
    for (const secret of SECRETS) expect(raw).not.toContain(secret);
    expect((await server.app.get(ProjectChannels).read('p-legacy')).settings?.webhook).toEqual(channels.webhook);
  });

  it('refuses to start with another key, saying which variable to set', async () => {
    const dataDir = server.config.dataDir;
    await server.close({ keepData: true });
    await expect(startServer({ COSTSCOPE_SECRET_KEY: randomBytes(32).toString('base64'), COSTSCOPE_DATA_DIR: dataDir })).rejects.toThrow(
      /encrypted with another key.*COSTSCOPE_SECRET_KEY/,
    );
    server = await startServer({ COSTSCOPE_SECRET_KEY: key, COSTSCOPE_DATA_DIR: dataDir });
    expect((await server.app.get(ProjectChannels).read(project)).settings?.slack?.botToken).toBe(TOKEN);
  });
});
