import { describe, expect, it } from 'vitest';
import {
  CostscopeError,
  CostscopeUsageError,
  checkedUsage,
  createPriceCatalog,
  formatUsd,
  priceCall,
  usageFromAnthropic,
  usageFromOpenAIChat,
  usageFromOpenAIResponses,
} from '../src/index.js';

const catalog = createPriceCatalog();
const at = new Date('2026-11-01T00:00:00Z');

describe('provider usage', () => {
  it('keeps OpenAI’s prompt_tokens as the input total, cached tokens included', () => {
    const usage = usageFromOpenAIChat({
      prompt_tokens: 2_000,
      completion_tokens: 500,
      prompt_tokens_details: { cached_tokens: 1_536 },
      completion_tokens_details: { reasoning_tokens: 320 },
    });
    expect(usage).toEqual({
      inputTokens: 2_000,
      cacheReadInputTokens: 1_536,
      cacheWriteInputTokens: 0,
      outputTokens: 500,
      reasoningTokens: 320,
    });
    // GPT-5: 464 fresh × $1.25/M + 1,536 cached × $0.125/M + 500 × $10/M
    const cost = priceCall(catalog, { model: 'gpt-5', at, usage });
    expect(cost.status === 'priced' && formatUsd(cost.breakdown.totalUsd, 6)).toBe('$0.005772');
  });

  it('reads the Responses API’s usage the same way', () => {
    expect(
      usageFromOpenAIResponses({
        input_tokens: 100,
        output_tokens: 40,
        input_tokens_details: { cached_tokens: 64 },
        output_tokens_details: { reasoning_tokens: 10 },
      }),
    ).toMatchObject({ inputTokens: 100, cacheReadInputTokens: 64, outputTokens: 40, reasoningTokens: 10 });
  });

  it('adds Anthropic’s cache reads and writes to its input_tokens, which excludes them', () => {
    const usage = usageFromAnthropic({
      input_tokens: 50,
      output_tokens: 200,
      cache_read_input_tokens: 2_000,
      cache_creation_input_tokens: 1_000,
    });
    expect(usage).toMatchObject({ inputTokens: 3_050, cacheReadInputTokens: 2_000, cacheWriteInputTokens: 1_000 });
    // Sonnet 4.6: 50 × $3 + 2,000 × $0.30 + 1,000 × $3.75 + 200 × $15, per million
    const cost = priceCall(catalog, { model: 'claude-sonnet-4-6', at, usage });
    expect(cost.status === 'priced' && cost.breakdown).toMatchObject({
      freshInputUsd: 150_000_000_000_000n,
      cacheReadUsd: 600_000_000_000_000n,
      cacheWriteUsd: 3_750_000_000_000_000n,
      outputUsd: 3_000_000_000_000_000n,
    });
  });
});

describe('usage validation', () => {
  it.each([
    [{ inputTokens: -1, outputTokens: 0 }, /inputTokens must be a whole number/],
    [{ inputTokens: 1.5, outputTokens: 0 }, /inputTokens must be a whole number/],
    [{ inputTokens: 10, outputTokens: Number.NaN }, /outputTokens must be a whole number/],
    [{ inputTokens: 10, cacheReadInputTokens: 8, cacheWriteInputTokens: 3, outputTokens: 0 }, /exceed inputTokens/],
    [{ inputTokens: 10, outputTokens: 5, reasoningTokens: 6 }, /exceed outputTokens/],
  ])('rejects counts no real call has (%#)', (usage, message) => {
    expect(() => checkedUsage(usage)).toThrow(message);
    expect(() => priceCall(catalog, { model: 'gpt-5', at, usage })).toThrow(CostscopeUsageError);
  });

  it('rejects bad counts for unknown models too, rather than hiding them as unpriced', () => {
    let caught: unknown;
    try {
      priceCall(catalog, { model: 'unknown-model', at, usage: { inputTokens: -5, outputTokens: 0 } });
    } catch (error) {
      caught = error;
    }
    expect(CostscopeError.isInstance(caught)).toBe(true);
  });
});
