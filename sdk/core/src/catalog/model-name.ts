/**
 * Model-name resolution: the many spellings apps and gateways send for one model reduce to one
 * key, so `gpt-5-2025-08-07`, `openai/gpt-5` and `GPT_5` price as GPT-5. Matching is exact on the
 * key — never by prefix — so `gpt-5-mini` can never be mistaken for `gpt-5`.
 */

// Bedrock ids: `anthropic.claude-…-v1:0`, optionally with a region prefix `us.anthropic.…`.
const BEDROCK_PREFIX = /^(?:[a-z]{2}\.)?(?:anthropic|openai|mistral|deepseek|meta|amazon)\./;
const BEDROCK_VERSION_SUFFIX = /-v\d+(?::\d+)?$/;
// Vertex AI pins a snapshot with `@date`.
const VERTEX_SNAPSHOT_SUFFIX = /@[\w.-]*$/;
// Dated snapshots: `-2025-08-07` (OpenAI) and `-20250514` (Anthropic).
const DATE_SUFFIX = /-(?:\d{4}-\d{2}-\d{2}|\d{8})$/;

/** The comparison key of a model name; two names with the same key are the same model. */
export function modelNameKey(name: string): string {
  let key = name.trim().toLowerCase();
  // Gateways prefix the provider (`openai/gpt-5`, `openrouter/anthropic/claude-…`): keep the last part.
  const slash = key.lastIndexOf('/');
  if (slash >= 0) key = key.slice(slash + 1);
  key = key.replace(VERTEX_SNAPSHOT_SUFFIX, '');
  key = key.replace(BEDROCK_PREFIX, '').replace(BEDROCK_VERSION_SUFFIX, '');
  // Separators vary (`claude-sonnet-4.6`, `Claude Sonnet 4.6`, `gpt_5_mini`): one hyphen each.
  key = key.replace(/[\s_.]+/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '');
  key = key.replace(DATE_SUFFIX, '');
  return key;
}
