import { ErrorCode, LogLevel, WebClient, type WebAPIHTTPError, type WebAPIPlatformError, type WebAPIRateLimitedError } from '@slack/web-api';
import type { OutgoingMessage } from '../messages/outgoing-message.js';
import type { AlertChannel, DeliveryReceipt } from './alert-channel.js';
import { CostscopeDeliveryError, networkCode } from './delivery-error.js';

export type SlackBotChannelOptions = {
  /** A bot token (`xoxb-…`) with `chat:write` (and `chat:write.public` for channels the bot has not joined). */
  botToken: string;
  /** Channel id (`C0123…`) or name (`#cost-alerts`). */
  channel: string;
  /** `SLACK_API_URL`; Slack's own by default. Tests point it at a local peer. */
  slackApiUrl?: string;
  /** Per request; a hung connection must not hold the delivery loop. */
  timeoutMs?: number;
};

/** Slack error codes that a later attempt can get past; every other `ok:false` is permanent. */
const TEMPORARY_SLACK_ERRORS: ReadonlySet<string> = new Set([
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'ratelimited',
  'rate_limited',
]);
const AUTH_SLACK_ERRORS: ReadonlySet<string> = new Set([
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'no_permission',
  'missing_scope',
  'not_allowed_token_type',
  'ekm_access_denied',
]);

/** Posts with `chat.postMessage` as a Slack app's bot. */
export class SlackBotChannel implements AlertChannel {
  readonly name = 'slack' as const;
  private readonly client: WebClient;
  private readonly channel: string;

  constructor(options: SlackBotChannelOptions) {
    this.channel = options.channel;
    this.client = new WebClient(options.botToken, {
      ...(options.slackApiUrl ? { slackApiUrl: withTrailingSlash(options.slackApiUrl) } : {}),
      timeout: options.timeoutMs ?? 10_000,
      // The client would otherwise retry up to 10 times over ~30 minutes and, on 429, pause its
      // queue and wait out Retry-After itself. `deliverMessage` owns retries: it counts attempts for
      // the delivery record, lets the scheduler's clock drive the waits, and must not stack a second
      // backoff under its own. So: one HTTP request per `send`, and a 429 comes back to us at once.
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      logLevel: LogLevel.ERROR,
    });
  }

  async send(message: OutgoingMessage): Promise<DeliveryReceipt> {
    try {
      const result = await this.client.chat.postMessage({
        channel: this.channel,
        text: message.slack.text,
        blocks: message.slack.blocks,
        // Dashboard links would unfurl into large previews under every alert.
        unfurl_links: false,
        unfurl_media: false,
      });
      return { providerMessageId: result.ts, detail: `channel ${result.channel ?? this.channel}` };
    } catch (error) {
      throw classifySlackError(error);
    }
  }
}

function withTrailingSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/** Maps the Web API client's errors to retryable or permanent delivery failures. */
export function classifySlackError(error: unknown): CostscopeDeliveryError {
  const code = (error as { code?: unknown }).code;
  if (code === ErrorCode.PlatformError) {
    const slackError = (error as WebAPIPlatformError).data.error;
    if (TEMPORARY_SLACK_ERRORS.has(slackError)) {
      return new CostscopeDeliveryError('slack', slackError.startsWith('rate') ? 'rate_limited' : 'server', slackError, `Slack answered ${slackError}`, {
        cause: error,
      });
    }
    const kind = AUTH_SLACK_ERRORS.has(slackError) ? 'auth' : 'rejected';
    return new CostscopeDeliveryError('slack', kind, slackError, `Slack answered ${slackError}`, { cause: error });
  }
  if (code === ErrorCode.RateLimitedError) {
    const retryAfterMs = (error as WebAPIRateLimitedError).retryAfter * 1000;
    return new CostscopeDeliveryError('slack', 'rate_limited', 'http_429', `Slack rate-limited the call (retry after ${retryAfterMs / 1000} s)`, {
      cause: error,
      retryAfterMs,
    });
  }
  if (code === ErrorCode.HTTPError) {
    const status = (error as WebAPIHTTPError).statusCode;
    const temporary = status >= 500 || status === 408 || status === 429;
    return new CostscopeDeliveryError('slack', temporary ? 'server' : 'rejected', `http_${status}`, `Slack answered HTTP ${status}`, {
      cause: error,
    });
  }
  if (code === ErrorCode.RequestError) {
    const original = (error as { original?: unknown }).original;
    const network = networkCode(original);
    if ((original as Error | undefined)?.name === 'TimeoutError' || network === 'UND_ERR_CONNECT_TIMEOUT') {
      return new CostscopeDeliveryError('slack', 'timeout', 'timeout', 'Slack did not answer in time', { cause: error });
    }
    return new CostscopeDeliveryError(
      'slack',
      'unreachable',
      network ?? 'request_failed',
      `Slack could not be reached (${network ?? (original as Error | undefined)?.message ?? 'request failed'})`,
      { cause: error },
    );
  }
  // The client's answer to a 429 without a usable Retry-After is a plain Error: still a rate limit.
  if (error instanceof Error && /^Retry header did not contain a valid timeout/.test(error.message)) {
    return new CostscopeDeliveryError('slack', 'rate_limited', 'http_429', 'Slack rate-limited the call without saying for how long', { cause: error });
  }
  // Not the client's: a bug or an unknown failure. Retrying a bounded number of times costs
  // little and loses nothing if it was transient.
  const network = networkCode(error);
  return new CostscopeDeliveryError('slack', 'unreachable', network ?? 'unknown', `Slack call failed: ${(error as Error).message ?? String(error)}`, {
    cause: error,
  });
}
