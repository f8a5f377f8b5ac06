import { describe, expect, it } from 'vitest';
import { bearerKey, describeApiKey, generateApiKey, hashApiKey, isGeneratedApiKeyFormat, sameKeyHash } from '../../src/auth/api-key.js';

describe('project API keys', () => {
  it('are long random secrets, different every time, and never stored in the clear', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(a.key).not.toBe(b.key);
    expect(isGeneratedApiKeyFormat(a.key)).toBe(true);
    expect(a.keyHash).toBe(hashApiKey(a.key));
    expect(a.keyHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify({ ...a, key: undefined })).not.toContain(a.key.slice(3));
  });

  it('show a recognisable prefix and a public id that is not part of the secret', () => {
    const described = describeApiKey('cs_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG');
    expect(described.keyPrefix).toBe('cs_abcd…');
    expect(described.keyId).toBe(described.keyHash.slice(0, 16));
  });

  it.each([
    ['Bearer cs_secretsecret', 'cs_secretsecret'],
    ['bearer   cs_secretsecret  ', 'cs_secretsecret'],
    [['Bearer cs_first_key', 'Bearer cs_second'], 'cs_first_key'],
  ])('read the key from %j', (header, key) => {
    expect(bearerKey(header)).toBe(key);
  });

  it.each([undefined, '', 'Basic dXNlcjpwYXNz', 'Bearer', 'Bearer short', 'Bearer two words'])(
    'treat %j as no key at all',
    (header) => {
      expect(bearerKey(header)).toBeUndefined();
    },
  );

  it('compare hashes exactly', () => {
    const hash = hashApiKey('cs_one');
    expect(sameKeyHash(hash, hashApiKey('cs_one'))).toBe(true);
    expect(sameKeyHash(hash, hashApiKey('cs_two'))).toBe(false);
    expect(sameKeyHash(hash, hash.slice(1))).toBe(false);
  });
});
