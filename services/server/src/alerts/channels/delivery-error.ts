import { CostscopeError } from '@costscope/core';

/**
 * Why a send failed, so the delivery loop knows whether another attempt can help:
 * - `unreachable`: no answer (connection refused or reset, DNS, TLS) — retryable;
 * - `timeout`: the peer did not answer in time — retryable;
 * - `server`: the peer answered with a temporary failure (HTTP 5xx, SMTP 4xx, Slack `internal_error`) — retryable;
 * - `rate_limited`: HTTP 429 or Slack `ratelimited`; `retryAfterMs` says when — retryable;
 * - `auth`: the credentials were refused (`invalid_auth`, `token_revoked`, SMTP 535) — permanent;
 * - `rejected`: the peer refused this message or destination (`channel_not_found`, HTTP 4xx, SMTP 5xx) — permanent.
 */
export type DeliveryFailureKind = 'unreachable' | 'timeout' | 'server' | 'rate_limited' | 'auth' | 'rejected';

const RETRYABLE: ReadonlySet<DeliveryFailureKind> = new Set(['unreachable', 'timeout', 'server', 'rate_limited']);

/** A channel could not deliver a message. Channels throw only this; the delivery loop reads `retryable`. */
export class CostscopeDeliveryError extends CostscopeError {
  override readonly name = 'CostscopeDeliveryError';
  readonly channel: string;
  readonly kind: DeliveryFailureKind;
  /** The provider's own word for it: `invalid_auth`, `http_503`, `ECONNREFUSED`, `smtp_550`. */
  readonly code: string;
  /** From `Retry-After`, when the peer said how long to wait. */
  readonly retryAfterMs: number | undefined;

  constructor(
    channel: string,
    kind: DeliveryFailureKind,
    code: string,
    message: string,
    details: { cause?: unknown; retryAfterMs?: number | undefined } = {},
  ) {
    super(`${channel}: ${message}`, { cause: details.cause });
    this.channel = channel;
    this.kind = kind;
    this.code = code;
    this.retryAfterMs = details.retryAfterMs;
  }

  get retryable(): boolean {
    return RETRYABLE.has(this.kind);
  }

  static override isInstance(value: unknown): value is CostscopeDeliveryError {
    return CostscopeError.isInstance(value) && (value as Error).name === 'CostscopeDeliveryError';
  }
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date; `undefined` when absent or unreadable. */
export function parseRetryAfter(header: string | null | undefined, now: Date): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

/** Node's network error codes that mean "nobody answered": worth another try later. */
export const UNREACHABLE_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** The network code behind a fetch failure (`TypeError: fetch failed` hides it in `cause`). */
export function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^(E[A-Z_]+|UND_ERR_[A-Z_]+)$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
