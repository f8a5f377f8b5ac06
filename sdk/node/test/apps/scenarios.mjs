// The calls a user's app makes, shared by the ESM and the CommonJS test apps. Each scenario runs
// under `withTags({ feature: <scenario> })` so the test finds its spans, and prints one JSON line
// describing what the app's own code received (values, chunks, errors), to prove Costscope
// changes none of it.

const SYSTEM_PROMPT = 'You are the support assistant of Costscope. Answer briefly.';
const TOOLS = [
  {
    type: 'function',
    function: { name: 'lookup_invoice', description: 'Find an invoice', parameters: { type: 'object', properties: { id: { type: 'string' } } } },
  },
];

export async function runScenarios({ OpenAI, Anthropic, sdk, baseURL, only }) {
  const openai = new OpenAI({ apiKey: 'sk-test', baseURL: `${baseURL}/v1`, maxRetries: 0 });
  const openaiWithRetries = new OpenAI({ apiKey: 'sk-test', baseURL: `${baseURL}/v1`, maxRetries: 2 });
  const anthropic = new Anthropic({ apiKey: 'sk-ant-test', baseURL, maxRetries: 0 });
  const user = (text) => [{ role: 'user', content: text }];

  const scenarios = {
    async 'chat-plain'() {
      const completion = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: user('Hi'), max_tokens: 300 });
      return { content: completion.choices[0].message.content, usage: completion.usage };
    },
    async 'chat-cached'() {
      const completion = await openai.chat.completions.create({
        model: 'gpt-4o-cached',
        messages: [{ role: 'system', content: SYSTEM_PROMPT }, ...user('Where is my invoice?')],
        tools: TOOLS,
      });
      return { cached: completion.usage.prompt_tokens_details.cached_tokens };
    },
    async 'chat-reasoning'() {
      const completion = await openai.chat.completions.create({ model: 'o4-mini', messages: user('Think'), max_completion_tokens: 500 });
      return { reasoning: completion.usage.completion_tokens_details.reasoning_tokens };
    },
    async 'chat-stream'() {
      const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: user('Stream'), stream: true });
      return describeChatStream(stream);
    },
    async 'chat-stream-app-asked-usage'() {
      const stream = await openai.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: user('Stream'),
        stream: true,
        stream_options: { include_usage: true },
      });
      return describeChatStream(stream);
    },
    async 'chat-stream-abandoned'() {
      const stream = await openai.chat.completions.create({ model: 'slow-stream-gpt', messages: user('Long'), stream: true });
      let read = 0;
      for await (const chunk of stream) {
        if (chunk) read += 1;
        if (read === 3) break;
      }
      return { read };
    },
    async responses() {
      const response = await openai.responses.create({ model: 'gpt-5-mini', input: 'Hi', instructions: SYSTEM_PROMPT, max_output_tokens: 400 });
      return { outputText: response.output_text, usage: response.usage };
    },
    async 'responses-stream'() {
      const stream = await openai.responses.create({ model: 'gpt-5-mini', input: 'Hi', stream: true });
      const types = [];
      for await (const event of stream) types.push(event.type);
      return { types };
    },
    async embeddings() {
      const result = await openai.embeddings.create({ model: 'text-embedding-3-small', input: 'cost per feature' });
      return { dimensions: result.data[0].embedding.length, usage: result.usage };
    },
    async 'anthropic-plain'() {
      const message = await anthropic.messages.create({ model: 'claude-test-sonnet', max_tokens: 1024, messages: user('Hi') });
      return { text: message.content[0].text, usage: message.usage };
    },
    async 'anthropic-cached'() {
      const message = await anthropic.messages.create({
        model: 'claude-cached-haiku',
        max_tokens: 512,
        system: [{ type: 'text', text: SYSTEM_PROMPT, cache_control: { type: 'ephemeral' } }],
        messages: user('Hi'),
      });
      return { usage: message.usage };
    },
    async 'anthropic-stream'() {
      const stream = await anthropic.messages.create({ model: 'claude-test-sonnet', max_tokens: 1024, messages: user('Hi'), stream: true });
      const types = [];
      for await (const event of stream) types.push(event.type);
      return { types };
    },
    async 'anthropic-stream-abandoned'() {
      const stream = await anthropic.messages.create({ model: 'slow-stream-claude', max_tokens: 1024, messages: user('Long'), stream: true });
      let read = 0;
      for await (const event of stream) {
        if (event) read += 1;
        if (read === 4) break;
      }
      return { read };
    },
    async 'failed-429'() {
      await openai.chat.completions.create({ model: 'fail-429', messages: user('Hi') });
    },
    async 'failed-500'() {
      await anthropic.messages.create({ model: 'fail-500', max_tokens: 100, messages: user('Hi') });
    },
    async 'retried-by-client'() {
      const completion = await openaiWithRetries.chat.completions.create({ model: 'flaky-gpt', messages: user('Hi') });
      return { content: completion.choices[0].message.content };
    },
    async 'retried-by-app'() {
      const request = { model: 'fails-first-claude', max_tokens: 100, messages: user('Hi') };
      let lastError;
      for (let attempt = 1; attempt <= 3; attempt += 1) {
        try {
          const message = await anthropic.messages.create(request);
          return { attempts: attempt, text: message.content[0].text };
        } catch (error) {
          lastError = error;
        }
      }
      throw lastError;
    },
    async 'tags-nested'() {
      return sdk.withTags({ userTier: 'pro', priority: 'important' }, async () => {
        await openai.chat.completions.create({ model: 'gpt-outer', messages: user('outer') });
        await sdk.withTags({ endpoint: 'POST /api/answer', userId: 'user-42' }, async () => {
          await new Promise((resolve) => setTimeout(resolve, 5));
          await openai.chat.completions.create({ model: 'gpt-inner', messages: user('inner') });
        });
        await sdk.withTags({ priority: 'optional' }, () => openai.chat.completions.create({ model: 'gpt-overridden', messages: user('x') }));
        return { tagsAfterInner: sdk.currentTags() };
      });
    },
    async 'tags-concurrent'() {
      const users = [0, 1, 2, 3, 4, 5];
      await Promise.all(
        users.map((i) =>
          sdk.withTags({ userId: `user-${i}` }, async () => {
            // Reverse the order across awaits so contexts interleave.
            await new Promise((resolve) => setTimeout(resolve, (users.length - i) * 3));
            await openai.chat.completions.create({ model: `gpt-for-user-${i}`, messages: user(`question ${i}`) });
          }),
        ),
      );
      return { calls: users.length };
    },
    async 'prefix-hash'() {
      const withPrefix = (question, system = SYSTEM_PROMPT) =>
        openai.chat.completions.create({
          model: 'gpt-prefix',
          messages: [{ role: 'system', content: system }, ...user(question)],
          tools: TOOLS,
        });
      await withPrefix('first question');
      await withPrefix('second, different question');
      await withPrefix('first question', 'A different system prompt.');
      return {};
    },
    async 'batch-results'() {
      // What the app reads back from the Batch APIs: an OpenAI output-file line, Anthropic results.
      const openaiOutputLine = {
        id: 'batch_req_1',
        custom_id: 'invoice-1',
        response: {
          status_code: 200,
          request_id: 'req_1',
          body: {
            id: 'chatcmpl-batch',
            object: 'chat.completion',
            model: 'gpt-4o-mini-2026-01-15',
            choices: [{ index: 0, message: { role: 'assistant', content: 'Summary' }, finish_reason: 'stop' }],
            usage: { prompt_tokens: 3000, completion_tokens: 200, total_tokens: 3200, prompt_tokens_details: { cached_tokens: 0 } },
          },
        },
        error: null,
      };
      const anthropicResults = [
        {
          custom_id: 'invoice-2',
          result: {
            type: 'succeeded',
            message: {
              id: 'msg_batch',
              type: 'message',
              model: 'claude-test-haiku',
              stop_reason: 'end_turn',
              usage: { input_tokens: 900, cache_read_input_tokens: 100, cache_creation_input_tokens: 0, output_tokens: 120 },
            },
          },
        },
        { custom_id: 'invoice-3', result: { type: 'expired' } },
      ];
      const recorded = (await sdk.recordBatchResults([openaiOutputLine])) + (await sdk.recordBatchResults(anthropicResults));
      return { recorded };
    },
    async 'impossible-usage'() {
      const completion = await openai.chat.completions.create({ model: 'impossible-usage-gpt', messages: user('Hi') });
      return { content: completion.choices[0].message.content, usage: completion.usage };
    },
    async guarded() {
      await openai.chat.completions.create({ model: 'gpt-guarded', messages: user('x'.repeat(20_000)) });
    },
    async 'default-max-tokens'() {
      await openai.chat.completions.create({ model: 'gpt-no-limit', messages: user('Hi') });
      return {};
    },
  };

  const names = only ? only.split(',') : Object.keys(scenarios);
  for (const name of names) {
    const scenario = scenarios[name];
    if (!scenario) throw new Error(`unknown scenario ${name}`);
    try {
      const received = await sdk.withTags({ feature: name }, scenario);
      print({ scenario: name, ok: true, received });
    } catch (error) {
      print({
        scenario: name,
        ok: false,
        error: {
          class: error?.constructor?.name,
          status: error?.status,
          isCostscopeError: sdk.CostscopeError.isInstance(error),
          isInputTooLarge: error instanceof sdk.CostscopeInputTooLargeError,
          estimatedInputTokens: error?.estimatedInputTokens,
        },
      });
    }
  }
}

async function describeChatStream(stream) {
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  return {
    chunks: chunks.length,
    text: chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? '').join(''),
    chunksWithUsageField: chunks.filter((chunk) => 'usage' in chunk).length,
    usageOnlyChunks: chunks.filter((chunk) => chunk.choices.length === 0).length,
    streamHasController: typeof stream.controller?.abort === 'function',
  };
}

function print(line) {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}
