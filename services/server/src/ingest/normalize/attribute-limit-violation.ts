import { MAX_ATTRIBUTE_KEY_CHARS, MAX_ATTRIBUTE_TEXT_CHARS, MAX_ATTRIBUTES_PER_SPAN } from '../otlp/attribute-limits.js';
import type { OtlpAttributes, OtlpAttributeValue } from '../otlp/types.js';
import { isContentAttribute } from './content-attributes.js';

/**
 * Why a span's (or its resource's) attributes are over the caps of `otlp/attribute-limits.ts`,
 * or undefined when they are within them. One pass, and only the rare non-scalar value is walked.
 */
export function attributeLimitViolation(attributes: OtlpAttributes, owner: 'span' | 'resource'): string | undefined {
  if (attributes.size > MAX_ATTRIBUTES_PER_SPAN) {
    return `the ${owner} has ${attributes.size} attributes, above the ${MAX_ATTRIBUTES_PER_SPAN} allowed`;
  }
  // Keys, then a get: iterating entries makes a [key, value] array per attribute (~2× the cost).
  for (const key of attributes.keys()) {
    if (key.length > MAX_ATTRIBUTE_KEY_CHARS) {
      return `${owner} attribute key "${key.slice(0, 40)}…" is ${key.length} characters, above the ${MAX_ATTRIBUTE_KEY_CHARS} allowed`;
    }
    const value = attributes.get(key) ?? null;
    if (value === null || typeof value === 'number' || typeof value === 'boolean') continue;
    const chars = typeof value === 'string' ? value.length : textChars(value);
    if (chars > MAX_ATTRIBUTE_TEXT_CHARS && !isContentAttribute(key)) {
      return `${owner} attribute ${key} holds ${chars} characters of text, above the ${MAX_ATTRIBUTE_TEXT_CHARS} allowed`;
    }
  }
  return undefined;
}

/** Characters of text in a value: strings, and the keys of kvlists (the decoder bounds the depth). */
function textChars(value: OtlpAttributeValue): number {
  if (typeof value === 'string') return value.length;
  if (value === null || typeof value !== 'object') return 0;
  let chars = 0;
  if (Array.isArray(value)) {
    for (const item of value) chars += textChars(item);
    return chars;
  }
  for (const [key, item] of Object.entries(value)) chars += key.length + textChars(item);
  return chars;
}

const resourceVerdicts = new WeakMap<OtlpAttributes, string | null>();

/** The resource's verdict, worked out once per decoded resource rather than once per span. */
export function resourceLimitViolation(resource: OtlpAttributes): string | undefined {
  let verdict = resourceVerdicts.get(resource);
  if (verdict === undefined) {
    verdict = attributeLimitViolation(resource, 'resource') ?? null;
    resourceVerdicts.set(resource, verdict);
  }
  return verdict ?? undefined;
}
