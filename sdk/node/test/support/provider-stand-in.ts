import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the stand-in received, as the provider would have seen it. */
export interface ReceivedRequest {
  path: string;
  retryCount: string | undefined;
  body: Record<string, unknown>;
}

/**
 * A local stand-in for the OpenAI and Anthropic APIs: answers chat completions, responses,
 * embeddings and messages the way the providers do (JSON and SSE streams, usage included), so
 * the real client packages run unchanged against it. The model name picks the behaviour:
 * - `*cached*`: usage with cache reads (and, for Anthropic, cache writes);
 * - `fail-429`, `fail-500`: always that status;
 * - `flaky-*`: 500 on the client's first attempt (x-stainless-retry-count 0), then success;
 * - `fails-first-*`: 500 the first time this exact model is asked, then success (app retries);
 * - `slow-stream*`: a long stream paced at 20 ms per chunk (for abandoned streams);
 * - `impossible-usage*`: OpenAI usage that cannot describe a real call.
 */
export class ProviderStandIn {
  readonly requests: ReceivedRequest[] = [];
  private readonly seenModels = new Set<string>();
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      void this.answer(request, response).catch((error: unknown) => {
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { message: String(error), type: 'stand_in_error' } }));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const raw = await readBody(request);
    const body = (raw.length > 0 ? JSON.parse(raw) : {}) as Record<string, unknown>;
    const path = (request.url ?? '').replace(/\?.*$/, '');
    const retryCount = header(request, 'x-stainless-retry-count');
    this.requests.push({ path, retryCount, body });
    const model = String(body['model'] ?? '');
    const anthropic = path.endsWith('/messages');

    const failure = this.failureFor(model, retryCount);
    if (failure !== undefined) {
      // `retry-after-ms` keeps the clients' retry back-off short in tests.
      response.writeHead(failure, { 'content-type': 'application/json', 'retry-after-ms': '5', 'x-should-retry': 'true' });
      response.end(
        JSON.stringify(
          anthropic
            ? { type: 'error', error: { type: failure === 429 ? 'rate_limit_error' : 'api_error', message: `stand-in ${failure}` } }
            : { error: { message: `stand-in ${failure}`, type: failure === 429 ? 'rate_limit_exceeded' : 'server_error' } },
        ),
      );
      return;
    }

    if (path.endsWith('/chat/completions')) return body['stream'] === true ? this.chatStream(body, response) : json(response, chatCompletion(body));
    if (path.endsWith('/responses')) return body['stream'] === true ? this.responsesStream(body, response) : json(response, responseObject(body));
    if (path.endsWith('/embeddings')) return json(response, embeddings(body));
    if (anthropic) return body['stream'] === true ? this.messageStream(body, response) : json(response, message(body));
    response.writeHead(404).end();
  }

  private failureFor(model: string, retryCount: string | undefined): number | undefined {
    if (model === 'fail-429') return 429;
    if (model === 'fail-500') return 500;
    if (model.startsWith('flaky-') && retryCount === '0') return 500;
    if (model.startsWith('fails-first-') && !this.seenModels.has(model)) {
      this.seenModels.add(model);
      return 500;
    }
    return undefined;
  }

  private async chatStream(body: Record<string, unknown>, response: ServerResponse): Promise<void> {
    const model = String(body['model']);
    const includeUsage = (body['stream_options'] as { include_usage?: boolean } | undefined)?.include_usage === true;
    const slow = model.startsWith('slow-stream');
    const base = { id: 'chatcmpl-stand-in', object: 'chat.completion.chunk', created: 1764300000, model: responseModel(model) };
    // With include_usage the API adds `usage: null` to every chunk and a last usage-only chunk.
    const usageField = includeUsage ? { usage: null } : {};
    sse(response);
    const pieces = slow ? Array.from({ length: 200 }, (_, i) => `w${i} `) : ['Hello', ' from', ' the stand-in'];
    send(response, { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }], ...usageField });
    for (const piece of pieces) {
      if (response.destroyed) return;
      if (slow) await delay(20);
      send(response, { ...base, choices: [{ index: 0, delta: { content: piece }, finish_reason: null }], ...usageField });
    }
    send(response, { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], ...usageField });
    if (includeUsage) send(response, { ...base, choices: [], usage: chatUsage(model) });
    response.write('data: [DONE]\n\n');
    response.end();
  }

  private responsesStream(body: Record<string, unknown>, response: ServerResponse): void {
    const model = String(body['model']);
    const inProgress = { ...responseObject(body), status: 'in_progress', output: [], usage: null };
    sse(response);
    sendEvent(response, 'response.created', { type: 'response.created', sequence_number: 0, response: inProgress });
    sendEvent(response, 'response.output_text.delta', {
      type: 'response.output_text.delta',
      sequence_number: 1,
      item_id: 'msg_stand_in',
      output_index: 0,
      content_index: 0,
      delta: 'Hello from the stand-in',
      logprobs: [],
    });
    sendEvent(response, 'response.completed', { type: 'response.completed', sequence_number: 2, response: responseObject({ ...body, model }) });
    response.end();
  }

  private async messageStream(body: Record<string, unknown>, response: ServerResponse): Promise<void> {
    const model = String(body['model']);
    const slow = model.startsWith('slow-stream');
    const full = message(body);
    const usage = full.usage;
    sse(response);
    sendEvent(response, 'message_start', {
      type: 'message_start',
      message: { ...full, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } },
    });
    sendEvent(response, 'content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
    const pieces = slow ? Array.from({ length: 200 }, (_, i) => `w${i} `) : ['Hello', ' from', ' the stand-in'];
    for (const piece of pieces) {
      if (response.destroyed) return;
      if (slow) await delay(20);
      sendEvent(response, 'content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: piece } });
    }
    sendEvent(response, 'content_block_stop', { type: 'content_block_stop', index: 0 });
    sendEvent(response, 'message_delta', {
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: usage.output_tokens },
    });
    sendEvent(response, 'message_stop', { type: 'message_stop' });
    response.end();
  }
}

/** The provider answers with a dated snapshot of the requested alias. */
export function responseModel(model: string): string {
  return `${model}-2026-01-15`;
}

/** OpenAI usage the stand-in reports: `prompt_tokens` includes the cached part. */
export function chatUsage(model: string) {
  // Usage no real call can have (more cached tokens than prompt tokens): Costscope must not guess.
  if (model.startsWith('impossible-usage')) {
    return { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15, prompt_tokens_details: { cached_tokens: 50 } };
  }
  const cached = model.includes('cached') ? 1024 : 0;
  const reasoning = model.startsWith('o4') ? 64 : 0;
  return {
    prompt_tokens: 1200,
    completion_tokens: 80,
    total_tokens: 1280,
    prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: reasoning, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

function chatCompletion(body: Record<string, unknown>) {
  const model = String(body['model']);
  return {
    id: 'chatcmpl-stand-in',
    object: 'chat.completion',
    created: 1764300000,
    model: responseModel(model),
    choices: [{ index: 0, message: { role: 'assistant', content: 'Hello from the stand-in', refusal: null }, finish_reason: 'stop', logprobs: null }],
    usage: chatUsage(model),
  };
}

function responseObject(body: Record<string, unknown>) {
  const model = String(body['model']);
  const cached = model.includes('cached') ? 512 : 0;
  return {
    id: 'resp_stand_in',
    object: 'response',
    created_at: 1764300000,
    status: 'completed',
    model: responseModel(model),
    output: [
      {
        type: 'message',
        id: 'msg_stand_in',
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text: 'Hello from the stand-in', annotations: [] }],
      },
    ],
    parallel_tool_calls: true,
    tool_choice: 'auto',
    tools: [],
    usage: {
      input_tokens: 900,
      input_tokens_details: { cached_tokens: cached },
      output_tokens: 150,
      output_tokens_details: { reasoning_tokens: 100 },
      total_tokens: 1050,
    },
  };
}

function embeddings(body: Record<string, unknown>) {
  const vector = [0.25, -0.5, 0.75];
  // openai 5+ asks for base64 by default and decodes it itself.
  const embedding =
    body['encoding_format'] === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
  return {
    object: 'list',
    data: [{ object: 'embedding', index: 0, embedding }],
    model: responseModel(String(body['model'])),
    usage: { prompt_tokens: 8, total_tokens: 8 },
  };
}

/** Anthropic usage the stand-in reports: `input_tokens` excludes cache reads and writes. */
export function message(body: Record<string, unknown>) {
  const model = String(body['model']);
  const cachedModel = model.includes('cached');
  return {
    id: 'msg_stand_in',
    type: 'message',
    role: 'assistant',
    model: responseModel(model),
    content: [{ type: 'text', text: 'Hello from the stand-in' }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: {
      input_tokens: 50,
      cache_read_input_tokens: cachedModel ? 2000 : 0,
      cache_creation_input_tokens: cachedModel ? 300 : 0,
      output_tokens: 40,
    },
  };
}

function json(response: ServerResponse, payload: unknown): void {
  response.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req_stand_in' });
  response.end(JSON.stringify(payload));
}

function sse(response: ServerResponse): void {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-request-id': 'req_stand_in' });
}

function send(response: ServerResponse, payload: unknown): void {
  response.write(`data: ${JSON.stringify(payload)}\n\n`);
}

function sendEvent(response: ServerResponse, event: string, payload: unknown): void {
  response.write(`event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`);
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
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
