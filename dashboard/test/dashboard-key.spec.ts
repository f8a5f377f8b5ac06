import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyListPrefix } from '@/lib/server/dashboard-key';

describe(keyListPrefix.name, () => {
  it('shows a generated key as the API lists it: cs_ and its first 4 characters', () => {
    expect(keyListPrefix(`cs_AbCd${'x'.repeat(39)}`)).toBe('cs_AbCd');
  });

  it('shows a key the operator chose only by the start of its hash, as the API lists it, so the dashboard still finds its own key', () => {
    const chosen = 'cs_my-own-admin-secret';
    expect(keyListPrefix(chosen)).toBe(`sha256:${createHash('sha256').update(chosen).digest('hex').slice(0, 8)}`);
    expect(keyListPrefix(chosen)).not.toContain('my-own');
  });
});
