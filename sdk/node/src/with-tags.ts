import { checkedTags } from './settings.js';
import { sdkState } from './sdk-state.js';
import type { CostscopeTags } from './types.js';

/**
 * Runs `fn` with `tags` on every LLM call made inside it, across awaits, timers and callbacks
 * (AsyncLocalStorage). Nested calls merge, the inner value winning key by key; concurrent
 * requests each keep their own tags. Returns what `fn` returns.
 */
export function withTags<T>(tags: CostscopeTags, fn: () => T): T {
  const store = sdkState().tagStore;
  const merged = { ...store.getStore(), ...checkedTags(tags, 'withTags') };
  return store.run(merged, fn);
}

/** The tags `withTags` has set for the current async context (without `init` defaults). */
export function currentTags(): CostscopeTags {
  return { ...sdkState().tagStore.getStore() };
}
