import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listApiKeys } from '../../src/storage/api-keys.js';
import { startServer } from '../support/running-server.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'costscope-bootstrap-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('the first start without COSTSCOPE_API_KEY', () => {
  it('generates one key, writes it to credentials.json readable by its owner only, and it works', async () => {
    const server = await startServer({ COSTSCOPE_DATA_DIR: dataDir, COSTSCOPE_API_KEY: undefined });
    try {
      const file = path.join(dataDir, 'credentials.json');
      const credentials = JSON.parse(readFileSync(file, 'utf8')) as { projectId: string; apiKey: string };
      expect(credentials.projectId).toBe('default');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const response = await fetch(`${server.baseUrl}/api/v1/costs`, { headers: { Authorization: `Bearer ${credentials.apiKey}` } });
      expect(response.status).toBe(200);
    } finally {
      await server.close({ keepData: true });
    }
  });

  it('does not generate another key on the next start', async () => {
    const before = readFileSync(path.join(dataDir, 'credentials.json'), 'utf8');
    const server = await startServer({ COSTSCOPE_DATA_DIR: dataDir, COSTSCOPE_API_KEY: undefined });
    try {
      expect(readFileSync(path.join(dataDir, 'credentials.json'), 'utf8')).toBe(before);
      const keys = await listApiKeys(server.transport, { projectId: 'default' });
      expect(keys.map((key) => [key.name, key.revokedAt])).toEqual([['bootstrap', null]]);
    } finally {
      await server.close({ keepData: true });
    }
  });
});
