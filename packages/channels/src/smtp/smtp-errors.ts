import { type FailureResult, permanentFailure, transientFailure } from '../internal/results.js';

/** The fields nodemailer puts on its errors. */
interface SmtpErrorShape {
  message?: string;
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  rejectedErrors?: SmtpErrorShape[];
}

/** What each SMTP command's refusal means, and what a permanent one is about (see core's `FailureScope`). */
const COMMANDS: ReadonlyArray<{ command: string; what: string; scope?: 'message' | 'configuration' }> = [
  { command: 'RCPT TO', what: 'rejected the recipient' },
  // The sender and the login are the helpdesk's settings, not the end-user's mailbox: fix them, drop nothing.
  {
    command: 'MAIL FROM',
    what: 'refused the sender address; check the from setting',
    scope: 'configuration',
  },
  { command: 'AUTH', what: 'refused the credentials; check smtp.auth', scope: 'configuration' },
  { command: 'DATA', what: 'refused the message', scope: 'message' },
];

/**
 * Maps a nodemailer error to a delivery result. A 5xx reply is permanent: the server said "never". It is about the
 * recipient when refused at RCPT TO (550 unknown mailbox surfaces as `EENVELOPE` with `responseCode` 550), about the
 * configuration when the login (535, `EAUTH`) or the sender (MAIL FROM) is refused, and about the message at DATA.
 * A 4xx reply is the server asking to try later (greylisting, mailbox busy), and connection problems (refused, DNS,
 * timeout, TLS) are transient.
 */
export function classifySmtpError(error: unknown): FailureResult {
  const shape = (
    typeof error === 'object' && error !== null ? error : { message: String(error) }
  ) as SmtpErrorShape;
  const first = shape.rejectedErrors?.[0];
  const responseCode = shape.responseCode ?? first?.responseCode;
  // nodemailer names the command as sent ("AUTH PLAIN", "RCPT TO").
  const sent = shape.command ?? first?.command ?? (shape.code === 'EAUTH' ? 'AUTH' : '');
  const command = COMMANDS.find((c) => sent.startsWith(c.command));
  const response = (shape.response ?? first?.response ?? shape.message ?? '').trim();
  const what = command?.what ?? 'refused the message';

  if (typeof responseCode === 'number' && responseCode >= 500) {
    return permanentFailure(
      `The mail server ${what} (${responseCode}): ${response}`,
      String(responseCode),
      command?.scope,
    );
  }
  if (typeof responseCode === 'number' && responseCode >= 400) {
    return transientFailure(
      `The mail server deferred the message (${responseCode}); try again later: ${response}`,
      String(responseCode),
    );
  }
  if (shape.code === 'EENVELOPE') {
    // No reply code: nodemailer itself found the address unusable before talking to the server.
    return permanentFailure(`The recipient address cannot be used: ${response}`, 'EENVELOPE');
  }
  return transientFailure(
    `The mail server could not be reached${shape.code ? ` (${shape.code})` : ''}: ${response}`,
    shape.code,
  );
}
