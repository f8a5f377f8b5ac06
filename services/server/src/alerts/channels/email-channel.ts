import { createHash } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { OutgoingMessage } from '../messages/outgoing-message.js';
import type { AlertChannel, DeliveryReceipt, SendContext } from './alert-channel.js';
import { CostscopeDeliveryError } from './delivery-error.js';
import { addressNotAllowed, guardedSmtpSocket, isAddressNotAllowed, type AddressPolicy } from './safe-address.js';

export type EmailChannelOptions = {
  /** `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…:465` (TLS from the start). */
  smtpUrl: string;
  from: string;
  to: readonly string[];
  /** Where the SMTP connection may go: `publicAddressesOnly` for a project's server, `anyAddress` for the operator's. */
  addressPolicy: AddressPolicy;
  /** Connect, greeting and idle limits; nodemailer's own defaults (2 min, 30 s, 10 min) would hold a delivery for minutes. */
  timeoutMs?: number;
};

/** Node's socket codes, which nodemailer folds into `ESOCKET`/`ECONNECTION` but keeps in the message. */
const SOCKET_CODE = /\b(E[A-Z]{3,})\b/;

/** Sends the message's HTML and plain text over SMTP with nodemailer. */
export class EmailChannel implements AlertChannel {
  readonly name = 'email' as const;
  private readonly transport: Transporter<SMTPTransport.SentMessageInfo>;
  private readonly options: EmailChannelOptions;

  constructor(options: EmailChannelOptions) {
    this.options = options;
    const timeout = options.timeoutMs ?? 15_000;
    this.transport = nodemailer.createTransport({
      url: options.smtpUrl,
      // The connection is opened through the address policy, on the address it checked
      // (nodemailer's own resolver would connect wherever DNS pointed).
      getSocket: guardedSmtpSocket(options.addressPolicy, timeout),
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
    } as SMTPTransport.Options);
  }

  async send(message: OutgoingMessage, context: SendContext): Promise<DeliveryReceipt> {
    let info: SMTPTransport.SentMessageInfo;
    try {
      info = await this.transport.sendMail({
        from: this.options.from,
        to: [...this.options.to],
        subject: message.subject,
        text: message.email.text,
        html: message.email.html,
        // The same delivery key gives the same Message-ID, so if a message is ever sent twice
        // (a crash between sending and recording) mail clients that dedupe by Message-ID show one.
        messageId: messageIdFor(context.deliveryKey, this.options.from),
      });
    } catch (error) {
      throw classifySmtpError(error);
    }
    const rejected = info.rejected.map(String);
    return {
      providerMessageId: info.messageId,
      detail: rejected.length > 0 ? `accepted ${info.accepted.length}, rejected ${rejected.join(', ')}` : `accepted ${info.accepted.length}`,
    };
  }

  close(): void {
    this.transport.close();
  }
}

function messageIdFor(deliveryKey: string, from: string): string {
  const domain = /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'costscope.local';
  const digest = createHash('sha256').update(deliveryKey).digest('hex').slice(0, 32);
  return `<costscope.${digest}@${domain}>`;
}

/**
 * SMTP replies say themselves whether to try again: 4xx is temporary (mailbox busy, greylisting,
 * 421 shutting down), 5xx permanent (550 no such user, 535 bad credentials). No reply at all means
 * the server was not reached. The reason given is short and never the server's own text, which
 * for a project's SMTP URL would carry whatever that server chose to say.
 */
export function classifySmtpError(error: unknown): CostscopeDeliveryError {
  const { code, responseCode, message } = error as { code?: string; responseCode?: number; message?: string };
  const text = message ?? String(error);
  if (typeof responseCode === 'number') {
    const smtpCode = `smtp_${responseCode}`;
    if (responseCode >= 400 && responseCode < 500) {
      return new CostscopeDeliveryError('email', 'server', smtpCode, `SMTP ${responseCode} from server (deferred)`, { cause: error });
    }
    const kind = code === 'EAUTH' ? 'auth' : 'rejected';
    return new CostscopeDeliveryError('email', kind, smtpCode, `SMTP ${responseCode} from server${kind === 'auth' ? ' (authentication failed)' : ''}`, {
      cause: error,
    });
  }
  const socketCode = code === 'ESOCKET' || code === 'ECONNECTION' || code === undefined ? (SOCKET_CODE.exec(text)?.[1] ?? code) : code;
  if (isAddressNotAllowed(error) || socketCode === 'ENOTFOUND') return addressNotAllowed('email');
  if (code === 'ETIMEDOUT' || socketCode === 'ETIMEDOUT') {
    return new CostscopeDeliveryError('email', 'timeout', 'ETIMEDOUT', 'timed out', { cause: error });
  }
  if (code === 'EAUTH') {
    // Missing credentials or an unsupported method: no retry will fix the settings.
    return new CostscopeDeliveryError('email', 'auth', 'EAUTH', 'authentication failed', { cause: error });
  }
  if (code === 'EENVELOPE' || code === 'EMESSAGE') {
    return new CostscopeDeliveryError('email', 'rejected', code, 'message refused', { cause: error });
  }
  if (code === 'ETLS' || /\bTLS\b|certificate/i.test(text)) {
    return new CostscopeDeliveryError('email', 'unreachable', 'ETLS', 'TLS handshake failed', { cause: error });
  }
  if (socketCode === 'ECONNREFUSED') return new CostscopeDeliveryError('email', 'unreachable', socketCode, 'connection refused', { cause: error });
  return new CostscopeDeliveryError('email', 'unreachable', socketCode ?? 'unknown', 'connection failed', { cause: error });
}
