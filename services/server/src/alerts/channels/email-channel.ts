import { createHash } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { OutgoingMessage } from '../messages/outgoing-message.js';
import type { AlertChannel, DeliveryReceipt, SendContext } from './alert-channel.js';
import { CostscopeDeliveryError } from './delivery-error.js';

export type EmailChannelOptions = {
  /** `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…:465` (TLS from the start). */
  smtpUrl: string;
  from: string;
  to: readonly string[];
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
 * the server was not reached.
 */
export function classifySmtpError(error: unknown): CostscopeDeliveryError {
  const { code, responseCode, message } = error as { code?: string; responseCode?: number; message?: string };
  const text = message ?? String(error);
  if (typeof responseCode === 'number') {
    const smtpCode = `smtp_${responseCode}`;
    if (responseCode >= 400 && responseCode < 500) {
      return new CostscopeDeliveryError('email', 'server', smtpCode, `the SMTP server deferred the message: ${text}`, { cause: error });
    }
    const kind = code === 'EAUTH' ? 'auth' : 'rejected';
    return new CostscopeDeliveryError('email', kind, smtpCode, `the SMTP server refused the message: ${text}`, { cause: error });
  }
  if (code === 'ETIMEDOUT') {
    return new CostscopeDeliveryError('email', 'timeout', 'ETIMEDOUT', `the SMTP server did not answer in time: ${text}`, { cause: error });
  }
  if (code === 'EAUTH') {
    // Missing credentials or an unsupported method: no retry will fix the settings.
    return new CostscopeDeliveryError('email', 'auth', 'EAUTH', `SMTP authentication failed: ${text}`, { cause: error });
  }
  if (code === 'EENVELOPE' || code === 'EMESSAGE') {
    return new CostscopeDeliveryError('email', 'rejected', code, `the message could not be sent: ${text}`, { cause: error });
  }
  const socketCode = SOCKET_CODE.exec(text)?.[1] ?? code ?? 'unknown';
  return new CostscopeDeliveryError('email', 'unreachable', socketCode, `the SMTP server could not be reached: ${text}`, { cause: error });
}
