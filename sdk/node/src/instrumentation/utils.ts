import * as crypto from 'node:crypto';

/** One-shot `crypto.hash` (Node 20.12+, which `engines` asks for; the @types/node resolved here predates it). */
const digest = (crypto as unknown as { hash: (algorithm: string, data: string, outputEncoding: 'hex') => string }).hash;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

export function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

const PREFIX_HASH_CACHE_SIZE = 256;
/** Hashes by system prompt, for calls without tools. */
const hashBySystem = new Map<string, string>();
/** Hashes by tools array, then by system prompt: apps reuse one tools array across calls. */
const hashByTools = new WeakMap<object, Map<string, string>>();

/**
 * `costscope.prompt.prefix_hash`: 16 hex digits of SHA-256 over the stable prefix (system prompt
 * + tools), never the text. Apps send the same prefix again and again, so hashes are cached by
 * the system prompt string and the tools array itself: the common call costs a map lookup on a
 * string whose hash V8 already keeps, with no concatenation or JSON.
 */
export function prefixHash(system: string, tools: unknown): string | undefined {
  const hasTools = Array.isArray(tools) && tools.length > 0;
  if (system === '' && !hasTools) return undefined;
  let cache = hashBySystem;
  if (hasTools) {
    let byTools = hashByTools.get(tools);
    if (byTools === undefined) {
      byTools = new Map();
      hashByTools.set(tools, byTools);
    }
    cache = byTools;
  }
  let hash = cache.get(system);
  if (hash === undefined) {
    const toolsText = hasTools ? JSON.stringify(tools) : '';
    hash = digest('sha256', `${system}\u0000${toolsText}`, 'hex').slice(0, 16);
    if (cache.size >= PREFIX_HASH_CACHE_SIZE) cache.clear();
    cache.set(system, hash);
  }
  return hash;
}

/**
 * `costscope.request.hash`: 16 hex digits of SHA-256 over the whole request (model, messages,
 * parameters) as the app wrote it, never the text. Two calls share it exactly when a response
 * cache keyed on the request would have answered the second, so how the answer is delivered
 * (`stream`, `stream_options`, top-level only) does not count. About 6 µs for a 2 KB request
 * here, half of it `JSON.stringify`: small beside the call it describes. One-shot `crypto.hash`
 * over one string, not a `Hash` object fed twice: a third less for a small request.
 */
export function requestHash(provider: string, operation: string, body: Record<string, unknown>): string {
  let hashed = body;
  if ('stream' in body || 'stream_options' in body) {
    const { stream: _stream, stream_options: _streamOptions, ...rest } = body;
    hashed = rest;
  }
  return digest('sha256', `${provider}\u0000${operation}\u0000${JSON.stringify(hashed)}`, 'hex').slice(0, 16);
}

/** Text of a message `content`: a string, or the `text` of its parts. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    let text = '';
    for (const part of content) {
      if (typeof part === 'string') text += part;
      else if (isRecord(part) && typeof part['text'] === 'string') text += part['text'];
    }
    return text;
  }
  return '';
}

/**
 * Structural fields, and binary parts (images, audio, files: base64 that would swamp a
 * characters-per-token estimate and that providers bill by other rules), not text input.
 */
const NOT_TEXT_KEYS = new Set(['role', 'type', 'id', 'cache_control', 'image_url', 'input_audio', 'file', 'source']);

/**
 * Characters of text in a request (strings anywhere inside it), for the `maxInputTokens` guard's
 * estimate. Walking the values is cheaper than serialising and counts no JSON punctuation.
 */
export function textLength(value: unknown, depth = 0): number {
  if (typeof value === 'string') return value.length;
  if (depth > 32 || !isRecord(value)) return 0;
  let total = 0;
  if (Array.isArray(value)) {
    for (const item of value) total += textLength(item, depth + 1);
  } else {
    for (const key in value) if (!NOT_TEXT_KEYS.has(key)) total += textLength(value[key], depth + 1);
  }
  return total;
}

/** The text `textLength` counts, joined by newlines: what a tokenizer counts for `maxInputTokens`. */
export function inputText(value: unknown, depth = 0): string {
  if (typeof value === 'string') return value;
  if (depth > 32 || !isRecord(value)) return '';
  const parts: string[] = [];
  if (Array.isArray(value)) {
    for (const item of value) parts.push(inputText(item, depth + 1));
  } else {
    for (const key in value) if (!NOT_TEXT_KEYS.has(key)) parts.push(inputText(value[key], depth + 1));
  }
  return parts.filter((part) => part !== '').join('\n');
}

/** A rough token count: about four characters per token for English text and code. */
export function estimateTokens(characters: number): number {
  return Math.ceil(characters / 4);
}
