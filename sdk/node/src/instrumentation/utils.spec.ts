import { describe, expect, it } from 'vitest';
import { estimateTokens, prefixHash, requestHash, textLength } from './utils.js';

describe(prefixHash.name, () => {
  const tools = [{ type: 'function', function: { name: 'lookup_invoice' } }];

  it('is the same for the same system prompt and tools, whatever object holds them', () => {
    expect(prefixHash('You are terse.', tools)).toBe(prefixHash('You are terse.', JSON.parse(JSON.stringify(tools))));
    expect(prefixHash('You are terse.', tools)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('changes when the system prompt or the tools change', () => {
    expect(prefixHash('You are terse.', tools)).not.toBe(prefixHash('You are verbose.', tools));
    expect(prefixHash('You are terse.', tools)).not.toBe(prefixHash('You are terse.', []));
  });

  it('is absent when there is no stable prefix', () => {
    expect(prefixHash('', undefined)).toBeUndefined();
    expect(prefixHash('', [])).toBeUndefined();
  });
});

describe(requestHash.name, () => {
  const body = { model: 'gpt-5', messages: [{ role: 'user', content: 'Where is my invoice?' }], max_tokens: 200 };

  it('is the same for the same request, streamed or not, and never contains its text', () => {
    const hash = requestHash('openai', 'chat', body);
    expect(hash).toMatch(/^[0-9a-f]{16}$/);
    expect(requestHash('openai', 'chat', JSON.parse(JSON.stringify(body)) as Record<string, unknown>)).toBe(hash);
    expect(requestHash('openai', 'chat', { ...body, stream: true, stream_options: { include_usage: true } })).toBe(hash);
  });

  it('changes with the model, a message, a parameter or the provider', () => {
    const hash = requestHash('openai', 'chat', body);
    expect(requestHash('openai', 'chat', { ...body, model: 'gpt-5-mini' })).not.toBe(hash);
    expect(requestHash('openai', 'chat', { ...body, messages: [{ role: 'user', content: 'Where is my refund?' }] })).not.toBe(hash);
    expect(requestHash('openai', 'chat', { ...body, max_tokens: 300 })).not.toBe(hash);
    expect(requestHash('anthropic', 'chat', body)).not.toBe(hash);
  });

  it('leaves out only the top-level delivery fields: a tool parameter named stream counts', () => {
    const tool = (stream: string) => ({ ...body, tools: [{ type: 'function', function: { name: 'play', parameters: { stream } } }] });
    expect(requestHash('openai', 'chat', tool('audio'))).not.toBe(requestHash('openai', 'chat', tool('video')));
  });
});

describe(textLength.name, () => {
  it('counts the text a model reads, not roles, part types or base64 images', () => {
    const messages = [
      { role: 'system', content: 'abcd' },
      { role: 'user', content: [{ type: 'text', text: 'efgh' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo' } }] },
    ];
    expect(textLength(messages)).toBe(8);
    expect(estimateTokens(textLength(messages))).toBe(2);
  });
});
