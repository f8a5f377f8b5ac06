import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CallTally } from './call-tally.js';
import { responseModelOf, type CallUsage } from './example-app.js';

/**
 * Headers the demo's app puts on each request (through the clients' per-request `headers`
 * option) to tell the stand-in what a real provider would have answered: the usage
 * (`input,cacheRead,cacheWrite,output`, input including the cached parts), the finish reason,
 * and a status to refuse the first attempt with.
 */
export const STAND_IN_HEADERS = {
  usage: 'x-demo-usage',
  finish: 'x-demo-finish-reason',
  failFirst: 'x-demo-fail-first',
} as const;

export function standInHeaders(usage: CallUsage, finishReason: string, failFirstWith: number | undefined): Record<string, string> {
  const headers: Record<string, string> = {
    [STAND_IN_HEADERS.usage]: [usage.inputTokens, usage.cacheReadInputTokens, usage.cacheWriteInputTokens, usage.outputTokens].join(','),
    [STAND_IN_HEADERS.finish]: finishReason,
  };
  if (failFirstWith !== undefined) headers[STAND_IN_HEADERS.failFirst] = String(failFirstWith);
  return headers;
}

/**
 * A local stand-in for the OpenAI Chat Completions and Anthropic Messages APIs on loopback, so
 * the demo's live phase runs the real `openai` and `@anthropic-ai/sdk` clients, and the real SDK
 * around them, without a network or a provider account. It answers in each provider's wire
 * format with the usage the request asked for, and tallies every attempt it answered the way
 * Costscope will count it (a refused attempt under the model asked for, an answer under the
 * model that answered).
 */
export class ProviderStandIn {
  readonly tally = new CallTally();
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      void this.answer(request, response).catch((error: unknown) => {
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { message: String(error), type: 'stand_in_error' } }));
      });
    });
    const server = this.server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = JSON.parse((await readBody(request)) || '{}') as { model?: string };
    const path = (request.url ?? '').replace(/\?.*$/, '');
    const anthropic = path.endsWith('/v1/messages');
    if (!anthropic && !path.endsWith('/chat/completions')) {
      response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `no route ${path}` } }));
      return;
    }
    const model = String(body.model ?? '');
    const failFirst = header(request, STAND_IN_HEADERS.failFirst);
    // The clients count their retries in this header: 0 on the first attempt.
    if (failFirst !== undefined && header(request, 'x-stainless-retry-count') === '0') {
      this.tally.add({ model, batch: false, at: new Date(), usage: undefined });
      const status = Number(failFirst);
      // `retry-after-ms` keeps the clients' back-off short: the demo's time is the user's time.
      response.writeHead(status, { 'content-type': 'application/json', 'retry-after-ms': '50', 'x-should-retry': 'true' });
      response.end(JSON.stringify(anthropic ? anthropicError(status) : openAIError(status)));
      return;
    }
    const usage = usageFrom(header(request, STAND_IN_HEADERS.usage));
    const finishReason = header(request, STAND_IN_HEADERS.finish) ?? (anthropic ? 'end_turn' : 'stop');
    const answeredBy = responseModelOf(model);
    this.tally.add({ model: answeredBy, batch: false, at: new Date(), usage });
    const payload = anthropic ? anthropicMessage(answeredBy, usage, finishReason) : openAIChatCompletion(answeredBy, usage, finishReason);
    response.writeHead(200, { 'content-type': 'application/json', 'x-request-id': `req_demo_${Date.now().toString(36)}` });
    response.end(JSON.stringify(payload));
  }
}

function usageFrom(text: string | undefined): CallUsage {
  const [input = 0, cacheRead = 0, cacheWrite = 0, output = 0] = (text ?? '').split(',').map((part) => Number(part) || 0);
  return { inputTokens: input, cacheReadInputTokens: cacheRead, cacheWriteInputTokens: cacheWrite, outputTokens: output };
}

/** OpenAI usage: `prompt_tokens` includes the cached tokens. */
function openAIChatCompletion(model: string, usage: CallUsage, finishReason: string) {
  return {
    id: `chatcmpl-demo-${Date.now().toString(36)}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: 'Here is what to do next…', refusal: null }, finish_reason: finishReason, logprobs: null }],
    usage: {
      prompt_tokens: usage.inputTokens,
      completion_tokens: usage.outputTokens,
      total_tokens: usage.inputTokens + usage.outputTokens,
      prompt_tokens_details: { cached_tokens: usage.cacheReadInputTokens, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    },
  };
}

/** Anthropic usage: `input_tokens` excludes cache reads and writes. */
function anthropicMessage(model: string, usage: CallUsage, stopReason: string) {
  return {
    id: `msg_demo_${Date.now().toString(36)}`,
    type: 'message',
    role: 'assistant',
    model,
    content: [{ type: 'text', text: 'Summary: the customer asks for…' }],
    stop_reason: stopReason,
    stop_sequence: null,
    usage: {
      input_tokens: usage.inputTokens - usage.cacheReadInputTokens - usage.cacheWriteInputTokens,
      cache_read_input_tokens: usage.cacheReadInputTokens,
      cache_creation_input_tokens: usage.cacheWriteInputTokens,
      output_tokens: usage.outputTokens,
    },
  };
}

function openAIError(status: number) {
  return { error: { message: `demo stand-in ${status}`, type: status === 429 ? 'rate_limit_exceeded' : 'server_error' } };
}

function anthropicError(status: number) {
  return { type: 'error', error: { type: status === 529 ? 'overloaded_error' : status === 429 ? 'rate_limit_error' : 'api_error', message: `demo stand-in ${status}` } };
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (text += chunk));
    request.on('end', () => resolve(text));
    request.on('error', reject);
  });
}
