import { describe, expect, it } from 'vitest';
import { CostscopeConfigError } from './errors.js';
import { currentTags, withTags } from './with-tags.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe(withTags.name, () => {
  it('returns what the function returns and sets no tags outside it', async () => {
    expect(await withTags({ feature: 'search' }, async () => 42)).toBe(42);
    expect(currentTags()).toEqual({});
  });

  it('keeps tags across awaits and merges nested tags, the inner winning', async () => {
    await withTags({ feature: 'support-chat', userTier: 'free', priority: 'important' }, async () => {
      await tick();
      expect(currentTags()).toEqual({ feature: 'support-chat', userTier: 'free', priority: 'important' });
      await withTags({ userId: 'u-1', priority: 'critical' }, async () => {
        await tick();
        expect(currentTags()).toEqual({ feature: 'support-chat', userTier: 'free', priority: 'critical', userId: 'u-1' });
      });
      expect(currentTags()).toEqual({ feature: 'support-chat', userTier: 'free', priority: 'important' });
    });
  });

  it('keeps concurrent requests apart', async () => {
    const seen = await Promise.all(
      ['a', 'b', 'c'].map((userId, index) =>
        withTags({ userId }, async () => {
          await new Promise((resolve) => setTimeout(resolve, (3 - index) * 2));
          return currentTags().userId;
        }),
      ),
    );
    expect(seen).toEqual(['a', 'b', 'c']);
  });

  it('refuses a priority outside critical|important|optional', () => {
    expect(() => withTags({ priority: 'high' as 'critical' }, () => undefined)).toThrow(CostscopeConfigError);
  });
});
