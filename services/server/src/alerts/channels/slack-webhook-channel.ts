import type { OutgoingMessage } from '../messages/outgoing-message.js';
import type { AlertChannel, DeliveryReceipt } from './alert-channel.js';
import { CostscopeDeliveryError, networkCode, parseRetryAfter, UNREACHABLE_CODES } from './delivery-error.js';

export type SlackWebhookChannelOptions = {
  /** An incoming-webhook URL; it is the secret, so it is never logged or echoed back. */
  url: string;
  timeoutMs?: number;
  /** Defaults to the global `fetch`. */
  fetch?: typeof fetch;
  now?: () => Date;
};

/**
 * Posts to a Slack incoming webhook (the channel is fixed when the webhook is created). Slack
 * answers 200 "ok", or 4xx with a word such as `invalid_payload`, `no_service`, `channel_is_archived`.
 */
export class SlackWebhookChannel implements AlertChannel {
  readonly name = 'webhook' as const;
  private readonly options: SlackWebhookChannelOptions;

  constructor(options: SlackWebhookChannelOptions) {
    this.options = options;
  }

  async send(message: OutgoingMessage): Promise<DeliveryReceipt> {
    const fetchFn = this.options.fetch ?? fetch;
    let response: Response;
    try {
      response = await fetchFn(this.options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify({ text: message.slack.text, blocks: message.slack.blocks, unfurl_links: false, unfurl_media: false }),
        // A redirect would resend the body elsewhere; a webhook URL never redirects.
        redirect: 'error',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        throw new CostscopeDeliveryError('webhook', 'timeout', 'timeout', 'the webhook did not answer in time', { cause: error });
      }
      const code = networkCode(error);
      throw new CostscopeDeliveryError(
        'webhook',
        'unreachable',
        code ?? 'request_failed',
        `the webhook could not be reached (${code && UNREACHABLE_CODES.has(code) ? code : (error as Error).message})`,
        { cause: error },
      );
    }
    const body = (await response.text().catch(() => '')).slice(0, 200);
    if (response.ok) return { detail: body || 'ok' };
    const status = response.status;
    const word = body.trim() || `http_${status}`;
    if (status === 429) {
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), (this.options.now ?? (() => new Date()))());
      throw new CostscopeDeliveryError('webhook', 'rate_limited', 'http_429', 'the webhook is rate-limited', { retryAfterMs });
    }
    if (status >= 500 || status === 408) {
      throw new CostscopeDeliveryError('webhook', 'server', `http_${status}`, `the webhook answered HTTP ${status} (${word})`);
    }
    const kind = status === 401 || status === 403 ? 'auth' : 'rejected';
    throw new CostscopeDeliveryError('webhook', kind, word, `the webhook answered HTTP ${status} (${word})`);
  }
}
