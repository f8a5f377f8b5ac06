import type { CallTags } from './call-reading.js';

// One spelling per tag whatever the instrumentation's habit: `user_id`, `userId`, `user.id`,
// `User-Id` all reduce to `userid`.
const TAG_BY_KEY: Record<string, keyof CallTags> = {
  feature: 'feature',
  endpoint: 'endpoint',
  userid: 'userId',
  user: 'userId',
  usertier: 'userTier',
  tier: 'userTier',
  priority: 'priority',
};

/**
 * Costscope's tags from a free-form map (OpenLLMetry association properties, OpenInference
 * `metadata`, Vercel AI SDK telemetry metadata). Unknown keys are ignored here; the caller keeps
 * them in `attributes` when they are not content.
 */
export function tagsFromMap(entries: Iterable<[string, unknown]>): Partial<CallTags> {
  const tags: Partial<CallTags> = {};
  for (const [key, value] of entries) {
    const tag = TAG_BY_KEY[key.toLowerCase().replace(/[^a-z0-9]/g, '')];
    if (!tag || tags[tag] !== undefined) continue;
    if (typeof value === 'string' && value !== '') tags[tag] = value;
    else if (typeof value === 'number' || typeof value === 'boolean') tags[tag] = String(value);
  }
  return tags;
}
