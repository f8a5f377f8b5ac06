import { createRequire } from 'node:module';
import type { Tiktoken, TiktokenBPE } from 'js-tiktoken/lite';
import { estimateTokens, inputText, textLength } from '../instrumentation/utils.js';

/** How an input was counted: an OpenAI tokenizer (bundled ranks), or characters / 4 for models without one. */
export type InputTokenCounter = 'o200k_base' | 'cl100k_base' | 'chars/4';

/** The OpenAI encoding of a model, by the families OpenAI documents for each; undefined when none applies. */
export function openAIEncodingOf(model: string | undefined): 'o200k_base' | 'cl100k_base' | undefined {
  if (model === undefined) return undefined;
  if (/^(gpt-4o|chatgpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|gpt-oss|o1|o3|o4)(\b|-|$)/.test(model)) return 'o200k_base';
  if (/^(gpt-4|gpt-3\.5|text-embedding-3|text-embedding-ada-002)(\b|-|$)/.test(model)) return 'cl100k_base';
  return undefined;
}

// The ranks ship inside js-tiktoken as JavaScript (nothing is downloaded); they are loaded on first
// use only, since building an encoder takes most of a second and megabytes an app may never need.
const loadFrom = createRequire(typeof __filename === 'string' ? __filename : import.meta.url);
const encoders = new Map<string, Tiktoken>();

function encoder(encoding: 'o200k_base' | 'cl100k_base'): Tiktoken {
  let loaded = encoders.get(encoding);
  if (loaded === undefined) {
    const { Tiktoken: Encoder } = loadFrom('js-tiktoken/lite') as { Tiktoken: new (ranks: TiktokenBPE) => Tiktoken };
    const ranks = loadFrom(`js-tiktoken/ranks/${encoding}`) as TiktokenBPE | { default: TiktokenBPE };
    loaded = new Encoder('default' in ranks ? ranks.default : ranks);
    encoders.set(encoding, loaded);
  }
  return loaded;
}

export interface InputTokenCount {
  tokens: number;
  counter: InputTokenCounter;
}

/**
 * Input tokens of a request's text parts when they are over `limit`, else undefined: exact for
 * OpenAI models (the few tokens of message framing aside), characters / 4 for the rest. Text whose
 * UTF-8 size fits the limit cannot be over it (a token is at least one byte) and is not tokenized:
 * the common call costs a walk over the request, as the estimate always did.
 */
export function inputTokensOver(parts: unknown, provider: string, model: string | undefined, limit: number): InputTokenCount | undefined {
  const characters = textLength(parts);
  const encoding = provider === 'openai' ? openAIEncodingOf(model) : undefined;
  if (encoding === undefined) {
    const tokens = estimateTokens(characters);
    return tokens > limit ? { tokens, counter: 'chars/4' } : undefined;
  }
  // At most three UTF-8 bytes per UTF-16 unit.
  if (characters * 3 <= limit) return undefined;
  // Special-token strings in user text are counted as text, never refused.
  const tokens = encoder(encoding).encode(inputText(parts), [], []).length;
  return tokens > limit ? { tokens, counter: encoding } : undefined;
}
