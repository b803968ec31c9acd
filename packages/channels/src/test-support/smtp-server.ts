import { createServer } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerAuthentication, type SMTPServerOptions } from 'smtp-server';

/** What the server got in one SMTP transaction: the envelope as sent, and the message as a mail client parses it. */
export interface SmtpDelivery {
  /** `MAIL FROM`. */
  mailFrom: string;
  /** Every `RCPT TO` the server accepted. */
  rcptTo: string[];
  /** The parsed message. */
  mail: ParsedMail;
}

/** Options for {@link startLocalSmtpServer}; without them the server takes mail from anyone, without AUTH. */
export interface LocalSmtpServerOptions {
  /** SASL methods to offer (`PLAIN`, `LOGIN`, `XOAUTH2`); turns AUTH on and makes it required. */
  authMethods?: NonNullable<SMTPServerOptions['authMethods']>;
  /**
   * Decides a login: a user name to accept it, an `Error` with `responseCode` to refuse it, or `null` to refuse an
   * XOAUTH2 token the way Gmail and Exchange do (a 334 challenge with a JSON error, then 535), which makes nodemailer
   * ask for a renewed token once.
   */
  onAuth?: (auth: SMTPServerAuthentication) => string | Error | null;
  /** Sender addresses answered with this reply code at MAIL FROM. */
  refuseSenders?: ReadonlyMap<string, number>;
  /** Looks at each parsed message; an `Error` with `responseCode` refuses it at the end of DATA. */
  onMessage?: (mail: ParsedMail) => Error | undefined;
}

/** A local SMTP server on 127.0.0.1 that parses what it receives and refuses chosen recipients. */
export interface LocalSmtpServer {
  port: number;
  /** Every message accepted, parsed. */
  received: ParsedMail[];
  /** Every message accepted, with its envelope. */
  deliveries: SmtpDelivery[];
  /** Every login attempt, as the server decoded it. */
  logins: SMTPServerAuthentication[];
  /** Recipients answered with this reply code at RCPT TO. */
  refuse: Map<string, number>;
  close(): Promise<void>;
}

const refusal = (code: number, text: string) => Object.assign(new Error(text), { responseCode: code });

export async function startLocalSmtpServer(options: LocalSmtpServerOptions = {}): Promise<LocalSmtpServer> {
  const received: ParsedMail[] = [];
  const deliveries: SmtpDelivery[] = [];
  const logins: SMTPServerAuthentication[] = [];
  const refuse = new Map<string, number>();
  const withAuth = options.authMethods !== undefined;
  const server = new SMTPServer({
    authOptional: !withAuth,
    ...(withAuth ? { authMethods: options.authMethods, allowInsecureAuth: true } : {}),
    disabledCommands: withAuth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    logger: false,
    onAuth(auth, _session, callback) {
      logins.push(auth);
      const decision = options.onAuth
        ? options.onAuth(auth)
        : refusal(535, 'Authentication credentials invalid');
      if (decision instanceof Error) return callback(decision);
      if (decision === null) {
        return callback(null, { data: { status: '401', schemes: 'bearer', scope: 'https://mail.example/' } });
      }
      return callback(null, { user: decision });
    },
    onMailFrom(address, _session, callback) {
      const code = options.refuseSenders?.get(address.address);
      if (code === undefined) return callback();
      return callback(refusal(code, `Sender ${address.address} not allowed to send here`));
    },
    onRcptTo(address, _session, callback) {
      const code = refuse.get(address.address);
      if (code === undefined) return callback();
      return callback(refusal(code, code >= 500 ? 'No such user here' : 'Mailbox busy, try later'));
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          const refused = options.onMessage?.(mail);
          if (refused) return callback(refused);
          received.push(mail);
          deliveries.push({
            mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            rcptTo: session.envelope.rcptTo.map((r) => r.address),
            mail,
          });
          return callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  if (!address || typeof address === 'string') throw new Error('SMTP server has no port');
  return {
    port: address.port,
    received,
    deliveries,
    logins,
    refuse,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A port on 127.0.0.1 that nothing listens on (bound then released). */
export async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}
