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

const WHAT: Record<string, string> = {
  'RCPT TO': 'rejected the recipient',
  'MAIL FROM': 'refused the sender address; check the from setting',
  AUTH: 'refused the credentials; check smtp.auth',
  DATA: 'refused the message',
};

/**
 * Maps a nodemailer error to a delivery result. A 5xx reply (a recipient rejected with 550 surfaces as
 * `EENVELOPE` with `responseCode` 550) is permanent: the server said "never". A 4xx reply is the server asking to
 * try later (greylisting, mailbox busy), and connection problems (refused, DNS, timeout, TLS) are transient.
 */
export function classifySmtpError(error: unknown): FailureResult {
  const shape = (
    typeof error === 'object' && error !== null ? error : { message: String(error) }
  ) as SmtpErrorShape;
  const first = shape.rejectedErrors?.[0];
  const responseCode = shape.responseCode ?? first?.responseCode;
  const command = shape.command ?? first?.command;
  const response = (shape.response ?? first?.response ?? shape.message ?? '').trim();
  const what = (command && WHAT[command]) || 'refused the message';

  if (typeof responseCode === 'number' && responseCode >= 500) {
    return permanentFailure(`The mail server ${what} (${responseCode}): ${response}`, String(responseCode));
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
