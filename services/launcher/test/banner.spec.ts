import { describe, expect, it } from 'vitest';
import { startBanner } from '../src/banner.js';

const base = { serverUrl: 'http://localhost:4318', dashboardUrl: 'http://localhost:3000', credentialsFile: '/d/credentials.json', dataDir: '/d' };

describe('the start banner', () => {
  it('shows the URLs, and the key and password on the start that created them', () => {
    const text = startBanner({ ...base, newApiKey: 'cs_new_key', newAdminPassword: 'pw-123' });
    expect(text).toContain('Dashboard           http://localhost:3000');
    expect(text).toContain('Server (OTLP, API)  http://localhost:4318  (spans: http://localhost:4318/v1/traces)');
    expect(text).toContain('Project key         cs_new_key  (default project, admin)');
    expect(text).toContain('Admin password      pw-123');
    expect(text).toContain('Shown this once; also in /d/credentials.json.');
  });

  it('never repeats a secret on a later start: it says where they are', () => {
    const text = startBanner(base);
    expect(text).not.toMatch(/Project key|Admin password/);
    expect(text).toContain('Key and admin password: /d/credentials.json');
    expect(text.split('\n').length).toBeLessThanOrEqual(10);
  });
});
