import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, TEST_API_KEY, type RunningServer } from '../support/running-server.js';

const CLI = fileURLToPath(new URL('../../src/cli/costscope.ts', import.meta.url));
let server: RunningServer;

/** Runs the real CLI as a user would, in its own process. */
async function costscope(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', COSTSCOPE_SERVER_URL: server.baseUrl, COSTSCOPE_API_KEY: TEST_API_KEY, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

beforeAll(async () => {
  server = await startServer();
});

afterAll(async () => {
  await server?.close();
});

describe('costscope keys', () => {
  it('creates a key that works at once, lists it, and revokes it so it stops working', async () => {
    const created = await costscope(['keys', 'create', '--name', 'cost-dashboard', '--scope', 'read', '--json']);
    expect(created.code).toBe(0);
    const { key, keyId, name, scope } = JSON.parse(created.stdout) as { key: string; keyId: string; name: string; scope: string };
    expect([name, scope]).toEqual(['cost-dashboard', 'read']);
    expect(key).toMatch(/^cs_[A-Za-z0-9_-]{43}$/);
    const costs = () => fetch(`${server.baseUrl}/api/v1/costs`, { headers: { Authorization: `Bearer ${key}` } });
    expect((await costs()).status).toBe(200);

    const listed = await costscope(['keys', 'list']);
    expect(listed.stdout).toMatch(new RegExp(`^${keyId}\\s+cost-dashboard\\s+cs_\\S+\\s+read\\s+\\S+\\s+active$`, 'm'));
    expect(listed.stdout).not.toContain(key);

    expect((await costscope(['keys', 'revoke', keyId])).stdout).toBe(`Revoked key ${keyId}.\n`);
    expect((await costs()).status).toBe(401);
    expect((await costscope(['keys', 'list'])).stdout).toMatch(new RegExp(`^${keyId}\\s.*revoked `, 'm'));
  });

  it('creates an ingest key unless told otherwise: it sends spans but cannot read or manage keys', async () => {
    const created = await costscope(['keys', 'create', '--name', 'checkout-service']);
    expect(created.stdout).toMatch(/^Created ingest key \S+ \(checkout-service\)\. Copy it now, it is not shown again:\ncs_\S{43}\n$/);
    const key = created.stdout.trim().split('\n').at(-1) ?? '';
    const traces = await fetch(`${server.baseUrl}/v1/traces`, { method: 'POST', headers: { Authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: '{}' });
    expect(traces.status).toBe(200);
    expect((await fetch(`${server.baseUrl}/api/v1/costs`, { headers: { Authorization: `Bearer ${key}` } })).status).toBe(403);
    const denied = await costscope(['keys', 'create', '--name', 'escalate', '--scope', 'admin'], { COSTSCOPE_API_KEY: key });
    expect([denied.code, denied.stderr.split('\n')[0]]).toEqual([3, 'costscope keys: POST /api/v1/keys answered 403: This key has the ingest scope; POST /api/v1/keys needs a key with the admin scope or above']);
    const badScope = await costscope(['keys', 'create', '--name', 'x', '--scope', 'root']);
    expect([badScope.code, badScope.stderr.split('\n')[0]]).toEqual([2, 'costscope keys: --scope must be one of ingest, read, admin']);
  });

  it('cannot revoke another project’s key, and says so', async () => {
    const revoked = await costscope(['keys', 'revoke', 'no-such-key']);
    expect(revoked.code).toBe(1);
    expect(revoked.stderr).toMatch(/answered 404: No active key no-such-key in this project/);
  });

  it('explains a wrong key, a server that is down, and a missing name', async () => {
    expect((await costscope(['keys', 'list'], { COSTSCOPE_API_KEY: 'cs_wrong_wrong_wrong_wrong' })).stderr).toMatch(/answered 401/);
    const down = await costscope(['keys', 'list'], { COSTSCOPE_SERVER_URL: 'http://127.0.0.1:9' });
    expect(down.stderr).toMatch(/cannot reach the Costscope server at http:\/\/127\.0\.0\.1:9/);
    const nameless = await costscope(['keys', 'create']);
    expect([nameless.code, nameless.stderr.split('\n')[0]]).toEqual([2, 'costscope keys: keys create needs --name NAME (what the key is for)']);
  });
});
