import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { OutgoingMessage } from '../messages/outgoing-message.js';
import type { AlertChannel, DeliveryReceipt } from './alert-channel.js';
import { CostscopeDeliveryError, networkCode, parseRetryAfter } from './delivery-error.js';
import { addressNotAllowed, guardedAgents, isAddressNotAllowed, type AddressPolicy } from './safe-address.js';

export type SlackWebhookChannelOptions = {
  /** An incoming-webhook URL; it is the secret, so it is never logged or echoed back. */
  url: string;
  /** Where the webhook may connect: `publicAddressesOnly` for a project's URL, `anyAddress` for the operator's. */
  addressPolicy: AddressPolicy;
  timeoutMs?: number;
  now?: () => Date;
};

/**
 * Slack's answers to a webhook that say what is wrong in one word. Only these are passed on; any
 * other answer body is not, so a webhook URL cannot be used to read what some server answers.
 */
const SLACK_WEBHOOK_ERRORS: ReadonlySet<string> = new Set([
  'invalid_payload',
  'invalid_token',
  'no_service',
  'no_service_id',
  'no_team',
  'team_disabled',
  'invalid_team',
  'channel_not_found',
  'channel_is_archived',
  'action_prohibited',
  'posting_to_general_channel_denied',
  'no_active_hooks',
  'user_not_found',
  'too_many_attachments',
]);

/** An answer body is read only this far: enough for Slack's one word. */
const ANSWER_LIMIT_BYTES = 1024;

/**
 * Posts to a Slack incoming webhook (the channel is fixed when the webhook is created). Slack
 * answers 200 "ok", or 4xx with a word such as `invalid_payload`, `no_service`, `channel_is_archived`.
 * Every connection goes through the address policy, and redirects are never followed: a webhook
 * URL never redirects, and following one would resend the message wherever it pointed.
 */
export class SlackWebhookChannel implements AlertChannel {
  readonly name = 'webhook' as const;
  private readonly options: SlackWebhookChannelOptions;
  private readonly agents: ReturnType<typeof guardedAgents>;

  constructor(options: SlackWebhookChannelOptions) {
    this.options = options;
    this.agents = guardedAgents(options.addressPolicy);
  }

  async send(message: OutgoingMessage): Promise<DeliveryReceipt> {
    const body = JSON.stringify({ text: message.slack.text, blocks: message.slack.blocks, unfurl_links: false, unfurl_media: false });
    let answer: { status: number; retryAfter: string | undefined; word: string };
    try {
      answer = await this.post(body);
    } catch (error) {
      throw classifyWebhookFailure(error);
    }
    const { status } = answer;
    // Slack answers "ok"; any other body stays unread by people (see SLACK_WEBHOOK_ERRORS).
    if (status >= 200 && status < 300) return { detail: answer.word === 'ok' ? 'ok' : `HTTP ${status}` };
    if (status >= 300 && status < 400) {
      throw new CostscopeDeliveryError('webhook', 'rejected', `http_${status}`, `HTTP ${status} from webhook (redirects are not followed)`);
    }
    if (status === 429) {
      const retryAfterMs = parseRetryAfter(answer.retryAfter, (this.options.now ?? (() => new Date()))());
      throw new CostscopeDeliveryError('webhook', 'rate_limited', 'http_429', 'HTTP 429 from webhook', { retryAfterMs });
    }
    if (status >= 500 || status === 408) {
      throw new CostscopeDeliveryError('webhook', 'server', `http_${status}`, `HTTP ${status} from webhook`);
    }
    const word = SLACK_WEBHOOK_ERRORS.has(answer.word) ? answer.word : undefined;
    const kind = status === 401 || status === 403 || word === 'invalid_token' ? 'auth' : 'rejected';
    throw new CostscopeDeliveryError('webhook', kind, word ?? `http_${status}`, `HTTP ${status} from webhook${word ? ` (${word})` : ''}`);
  }

  private post(body: string): Promise<{ status: number; retryAfter: string | undefined; word: string }> {
    const url = new URL(this.options.url);
    const secure = url.protocol === 'https:';
    const request = secure ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const outgoing = request(
        url,
        {
          method: 'POST',
          agent: secure ? this.agents.https : this.agents.http,
          headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) },
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
        },
        (response: IncomingMessage) => {
          const chunks: Buffer[] = [];
          let length = 0;
          response.on('data', (chunk: Buffer) => {
            if (length >= ANSWER_LIMIT_BYTES) return;
            chunks.push(chunk);
            length += chunk.length;
          });
          response.on('error', reject);
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 0,
              retryAfter: response.headers['retry-after'],
              word: Buffer.concat(chunks).toString('utf8', 0, ANSWER_LIMIT_BYTES).trim(),
            }),
          );
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }
}

/**
 * A short reason, the same for every host and port of one kind: the refused address is never
 * tried, so nothing about what listens behind it can be learned from the answer.
 */
function classifyWebhookFailure(error: unknown): CostscopeDeliveryError {
  const code = networkCode(error);
  if (isAddressNotAllowed(error) || code === 'ENOTFOUND') return addressNotAllowed('webhook');
  const name = (error as Error).name;
  if (name === 'TimeoutError' || name === 'AbortError' || code === 'ETIMEDOUT' || code === 'ABORT_ERR') {
    return new CostscopeDeliveryError('webhook', 'timeout', 'timeout', 'timed out', { cause: error });
  }
  if (code === 'EAI_AGAIN') return new CostscopeDeliveryError('webhook', 'unreachable', code, 'name lookup failed', { cause: error });
  if (code === 'ECONNREFUSED') return new CostscopeDeliveryError('webhook', 'unreachable', code, 'connection refused', { cause: error });
  if (code?.startsWith('ERR_TLS') || code?.includes('CERT')) {
    return new CostscopeDeliveryError('webhook', 'unreachable', 'tls', 'TLS handshake failed', { cause: error });
  }
  return new CostscopeDeliveryError('webhook', 'unreachable', code ?? 'request_failed', 'connection failed', { cause: error });
}
