import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { Agent as HttpAgent, type ClientRequestArgs } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { CostscopeDeliveryError } from './delivery-error.js';

/**
 * Decides whether a channel may open a connection to `address` (an IP literal, as DNS answered
 * it) on `port`. Project settings get `publicAddressesOnly`; the operator's environment gets
 * `anyAddress`, so a self-hosted relay or a test peer on loopback keeps working.
 */
export type AddressPolicy = (address: string, port: number) => boolean;

export const anyAddress: AddressPolicy = () => true;

/** Only addresses a tenant could reach from the internet anyway: see `blockedRange`. */
export const publicAddressesOnly: AddressPolicy = (address) => blockedRange(address) === undefined;

/**
 * Names that point inside the host or the cloud it runs in whatever DNS says: refused before any
 * lookup, so they are refused on save as well as at connect time.
 */
const BLOCKED_HOST_NAMES = /^(?:localhost|.*\.localhost|metadata|metadata\.google\.internal|metadata\.goog|instance-data|instance-data\.ec2\.internal|.*\.internal)\.?$/i;

export function isBlockedHostName(host: string): boolean {
  return BLOCKED_HOST_NAMES.test(host);
}

type Range = { bytes: number[]; prefix: number; name: string };

function v4(cidr: string, name: string): Range {
  const [address, prefix] = cidr.split('/');
  return { bytes: (address ?? '').split('.').map(Number), prefix: Number(prefix), name };
}

function v6(cidr: string, name: string): Range {
  const [address, prefix] = cidr.split('/');
  return { bytes: [...(parseIPv6(address ?? '') ?? [])], prefix: Number(prefix), name };
}

/** IPv4 ranges a project's channel may not reach (RFC 6890 special-purpose, minus the global ones). */
const BLOCKED_IPV4: readonly Range[] = [
  v4('0.0.0.0/8', 'unspecified'),
  v4('10.0.0.0/8', 'private'),
  v4('100.64.0.0/10', 'carrier-grade NAT'),
  v4('127.0.0.0/8', 'loopback'),
  v4('169.254.0.0/16', 'link-local'),
  v4('172.16.0.0/12', 'private'),
  v4('192.0.0.0/24', 'IETF protocol assignments'),
  v4('192.0.2.0/24', 'documentation'),
  v4('192.88.99.0/24', '6to4 relay'),
  v4('192.168.0.0/16', 'private'),
  v4('198.18.0.0/15', 'benchmarking'),
  v4('198.51.100.0/24', 'documentation'),
  v4('203.0.113.0/24', 'documentation'),
  v4('224.0.0.0/4', 'multicast'),
  v4('240.0.0.0/4', 'reserved'),
];

const BLOCKED_IPV6: readonly Range[] = [
  v6('::/128', 'unspecified'),
  v6('::1/128', 'loopback'),
  v6('64:ff9b:1::/48', 'local NAT64'),
  v6('100::/64', 'discard-only'),
  v6('2001::/23', 'IETF protocol assignments'),
  v6('2001:db8::/32', 'documentation'),
  v6('fc00::/7', 'unique local'),
  v6('fe80::/10', 'link-local'),
  v6('fec0::/10', 'site-local'),
  v6('ff00::/8', 'multicast'),
];

function inRange(bytes: ArrayLike<number>, range: Range): boolean {
  let bits = range.prefix;
  for (let index = 0; bits > 0; index++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((bytes[index] ?? 0) & mask) !== ((range.bytes[index] ?? 0) & mask)) return false;
  }
  return true;
}

/**
 * Why a project's channel may not connect to this address (`loopback`, `private`, `link-local`…),
 * or `undefined` when it is a public unicast address. IPv6 forms that carry an IPv4 address
 * (IPv4-mapped `::ffff:127.0.0.1`, IPv4-compatible, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`) are
 * judged by that IPv4 address; anything that is not an IP literal is refused.
 */
export function blockedRange(address: string): string | undefined {
  const ipv4 = parseIPv4(address);
  if (ipv4) return BLOCKED_IPV4.find((range) => inRange(ipv4, range))?.name;
  const ipv6 = parseIPv6(address);
  if (!ipv6) return 'not an IP address';
  const embedded = embeddedIPv4(ipv6);
  if (embedded) return BLOCKED_IPV4.find((range) => inRange(embedded, range))?.name;
  return BLOCKED_IPV6.find((range) => inRange(ipv6, range))?.name;
}

function embeddedIPv4(bytes: Uint8Array): number[] | undefined {
  const zeros = (from: number, to: number) => bytes.subarray(from, to).every((byte) => byte === 0);
  // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible; `::` and `::1` are judged as IPv6 below).
  if (zeros(0, 10) && ((bytes[10] === 0xff && bytes[11] === 0xff) || (zeros(10, 12) && !zeros(12, 15)))) return [...bytes.subarray(12)];
  // 64:ff9b::a.b.c.d, the well-known NAT64 prefix: the gateway connects to the IPv4 address.
  if (bytes[0] === 0 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && zeros(4, 12)) return [...bytes.subarray(12)];
  // 2002:AABB:CCDD::/48, 6to4: the tunnel ends at AA.BB.CC.DD.
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return [...bytes.subarray(2, 6)];
  return undefined;
}

/** Dotted-quad IPv4 only (what DNS answers and WHATWG URLs normalise to); other forms: `parseLegacyIPv4`. */
function parseIPv4(text: string): number[] | undefined {
  if (isIP(text) !== 4) return undefined;
  return text.split('.').map(Number);
}

/**
 * IPv4 as `inet_aton` reads it, the way a resolver may turn a host name into an address:
 * 1 to 4 parts, each decimal, octal (`0177`) or hex (`0x7f`), the last part filling the
 * remaining bytes — `2130706433`, `0x7f.1`, `017700000001` are all 127.0.0.1.
 */
export function parseLegacyIPv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length > 4 || parts.some((part) => part === '')) return undefined;
  const values: number[] = [];
  for (const part of parts) {
    let value: number;
    if (/^0x[0-9a-f]*$/i.test(part)) value = part.length === 2 ? 0 : parseInt(part.slice(2), 16);
    else if (/^0[0-7]*$/.test(part)) value = parseInt(part, 8);
    else if (/^[1-9][0-9]*$/.test(part)) value = Number(part);
    else return undefined;
    if (!Number.isSafeInteger(value)) return undefined;
    values.push(value);
  }
  const last = values.pop() ?? 0;
  if (values.some((value) => value > 255) || last >= 256 ** (4 - values.length)) return undefined;
  const bytes = [...values];
  for (let index = 3 - values.length; index >= 0; index--) bytes.push(Math.floor(last / 256 ** index) % 256);
  return bytes;
}

/** 16 bytes of an IPv6 literal (brackets and a `%zone` allowed), or `undefined`. */
export function parseIPv6(text: string): Uint8Array | undefined {
  const address = text.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (isIP(address) !== 6) return undefined;
  let head = address;
  const bytes = new Uint8Array(16);
  // A trailing dotted quad takes the last 4 bytes.
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(head);
  let groupsEnd = 8;
  if (quad?.[1]) {
    const ipv4 = parseIPv4(quad[1]);
    if (!ipv4) return undefined;
    bytes.set(ipv4, 12);
    head = head.slice(0, -quad[1].length).replace(/:$/, '') || ':';
    if (head === ':') head = '::';
    groupsEnd = 6;
  }
  const [left = '', right] = head.split('::');
  const leftGroups = left === '' ? [] : left.split(':');
  const rightGroups = right === undefined || right === '' ? [] : right.split(':');
  const groups = [...leftGroups, ...Array<string>(groupsEnd - leftGroups.length - rightGroups.length).fill('0'), ...rightGroups];
  groups.slice(0, groupsEnd).forEach((group, index) => {
    const value = parseInt(group, 16);
    bytes[index * 2] = value >> 8;
    bytes[index * 2 + 1] = value & 0xff;
  });
  return bytes;
}

/** Where a host written in a setting points when it is an IP in any spelling; `undefined` for a name. */
function literalAddress(host: string): string | undefined {
  const bare = host.replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (isIP(bare) === 4) return bare;
  if (parseIPv6(bare)) return bare;
  const legacy = parseLegacyIPv4(bare);
  return legacy ? legacy.join('.') : undefined;
}

/**
 * The save-time check of `PUT /api/v1/settings/channels`: a host written as an IP in a blocked
 * range (in any spelling) or a name such as `localhost` is refused with the reason. Other names
 * pass here and are checked on the resolved address at connect time.
 */
export function refusedHost(host: string): string | undefined {
  if (isBlockedHostName(host)) return `${host} is not allowed: it names this machine or its cloud's metadata service`;
  const literal = literalAddress(host);
  if (literal === undefined) return undefined;
  const range = blockedRange(literal);
  return range ? `${host} is a ${range} address, which alerts may not be sent to` : undefined;
}

/**
 * The failure every refused connection reports, whatever the range — and a name that does not
 * exist reports the same, so an answer never tells an internal name that resolves from one that
 * does not. Permanent: retrying a refused address would only be refused again.
 */
export function addressNotAllowed(channel: string): CostscopeDeliveryError {
  return new CostscopeDeliveryError(channel, 'rejected', 'address_not_allowed', 'address not allowed (or host not found)');
}

const ADDRESS_NOT_ALLOWED = 'EADDRNOTALLOWED';

/** Errors the guards below raise; channels turn them into `addressNotAllowed`. */
export function isAddressNotAllowed(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    if ((current as { code?: unknown }).code === ADDRESS_NOT_ALLOWED) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

function notAllowedError(): NodeJS.ErrnoException {
  return Object.assign(new Error('address not allowed'), { code: ADDRESS_NOT_ALLOWED });
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for `net.connect` that resolves as usual and then refuses the connection unless
 * every address the name resolves to passes the policy. The socket connects to exactly the
 * addresses checked here, so a DNS answer that changes between a check and the connect (DNS
 * rebinding) cannot slip through. Names are refused outright when they are `localhost`-like.
 */
export function guardedLookup(policy: AddressPolicy, port: number, resolve: typeof dnsLookup = dnsLookup) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    if (isBlockedHostName(hostname)) return void process.nextTick(callback, notAllowedError(), '');
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '');
      const all = addresses as LookupAddress[];
      if (all.length === 0 || all.some((entry) => !policy(entry.address, port))) return callback(notAllowedError(), '');
      if (options.all) return callback(null, all);
      const first = all[0] as LookupAddress;
      callback(null, first.address, first.family);
    });
  };
}

/** `net.connect` skips `lookup` for an IP literal: the literal is checked here instead. */
function literalAllowed(policy: AddressPolicy, host: string | undefined, port: number): boolean {
  const bare = (host ?? '').replace(/^\[|\]$/g, '');
  return isIP(bare) === 0 || policy(bare, port);
}

type ConnectCallback = (error: Error | null, stream: Duplex) => void;

/**
 * The body of both agents' `createConnection`: the literal IP is checked before connecting,
 * a name through `guardedLookup` as the socket resolves it.
 */
function guardedConnection(
  policy: AddressPolicy,
  resolve: typeof dnsLookup,
  options: ClientRequestArgs,
  callback: ConnectCallback | undefined,
  create: (options: ClientRequestArgs, callback?: ConnectCallback) => Duplex | null | undefined,
): Duplex | null | undefined {
  const port = Number(options.port) || (options.protocol === 'https:' ? 443 : 80);
  if (!literalAllowed(policy, options.host ?? undefined, port)) {
    process.nextTick(() => callback?.(notAllowedError(), undefined as never));
    return undefined;
  }
  return create({ ...options, lookup: guardedLookup(policy, port, resolve) as ClientRequestArgs['lookup'] }, callback);
}

/**
 * HTTP(S) agents whose every connection goes through the policy. One connection per request (no
 * keep-alive), so no socket outlives the check it passed.
 */
export function guardedAgents(policy: AddressPolicy, resolve: typeof dnsLookup = dnsLookup): { http: HttpAgent; https: HttpsAgent } {
  class GuardedHttpAgent extends HttpAgent {
    override createConnection(options: ClientRequestArgs, callback?: ConnectCallback): Duplex | null | undefined {
      return guardedConnection(policy, resolve, options, callback, (checked, done) => super.createConnection(checked, done));
    }
  }
  class GuardedHttpsAgent extends HttpsAgent {
    override createConnection(options: ClientRequestArgs, callback?: ConnectCallback): Duplex | null | undefined {
      return guardedConnection(policy, resolve, options, callback, (checked, done) => super.createConnection(checked, done));
    }
  }
  return { http: new GuardedHttpAgent({ keepAlive: false }), https: new GuardedHttpsAgent({ keepAlive: false }) };
}

/**
 * nodemailer's `getSocket`: opens the SMTP connection itself, through the policy, and hands the
 * connected socket over (nodemailer then speaks SMTP and upgrades to TLS for `smtps://`).
 * nodemailer's own resolver would otherwise connect wherever DNS pointed, unchecked.
 */
export function guardedSmtpSocket(policy: AddressPolicy, timeoutMs: number, resolve: typeof dnsLookup = dnsLookup) {
  return (
    options: { host?: string; port?: number | string; secure?: boolean },
    callback: (error: Error | null, socketOptions?: { connection: Socket }) => void,
  ): void => {
    const port = Number(options.port) || (options.secure ? 465 : 587);
    const host = options.host ?? 'localhost';
    if (!literalAllowed(policy, host, port)) return void process.nextTick(callback, notAllowedError());
    const socket = netConnect({ host: host.replace(/^\[|\]$/g, ''), port, lookup: guardedLookup(policy, port, resolve) });
    const fail = (error: Error) => {
      socket.destroy();
      callback(error);
    };
    socket.setTimeout(timeoutMs, () => fail(Object.assign(new Error('connection timed out'), { code: 'ETIMEDOUT' })));
    socket.once('error', fail);
    socket.once('connect', () => {
      socket.setTimeout(0);
      socket.removeListener('error', fail);
      callback(null, { connection: socket });
    });
  };
}
