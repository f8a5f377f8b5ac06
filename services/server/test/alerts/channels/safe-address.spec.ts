import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import {
  blockedRange,
  guardedLookup,
  isAddressNotAllowed,
  parseLegacyIPv4,
  publicAddressesOnly,
  refusedHost,
} from '../../../src/alerts/channels/safe-address.js';
import { channelSettingsSchema, refusedChannelDestination } from '../../../src/alerts/channels/channel-settings.js';

describe(blockedRange.name, () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.100.100.200', 'carrier-grade NAT'],
    ['169.254.169.254', 'link-local'],
    ['192.0.0.192', 'IETF protocol assignments'],
    ['198.18.0.1', 'benchmarking'],
    ['224.0.0.251', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:10.0.0.1', 'private'],
    ['::127.0.0.1', 'loopback'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['2002:7f00:1::', 'loopback'],
    ['2002:c0a8:101::1', 'private'],
    ['fd00:ec2::254', 'unique local'],
    ['fc00::1', 'unique local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'documentation'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'IETF protocol assignments'],
    ['[::1]', 'loopback'],
    ['metadata.google.internal', 'not an IP address'],
  ])('refuses %s (%s)', (address, range) => {
    expect(blockedRange(address)).toBe(range);
    expect(publicAddressesOnly(address, 443)).toBe(false);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '169.255.0.1', '::ffff:8.8.8.8', '2606:4700:4700::1111', '2a00:1450:4001:82b::200e', '64:ff9b::808:808'])(
    'allows the public address %s',
    (address) => {
      expect(blockedRange(address)).toBeUndefined();
      expect(publicAddressesOnly(address, 443)).toBe(true);
    },
  );
});

describe(parseLegacyIPv4.name, () => {
  it.each([
    ['2130706433', '127.0.0.1'],
    ['0x7f000001', '127.0.0.1'],
    ['017700000001', '127.0.0.1'],
    ['0x7f.1', '127.0.0.1'],
    ['127.1', '127.0.0.1'],
    ['0177.0.0.01', '127.0.0.1'],
    ['10.1', '10.0.0.1'],
    ['169.254.43518', '169.254.169.254'],
    ['8.8.8.8', '8.8.8.8'],
  ])('reads %s as %s, as a resolver would', (text, address) => {
    expect(parseLegacyIPv4(text)?.join('.')).toBe(address);
  });

  it.each(['1.2.3.256', '4294967296', '08', '1..2', 'example.com', '1.2.3.4.5'])('does not take %s for an address', (text) => {
    expect(parseLegacyIPv4(text)).toBeUndefined();
  });
});

describe(refusedHost.name, () => {
  it('refuses blocked addresses in every spelling and names of this machine, and lets other names through to the connect-time check', () => {
    for (const host of ['127.0.0.1', '2130706433', '0x7f.1', '[::ffff:127.0.0.1]', '[::1]', '169.254.169.254', '127.0.0.1.', 'localhost', 'LOCALHOST.', 'api.localhost', 'metadata.google.internal', 'metadata']) {
      expect(refusedHost(host), host).toMatch(/not allowed|may not/);
    }
    for (const host of ['hooks.slack.com', 'smtp.example.com', '8.8.8.8']) expect(refusedHost(host), host).toBeUndefined();
  });

  it('checks the webhook and SMTP hosts of a channels setting, naming the field', () => {
    const settings = (value: unknown) => channelSettingsSchema.parse(value);
    expect(refusedChannelDestination(settings({ webhook: { url: 'http://2130706433/hook' } }))).toMatchObject({ field: 'webhook.url' });
    expect(refusedChannelDestination(settings({ webhook: { url: 'http://[::ffff:127.0.0.1]:8080/' } }))).toMatchObject({ field: 'webhook.url' });
    expect(refusedChannelDestination(settings({ email: { smtpUrl: 'smtp://u:p@0x7f.1:25', from: 'a@example.com', to: ['b@example.com'] } }))).toMatchObject({
      field: 'email.smtpUrl',
    });
    expect(refusedChannelDestination(settings({ email: { smtpUrl: 'smtp://%6c%6fcalhost:25', from: 'a@example.com', to: ['b@example.com'] } }))).toMatchObject({
      field: 'email.smtpUrl',
    });
    expect(refusedChannelDestination(settings({ webhook: { url: 'https://hooks.slack.com/services/T/B/X' } }))).toBeUndefined();
  });
});

describe(guardedLookup.name, () => {
  /** A resolver whose answers a test scripts, one per lookup: what DNS rebinding looks like. */
  function scriptedResolver(...answers: string[][]) {
    const calls: string[] = [];
    const resolve = ((hostname: string, _options: unknown, callback: (error: Error | null, addresses: LookupAddress[]) => void) => {
      calls.push(hostname);
      const next = answers.shift() ?? [];
      callback(null, next.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
    }) as never;
    return { resolve, calls };
  }

  function lookup(lookupFn: ReturnType<typeof guardedLookup>, all = false): Promise<unknown> {
    return new Promise((resolve, reject) => lookupFn('hooks.example.com', { all }, (error, address) => (error ? reject(error) : resolve(address))));
  }

  it('passes public answers on, and refuses when a later answer for the same name points inside (rebinding)', async () => {
    const { resolve, calls } = scriptedResolver(['8.8.4.4'], ['127.0.0.1']);
    const guarded = guardedLookup(publicAddressesOnly, 443, resolve);
    await expect(lookup(guarded)).resolves.toBe('8.8.4.4');
    const refused = await lookup(guarded).catch((error: unknown) => error);
    expect(isAddressNotAllowed(refused)).toBe(true);
    expect(calls).toEqual(['hooks.example.com', 'hooks.example.com']);
  });

  it('refuses a name when any of its addresses is blocked, so a connect cannot fall through to it', async () => {
    const { resolve } = scriptedResolver(['8.8.8.8', '::ffff:10.0.0.5']);
    const refused = await lookup(guardedLookup(publicAddressesOnly, 443, resolve), true).catch((error: unknown) => error);
    expect(isAddressNotAllowed(refused)).toBe(true);
  });

  it('refuses localhost-like names without asking DNS', async () => {
    const { resolve, calls } = scriptedResolver(['8.8.8.8']);
    const guarded = guardedLookup(publicAddressesOnly, 443, resolve);
    const refused = await new Promise((done) => guarded('localhost', {}, (error) => done(error)));
    expect(isAddressNotAllowed(refused)).toBe(true);
    expect(calls).toEqual([]);
  });
});
