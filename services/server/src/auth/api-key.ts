import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Project API keys: `cs_` + 32 random bytes (base64url). Only the SHA-256 of a key is stored: the
 * keys are long random secrets, so a fast hash is enough (no password stretching needed), and a
 * stolen table reveals no usable key.
 */
const KEY_PREFIX = 'cs_';
const KEY_PATTERN = /^cs_[A-Za-z0-9_-]{43}$/;

export type NewApiKey = {
  /** The secret, shown to its owner once and never stored. */
  key: string;
  keyHash: string;
  /** A public id for listings and revocation, derived from the hash (not the secret). */
  keyId: string;
  /** The first characters of the key, so a person can recognise it in a listing. */
  keyPrefix: string;
};

export function generateApiKey(): NewApiKey {
  return describeApiKey(`${KEY_PREFIX}${randomBytes(32).toString('base64url')}`);
}

/** The stored form of a key the operator chose (`COSTSCOPE_API_KEY`) or one just generated. */
export function describeApiKey(key: string): NewApiKey {
  const keyHash = hashApiKey(key);
  return { key, keyHash, keyId: keyHash.slice(0, 16), keyPrefix: `${key.slice(0, 7)}…` };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Whether a string looks like a key Costscope generated (operator-chosen keys may differ). */
export function isGeneratedApiKeyFormat(key: string): boolean {
  return KEY_PATTERN.test(key);
}

/**
 * The key in an `Authorization: Bearer <key>` header, or `undefined`. Other schemes and
 * malformed headers count as no key at all.
 */
export function bearerKey(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const match = value ? /^Bearer[ \t]+(\S{8,512})[ \t]*$/i.exec(value) : null;
  return match?.[1];
}

/** Compares two hex hashes in constant time, so response timing says nothing about a stored hash. */
export function sameKeyHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}
