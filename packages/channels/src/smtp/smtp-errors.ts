import {
  type FailureResult,
  type FailureScope,
  permanentFailure,
  transientFailure,
} from '../internal/results.js';

/** The fields nodemailer puts on its errors. */
interface SmtpErrorShape {
  name?: string;
  message?: string;
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  rejectedErrors?: SmtpErrorShape[];
}

/** What each SMTP command's refusal means, and what a permanent one is about (see core's `FailureScope`). */
const COMMANDS: ReadonlyArray<{ command: string; what: string; scope: FailureScope }> = [
  { command: 'RCPT TO', what: 'rejected the recipient', scope: 'address' },
  // The sender and the login are the helpdesk's settings, not the end-user's mailbox: fix them, drop nothing.
  {
    command: 'MAIL FROM',
    what: 'refused the sender address; check the from setting',
    scope: 'configuration',
  },
  { command: 'AUTH', what: 'refused the credentials; check smtp.auth', scope: 'configuration' },
  { command: 'DATA', what: 'refused the message', scope: 'message' },
];

/** Replies that are about the login whatever command they answer (RFC 4954): 530 needed, 534 too weak, 535 refused. */
const AUTH_REPLIES = new Set([530, 534, 535]);

/** nodemailer's own codes for a send that failed before or without a server reply. */
const LOCAL_FAILURES: Readonly<Record<string, { what: string; scope: FailureScope }>> = {
  EAUTH: { what: 'The SMTP login could not be made; check smtp.auth', scope: 'configuration' },
  EMESSAGE: {
    what: 'The message could not be sent as composed (too large for the server)',
    scope: 'message',
  },
};

/** The reply code and, when the server gave one, its enhanced status code (`550 5.1.1`): never the reply text. */
function replyCode(responseCode: number, response: string): string {
  const enhanced = /^\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})\b/.exec(response)?.[1];
  return enhanced ? `${responseCode} ${enhanced}` : String(responseCode);
}

/**
 * Maps a nodemailer error to a delivery result. A 5xx reply is permanent: the server said "never". It is about the
 * recipient when refused at RCPT TO (550 unknown mailbox surfaces as `EENVELOPE` with `responseCode` 550), about the
 * configuration when the login (530, 534, 535, `EAUTH`) or the sender (MAIL FROM) is refused or the server refuses
 * the session itself, and about the message at DATA. A 4xx reply is the server asking to try later (greylisting,
 * mailbox busy), and connection problems (refused, DNS, timeout, TLS) and an OAuth2 token that could not be had are
 * transient.
 *
 * Note: a reason carries the reply code (and enhanced status code), never the server's reply text, because servers
 * quote the address or the message (a content filter quoting the line with the code) in it.
 */
export function classifySmtpError(error: unknown): FailureResult {
  const shape = (
    typeof error === 'object' && error !== null ? error : { message: String(error) }
  ) as SmtpErrorShape;
  if (shape.name === 'SmtpAccessTokenError') {
    return transientFailure(
      'The OAuth2 access token for SMTP could not be obtained (smtp.auth.getAccessToken failed); check the token source',
      'access_token',
    );
  }
  const first = shape.rejectedErrors?.[0];
  const responseCode = shape.responseCode ?? first?.responseCode;
  const response = (shape.response ?? first?.response ?? '').trim();
  // nodemailer names the command as sent ("AUTH PLAIN", "RCPT TO").
  const sent = shape.command ?? first?.command ?? (shape.code === 'EAUTH' ? 'AUTH' : '');

  if (typeof responseCode === 'number' && responseCode >= 500) {
    const code = replyCode(responseCode, response);
    const command = AUTH_REPLIES.has(responseCode)
      ? COMMANDS.find((c) => c.command === 'AUTH')
      : COMMANDS.find((c) => sent.startsWith(c.command));
    if (command) {
      return permanentFailure(
        `The mail server ${command.what} (${code})`,
        String(responseCode),
        command.scope,
      );
    }
    // Refused at the greeting, EHLO or STARTTLS: the server will not talk to this sender at all.
    return permanentFailure(
      `The mail server refused the session (${code}); check smtp.host, the port and that this server may relay`,
      String(responseCode),
      'configuration',
    );
  }
  if (typeof responseCode === 'number' && responseCode >= 400) {
    return transientFailure(
      `The mail server deferred the message (${replyCode(responseCode, response)}); try again later`,
      String(responseCode),
    );
  }
  if (shape.code === 'EENVELOPE') {
    // No reply code: nodemailer itself found an address unusable before talking to the server.
    return /sender/i.test(shape.message ?? '')
      ? permanentFailure(
          'The sender address cannot be used; check the from setting',
          'EENVELOPE',
          'configuration',
        )
      : permanentFailure('The recipient address cannot be used', 'EENVELOPE');
  }
  const local = shape.code ? LOCAL_FAILURES[shape.code] : undefined;
  if (local) return permanentFailure(local.what, shape.code, local.scope);
  // No server reply here, so the message is nodemailer's or the socket's own ("connect ECONNREFUSED ..."); it is
  // left out when a reply was attached to it all the same.
  const detail = shape.message && !response ? `: ${shape.message}` : '';
  return transientFailure(
    `The mail server could not be reached${shape.code ? ` (${shape.code})` : ''}${detail}`,
    shape.code,
  );
}
