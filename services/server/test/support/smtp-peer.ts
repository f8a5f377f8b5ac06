import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A mail as the SMTP peer received it: the envelope and the parsed message. */
export type ReceivedMail = {
  envelopeFrom: string;
  envelopeTo: string[];
  /** The login the client used, when it authenticated. */
  user: string | undefined;
  mail: ParsedMail;
};

/**
 * A real SMTP server on 127.0.0.1 (`smtp-server`), parsing what it receives with `mailparser`.
 * `rejectNext(code)` answers the next messages' DATA with that SMTP reply (451 temporary, 550
 * permanent); `stop()`/`start()` take the port down and up again.
 */
export class SmtpPeer {
  readonly received: ReceivedMail[] = [];
  /** Messages refused by a scripted reply (they count as attempts the peer saw). */
  refused = 0;
  private readonly replies: Array<{ code: number; message: string }> = [];
  private server: SMTPServer | undefined;
  private port = 0;
  private readonly credentials: { user: string; pass: string } | undefined;

  private constructor(credentials?: { user: string; pass: string }) {
    this.credentials = credentials;
  }

  static async start(credentials?: { user: string; pass: string }): Promise<SmtpPeer> {
    const peer = new SmtpPeer(credentials);
    await peer.start();
    return peer;
  }

  /** `SMTP_URL` for this peer, with the credentials when it requires them. */
  get url(): string {
    const auth = this.credentials ? `${encodeURIComponent(this.credentials.user)}:${encodeURIComponent(this.credentials.pass)}@` : '';
    return `smtp://${auth}127.0.0.1:${this.port}`;
  }

  /** A URL with a wrong password, for the permanent-failure case. */
  get urlWithWrongPassword(): string {
    return `smtp://${encodeURIComponent(this.credentials?.user ?? 'nobody')}:wrong@127.0.0.1:${this.port}`;
  }

  rejectNext(code: number, message = code >= 500 ? 'Requested action not taken' : 'Try again later'): void {
    this.replies.push({ code, message });
  }

  async start(): Promise<void> {
    const credentials = this.credentials;
    const server = new SMTPServer({
      logger: false,
      // Plain SMTP on loopback: no certificate to make, and nodemailer would otherwise upgrade.
      disabledCommands: credentials ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
      allowInsecureAuth: true,
      authOptional: !credentials,
      onAuth: (auth, _session, callback) => {
        if (credentials && auth.username === credentials.user && auth.password === credentials.pass) {
          return callback(null, { user: auth.username });
        }
        const error = Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 });
        return callback(error);
      },
      onData: (stream, session, callback) => {
        const scripted = this.replies.shift();
        if (scripted) {
          this.refused++;
          stream.resume();
          stream.on('end', () => callback(Object.assign(new Error(scripted.message), { responseCode: scripted.code })));
          return;
        }
        simpleParser(stream)
          .then((mail) => {
            this.received.push({
              envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              envelopeTo: session.envelope.rcptTo.map((address) => address.address),
              user: typeof session.user === 'string' ? session.user : undefined,
              mail,
            });
            callback();
          })
          .catch((error: Error) => callback(error));
      },
    });
    server.listen(this.port, '127.0.0.1');
    await once(server.server, 'listening');
    this.port = (server.server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stops listening: the next connection is refused. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
