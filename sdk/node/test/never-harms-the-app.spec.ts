import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtlpReceiver } from './support/otlp-receiver.js';
import { ProviderStandIn } from './support/provider-stand-in.js';
import { runApp } from './support/run-app.js';
import { spansOf } from './support/expected.js';

/** A loopback port with nothing listening: a Costscope server that is down. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

describe('an app whose Costscope server is down', () => {
  const standIn = new ProviderStandIn();
  let standInUrl: string;
  beforeAll(async () => {
    standInUrl = await standIn.start();
  });
  afterAll(() => standIn.stop());

  it.each([
    { app: 'esm-app.mjs', nodeArgs: ['--import', '@costscope/sdk/register'] },
    { app: 'cjs-app.cjs', nodeArgs: ['-r', '@costscope/sdk/register'] },
  ])('gets every answer it would get without Costscope, and exits normally ($app)', async ({ app, nodeArgs }) => {
    const run = await runApp(app, {
      nodeArgs,
      env: {
        SCENARIOS: 'chat-plain,chat-stream,responses,embeddings,anthropic-plain,anthropic-stream,tags-concurrent',
        STAND_IN_URL: standInUrl,
        COSTSCOPE_ENDPOINT: `http://127.0.0.1:${await closedPort()}`,
      },
    });
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect([...run.outcomes.values()].map((outcome) => [outcome.scenario, outcome.ok])).toEqual([
      ['chat-plain', true],
      ['chat-stream', true],
      ['responses', true],
      ['embeddings', true],
      ['anthropic-plain', true],
      ['anthropic-stream', true],
      ['tags-concurrent', true],
    ]);
    expect(run.outcomes.get('chat-stream')?.received).toEqual({
      chunks: 5,
      text: 'Hello from the stand-in',
      chunksWithUsageField: 0,
      usageOnlyChunks: 0,
      streamHasController: true,
    });
  });

  it('gets every answer and exits when the server accepts connections but never answers', async () => {
    // A server that hangs is worse than one that refuses: exports wait for their timeout. The
    // queue holds at most COSTSCOPE_MAX_QUEUE_SIZE spans, and the flush at exit gives up after
    // its deadline instead of holding the process.
    const sockets: Socket[] = [];
    const hanging: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const address = hanging.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      const run = await runApp('esm-app.mjs', {
        nodeArgs: ['--import', '@costscope/sdk/register'],
        env: {
          SCENARIOS: 'tags-concurrent,chat-plain,chat-stream,anthropic-stream,tags-concurrent',
          STAND_IN_URL: standInUrl,
          COSTSCOPE_ENDPOINT: `http://127.0.0.1:${port}`,
          COSTSCOPE_MAX_QUEUE_SIZE: '4',
        },
      });
      expect(run.stderr).toBe('');
      expect(run.exitCode).toBe(0);
      expect([...run.outcomes.values()].every((outcome) => outcome.ok)).toBe(true);
      expect(run.outcomes.size).toBe(4);
      expect(sockets.length).toBeGreaterThan(0);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => hanging.close(() => resolve()));
    }
  });

  it('starts without Costscope when a setting is invalid, saying why, and the app still runs', async () => {
    const run = await runApp('esm-app.mjs', {
      nodeArgs: ['--import', '@costscope/sdk/register'],
      env: { SCENARIOS: 'chat-plain', STAND_IN_URL: standInUrl, COSTSCOPE_MAX_INPUT_TOKENS: 'lots' },
    });
    expect(run.exitCode).toBe(0);
    expect(run.outcomes.get('chat-plain')?.ok).toBe(true);
    expect(run.stderr).toBe(
      '[costscope] not started: COSTSCOPE_MAX_INPUT_TOKENS (env) / guards.maxInputTokens (option) must be a whole number > 0, got "lots"\n',
    );
  });
});

describe('prompt and completion text', () => {
  const standIn = new ProviderStandIn();
  const receiver = new OtlpReceiver();
  beforeAll(async () => {
    const standInUrl = await standIn.start();
    const endpoint = await receiver.start();
    await runApp('esm-app.mjs', {
      nodeArgs: ['--import', '@costscope/sdk/register'],
      env: {
        SCENARIOS: 'chat-plain,anthropic-stream',
        STAND_IN_URL: standInUrl,
        COSTSCOPE_ENDPOINT: endpoint,
        COSTSCOPE_CAPTURE_CONTENT: 'true',
      },
    });
  });
  afterAll(async () => {
    await standIn.stop();
    await receiver.stop();
  });

  it('are exported only when the app opts in with COSTSCOPE_CAPTURE_CONTENT=true', () => {
    expect(spansOf(receiver.spans, 'chat-plain')[0]?.attributes).toMatchObject({
      'costscope.prompt.content': JSON.stringify([{ role: 'user', content: 'Hi' }]),
      'costscope.completion.content': 'Hello from the stand-in',
    });
    expect(spansOf(receiver.spans, 'anthropic-stream')[0]?.attributes).toMatchObject({
      'costscope.prompt.content': JSON.stringify({ messages: [{ role: 'user', content: 'Hi' }] }),
      'costscope.completion.content': 'Hello from the stand-in',
    });
  });
});
