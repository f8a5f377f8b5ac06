import { lookup } from 'node:dns/promises';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProjectAddressPolicy } from '../../src/alerts/channels/project-channels.js';
import { blockedRange, publicAddressesOnly } from '../../src/alerts/channels/safe-address.js';
import { putSetting as storeSettingRow } from '../../src/storage/settings.js';
import { SmtpPeer } from '../support/smtp-peer.js';
import { createProject, startAlertServer, type AlertServer } from './support/alert-harness.js';

/**
 * A project's channel settings are an attacker's way to make the server send requests: these
 * tests stand real HTTP and SMTP servers on 127.0.0.1 in for the internal services behind it,
 * and check that a project's webhook or SMTP host never reaches them — whichever way the address
 * is spelled, and whether it is written as an IP or a name that resolves to one — while the
 * operator's own channels on loopback keep working.
 */
const SECRET_BODY = 'internal-service-secret-8f2c';

/** An HTTP server that counts what reaches it and answers with a body nobody outside may read. */
async function startPeer(reply: (path: string) => { status: number; headers?: Record<string, string> }): Promise<{ server: Server; port: number; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    requests.push(request.url ?? '');
    request.resume();
    const { status, headers } = reply(request.url ?? '');
    response.writeHead(status, { 'content-type': 'text/plain', ...headers });
    response.end(SECRET_BODY);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port, requests };
}

let alerts: AlertServer;
let internal: Awaited<ReturnType<typeof startPeer>>;
let internalSmtp: SmtpPeer;
let auth: { Authorization: string };
const project = 'p-ssrf';

beforeAll(async () => {
  alerts = await startAlertServer();
  internal = await startPeer(() => ({ status: 500 }));
  internalSmtp = await SmtpPeer.start();
  auth = await createProject(alerts.server, project);
});

afterAll(async () => {
  internal?.server.close();
  await internalSmtp?.stop();
  await alerts?.close();
});

beforeEach(() => {
  alerts.server.app.get(ProjectAddressPolicy).use(publicAddressesOnly);
});

function putChannels(value: unknown, headers = auth) {
  return fetch(`${alerts.server.baseUrl}/api/v1/settings/channels`, {
    method: 'PUT',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify(value),
  });
}

async function testSend(channel: string, headers = auth): Promise<{ status: number; text: string; body: Record<string, unknown> }> {
  const response = await fetch(`${alerts.server.baseUrl}/api/v1/settings/channels/test`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ channel }),
  });
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) as Record<string, unknown> };
}

/** Stores a channels row as it was before these rules (or as a name that resolved elsewhere at save time). */
async function storeRaw(value: unknown): Promise<void> {
  await storeSettingRow(alerts.server.transport, { projectId: project, kind: 'channels', value: { slack: null, webhook: null, email: null, ...(value as object) } });
}

describe('saving a project’s channels', () => {
  it.each([
    (port: number) => `http://127.0.0.1:${port}/hook`,
    (port: number) => `http://localhost:${port}/hook`,
    (port: number) => `http://[::ffff:127.0.0.1]:${port}/hook`,
    (port: number) => `http://[::1]:${port}/hook`,
    (port: number) => `http://2130706433:${port}/hook`,
    (port: number) => `http://0x7f.1:${port}/hook`,
    (port: number) => `http://017700000001:${port}/hook`,
    () => 'http://169.254.169.254/latest/meta-data/',
    () => 'http://metadata.google.internal/computeMetadata/v1/',
    () => 'http://[fd00:ec2::254]/latest/meta-data/',
  ])('refuses the webhook %#: a 400 naming the field, nothing stored, nothing sent', async (url) => {
    const response = await putChannels({ webhook: { url: url(internal.port) } });
    expect(response.status).toBe(400);
    const body = JSON.stringify(await response.json());
    expect(body).toContain('body.webhook.url');
    expect(body).toMatch(/not allowed|may not be sent/);
    expect(internal.requests).toEqual([]);
  });

  it('refuses an SMTP host on loopback in any spelling', async () => {
    for (const smtpUrl of [internalSmtp.url, `smtp://2130706433:25`, 'smtp://user:pass@[::1]:25', 'smtps://localhost:465']) {
      const response = await putChannels({ email: { smtpUrl, from: 'a@example.com', to: ['b@example.com'] } });
      expect(response.status, smtpUrl).toBe(400);
      expect(JSON.stringify(await response.json())).toContain('body.email.smtpUrl');
    }
    expect(internalSmtp.received).toHaveLength(0);
  });
});

describe('a project’s channel at connect time', () => {
  it('does not reach a webhook whose host name resolves to loopback, and answers a short reason without the peer’s body', async () => {
    const name = hostname();
    // This machine's own name is the name-that-resolves-inside every host has.
    expect(blockedRange((await lookup(name)).address), `${name} should resolve to a loopback or private address`).toBeDefined();
    expect((await putChannels({ webhook: { url: `http://${name}:${internal.port}/hook` } })).status).toBe(200);

    const sent = await testSend('webhook');
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'address_not_allowed', message: 'webhook: address not allowed (or host not found)', retryable: false } });
    expect(sent.text).not.toContain(SECRET_BODY);
    expect(internal.requests).toEqual([]);
  });

  it('does not reach an SMTP server whose host name resolves to loopback', async () => {
    const port = new URL(internalSmtp.url).port;
    expect((await putChannels({ email: { smtpUrl: `smtp://${hostname()}:${port}`, from: 'a@example.com', to: ['b@example.com'] } })).status).toBe(200);
    const sent = await testSend('email');
    expect(sent.body).toMatchObject({ status: 'failed', error: { code: 'address_not_allowed' } });
    expect(internalSmtp.received).toHaveLength(0);
  });

  it('does not reach a loopback address stored before the rule (every spelling is checked again when connecting)', async () => {
    for (const url of [`http://127.0.0.1:${internal.port}/hook`, `http://[::ffff:127.0.0.1]:${internal.port}/hook`, `http://2130706433:${internal.port}/hook`]) {
      await storeRaw({ webhook: { url } });
      const sent = await testSend('webhook');
      expect(sent.body, url).toMatchObject({ status: 'failed', error: { code: 'address_not_allowed' } });
    }
    await storeRaw({ email: { smtpUrl: internalSmtp.url, from: 'a@example.com', to: ['b@example.com'] } });
    expect((await testSend('email')).body).toMatchObject({ status: 'failed', error: { code: 'address_not_allowed' } });
    expect(internal.requests).toEqual([]);
    expect(internalSmtp.received).toHaveLength(0);
  });

  it('gives the same answer for a blocked address whether something listens there or not (no port scan)', async () => {
    const closed = await startPeer(() => ({ status: 200 }));
    closed.server.close();
    await storeRaw({ webhook: { url: `http://127.0.0.1:${closed.port}/` } });
    const toClosedPort = await testSend('webhook');
    await storeRaw({ webhook: { url: `http://127.0.0.1:${internal.port}/` } });
    const toOpenPort = await testSend('webhook');
    expect(toClosedPort.body['error']).toEqual(toOpenPort.body['error']);
  });
});

describe('a project’s webhook on an allowed address', () => {
  let publicPeer: Awaited<ReturnType<typeof startPeer>>;
  let mode: 'ok' | 'redirect' | 'error' = 'ok';

  beforeAll(async () => {
    publicPeer = await startPeer(() =>
      mode === 'redirect'
        ? { status: 302, headers: { location: `http://127.0.0.1:${internal.port}/hook` } }
        : { status: mode === 'ok' ? 200 : 500 },
    );
  });
  afterAll(() => publicPeer?.server.close());

  beforeEach(async () => {
    // The test stands one loopback port in for "the internet"; every other address stays refused.
    alerts.server.app.get(ProjectAddressPolicy).use((address, port) => port === publicPeer.port || publicAddressesOnly(address, port));
    await storeRaw({ webhook: { url: `http://127.0.0.1:${publicPeer.port}/services/hook` } });
  });

  it('delivers when the address is allowed (so the refusals above are the policy’s doing)', async () => {
    mode = 'ok';
    const before = publicPeer.requests.length;
    expect((await testSend('webhook')).body).toMatchObject({ status: 'delivered' });
    expect(publicPeer.requests.length).toBe(before + 1);
  });

  it('does not follow a redirect to an internal address', async () => {
    mode = 'redirect';
    const sent = await testSend('webhook');
    expect(sent.body).toMatchObject({ status: 'failed', error: { code: 'http_302', message: 'webhook: HTTP 302 from webhook (redirects are not followed)', retryable: false } });
    expect(internal.requests).toEqual([]);
  });

  it('answers an HTTP error by its status only, never the body', async () => {
    mode = 'error';
    const sent = await testSend('webhook');
    expect(sent.body).toMatchObject({ status: 'failed', error: { code: 'http_500', message: expect.stringMatching(/^webhook: HTTP 500 from webhook \(gave up/) } });
    expect(sent.text).not.toContain(SECRET_BODY);
  });

  it('still refuses every other loopback port under the same policy', async () => {
    await storeRaw({ webhook: { url: `http://127.0.0.1:${internal.port}/hook` } });
    expect((await testSend('webhook')).body).toMatchObject({ error: { code: 'address_not_allowed' } });
    expect(internal.requests).toEqual([]);
  });
});

describe('the operator’s channels from the environment', () => {
  it('still deliver to 127.0.0.1: only settings from the environment may point inside', async () => {
    const webhookPosts = alerts.slack.webhookPosts.length;
    const mails = alerts.smtp.received.length;
    expect((await testSend('webhook', alerts.server.auth)).body).toMatchObject({ status: 'delivered' });
    expect((await testSend('email', alerts.server.auth)).body).toMatchObject({ status: 'delivered' });
    expect(alerts.slack.webhookPosts.length).toBe(webhookPosts + 1);
    expect(alerts.smtp.received.length).toBe(mails + 1);
  });
});
