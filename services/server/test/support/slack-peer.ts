import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A reply the peer gives to the next request on one route. */
export type PeerReply = { status: number; headers?: Record<string, string>; body: unknown };

/** What `chat.postMessage` received, decoded as Slack would (form fields, `blocks` as JSON). */
export type RecordedPostMessage = {
  authorization: string | undefined;
  channel: string;
  text: string;
  blocks: Array<Record<string, unknown>>;
  fields: Record<string, string>;
};

export type RecordedWebhookPost = { path: string; contentType: string | undefined; payload: { text: string; blocks: Array<Record<string, unknown>> } };

/**
 * A local stand-in for Slack on 127.0.0.1: the Web API's `/api/chat.postMessage` and an
 * incoming webhook under `/services/…`. It records what it was sent and answers from a queue of
 * scripted replies (default: success). `stop()` closes the port so connections are refused, and
 * `start()` opens the same port again — a Slack that is down, then up.
 */
export class SlackPeer {
  readonly postMessages: RecordedPostMessage[] = [];
  readonly webhookPosts: RecordedWebhookPost[] = [];
  private readonly postMessageReplies: PeerReply[] = [];
  private readonly webhookReplies: PeerReply[] = [];
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private port = 0;
  private nextTs = 1_764_320_000;

  static async start(): Promise<SlackPeer> {
    const peer = new SlackPeer();
    await peer.start();
    return peer;
  }

  /** `SLACK_API_URL` for the bot channel. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api/`;
  }

  /** An incoming-webhook URL with the secret-looking path Slack gives out. */
  get webhookUrl(): string {
    return `http://127.0.0.1:${this.port}/services/T0001/B0001/webhooksecret`;
  }

  /** Replies for the next `chat.postMessage` calls, in order; after them, success. */
  replyToPostMessage(...replies: PeerReply[]): void {
    this.postMessageReplies.push(...replies);
  }

  replyToWebhook(...replies: PeerReply[]): void {
    this.webhookReplies.push(...replies);
  }

  async start(): Promise<void> {
    const server = createServer((request, response) => void this.handle(request, response));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    server.listen(this.port, '127.0.0.1');
    await once(server, 'listening');
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stops listening and drops open connections: the next request is refused. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  get listening(): boolean {
    return this.server !== undefined;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const path = (request.url ?? '').split('?')[0] ?? '';

    if (request.method === 'POST' && path === '/api/chat.postMessage') {
      const fields = Object.fromEntries(new URLSearchParams(raw));
      this.postMessages.push({
        authorization: request.headers.authorization,
        channel: fields['channel'] ?? '',
        text: fields['text'] ?? '',
        blocks: fields['blocks'] ? (JSON.parse(fields['blocks']) as Array<Record<string, unknown>>) : [],
        fields,
      });
      const reply = this.postMessageReplies.shift() ?? {
        status: 200,
        body: { ok: true, channel: 'C0COSTS', ts: `${this.nextTs++}.000100` },
      };
      return this.reply(response, reply);
    }
    if (request.method === 'POST' && path.startsWith('/services/')) {
      this.webhookPosts.push({
        path,
        contentType: request.headers['content-type'],
        payload: JSON.parse(raw) as RecordedWebhookPost['payload'],
      });
      return this.reply(response, this.webhookReplies.shift() ?? { status: 200, body: 'ok' });
    }
    this.reply(response, { status: 404, body: 'not_found' });
  }

  private reply(response: ServerResponse, reply: PeerReply): void {
    const json = typeof reply.body !== 'string';
    response.writeHead(reply.status, {
      'content-type': json ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8',
      ...reply.headers,
    });
    response.end(json ? JSON.stringify(reply.body) : reply.body);
  }
}
