import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { CostscopeSecretKeyError } from '../../config/secret-key.js';
import type { ChannelSettings } from './channel-settings.js';

/** `cs1:<key id>:<base64url of iv ‖ ciphertext ‖ tag>`: what a stored secret looks like. */
const SEALED = /^cs1:([0-9a-f]{8}):([A-Za-z0-9_-]+)$/;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-256-GCM for the channel secrets a project stores (Slack token, webhook URL, SMTP URL).
 * Each value is bound to its project and field (the GCM additional data), so a ciphertext copied
 * into another project's row, or into another field, does not open. The key id (an HMAC of a
 * constant, which reveals nothing of the key) tells "written with another key" apart from
 * "damaged", so a start with the wrong key says which.
 */
export class ChannelSecretBox {
  readonly keyId: string;

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new CostscopeSecretKeyError('the channel secret key must be 32 bytes');
    this.keyId = createHmac('sha256', key).update('costscope channel secrets key id').digest('hex').slice(0, 8);
  }

  static isSealed(value: unknown): value is string {
    return typeof value === 'string' && SEALED.test(value);
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `cs1:${this.keyId}:${Buffer.concat([iv, ciphertext, cipher.getAuthTag()]).toString('base64url')}`;
  }

  open(sealed: string, context: string): string {
    const match = SEALED.exec(sealed);
    if (!match) throw new CostscopeSecretKeyError(`${context}: not an encrypted value`);
    if (match[1] !== this.keyId) {
      throw new CostscopeSecretKeyError(
        `${context} was encrypted with another key (key id ${match[1]}, this process has ${this.keyId}): set COSTSCOPE_SECRET_KEY to the key it was written with, the same on every api and scheduler process`,
      );
    }
    const bytes = Buffer.from(match[2] ?? '', 'base64url');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch (error) {
      throw new CostscopeSecretKeyError(`${context} cannot be decrypted: the stored value is damaged or was moved from another project`, {
        cause: error,
      });
    }
  }
}

/** The fields of the channel setting that are secrets, by path. */
type SecretField = 'slack.botToken' | 'webhook.url' | 'email.smtpUrl';

/** Any JSON object as stored: the same shape as `ChannelSettings`, with secrets sealed. */
type StoredShape = { slack?: Record<string, unknown> | null; webhook?: Record<string, unknown> | null; email?: Record<string, unknown> | null };

function mapSecrets(value: StoredShape, map: (secret: unknown, field: SecretField) => unknown): StoredShape {
  const withField = (section: Record<string, unknown> | null | undefined, key: string, field: SecretField) =>
    section && key in section ? { ...section, [key]: map(section[key], field) } : section;
  return {
    ...value,
    slack: withField(value.slack, 'botToken', 'slack.botToken'),
    webhook: withField(value.webhook, 'url', 'webhook.url'),
    email: withField(value.email, 'smtpUrl', 'email.smtpUrl'),
  };
}

const contextOf = (projectId: string, field: SecretField) => `project ${projectId} channels.${field}`;

/** What is written to storage: the settings with every secret sealed. */
export function sealChannelSettings(box: ChannelSecretBox, projectId: string, settings: ChannelSettings): StoredShape {
  return mapSecrets(settings, (secret, field) => (typeof secret === 'string' && !ChannelSecretBox.isSealed(secret) ? box.seal(secret, contextOf(projectId, field)) : secret));
}

/**
 * The stored value with its secrets opened, ready for `channelSettingsSchema`. A secret still in
 * clear (written before encryption, not yet rewritten by `sealStoredChannelSecrets`) is read as is.
 */
export function openChannelSettings(box: ChannelSecretBox, projectId: string, stored: unknown): unknown {
  if (typeof stored !== 'object' || stored === null) return stored;
  return mapSecrets(stored as StoredShape, (secret, field) => (ChannelSecretBox.isSealed(secret) ? box.open(secret, contextOf(projectId, field)) : secret));
}

/** True when a stored value still holds a secret in clear. */
export function hasClearSecrets(stored: unknown): boolean {
  if (typeof stored !== 'object' || stored === null) return false;
  let clear = false;
  mapSecrets(stored as StoredShape, (secret) => {
    if (typeof secret === 'string' && !ChannelSecretBox.isSealed(secret)) clear = true;
    return secret;
  });
  return clear;
}
