import type { OutgoingMessage } from '../messages/outgoing-message.js';

/** The channel kinds; also their names in delivery records and `/api/v1/alerts`. */
export type ChannelName = 'slack' | 'webhook' | 'email';

/** Per-send facts a channel may use: the delivery key makes the email's Message-ID stable across retries. */
export type SendContext = { deliveryKey: string };

/** What the provider said when it accepted the message. */
export type DeliveryReceipt = {
  /** Slack's message `ts` (with the channel id in `detail`), the email's Message-ID; absent for webhooks, which return only "ok". */
  providerMessageId?: string;
  detail?: string;
};

/**
 * One place alerts go. `send` either resolves with a receipt or throws `CostscopeDeliveryError`
 * saying whether a retry can help; it never retries itself — `deliverMessage` owns the retry
 * policy, so attempts are counted and recorded in one place.
 */
export interface AlertChannel {
  readonly name: ChannelName;
  send(message: OutgoingMessage, context: SendContext): Promise<DeliveryReceipt>;
  /** Frees pooled connections (SMTP); a channel without any may omit it. */
  close?(): Promise<void> | void;
}
