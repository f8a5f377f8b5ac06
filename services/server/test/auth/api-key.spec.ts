import { describe, expect, it } from 'vitest';
import { bearerKey } from '../../src/auth/api-key.js';

describe('the Authorization header', () => {
  it.each([
    ['Bearer cs_secretsecret', 'cs_secretsecret'],
    ['bearer   cs_secretsecret  ', 'cs_secretsecret'],
    [['Bearer cs_first_key', 'Bearer cs_second'], 'cs_first_key'],
  ])('gives the key in %j', (header, key) => {
    expect(bearerKey(header)).toBe(key);
  });

  it.each([undefined, '', 'Basic dXNlcjpwYXNz', 'Bearer', 'Bearer short', 'Bearer two words'])(
    'gives no key for %j',
    (header) => {
      expect(bearerKey(header)).toBeUndefined();
    },
  );
});
