import { z } from 'zod';
import {
  type FailureResult,
  type FailureScope,
  permanentFailure,
  transientFailure,
} from '../internal/results.js';

/** Microsoft Graph's error body: `{ error: { code, message, innerError: { request-id, date } } }`. */
const graphErrorBody = z.looseObject({
  error: z.looseObject({
    code: z.string(),
    message: z.string().optional(),
    innerError: z
      .looseObject({ 'request-id': z.string().optional(), date: z.string().optional() })
      .optional(),
  }),
});

/** The Microsoft identity platform's token error body (RFC 6749 5.2 plus `error_codes`). */
const tokenErrorBody = z.looseObject({
  error: z.string(),
  error_description: z.string().optional(),
  error_codes: z.array(z.number()).optional(),
});

/** What Graph or the token endpoint answered to a refused request. */
export interface GraphRefusal {
  /** HTTP status. */
  status: number;
  /** The parsed JSON body, or `undefined`. */
  body: unknown;
  /** Parsed `Retry-After`, in ms. */
  retryAfterMs: number | undefined;
}

/** Graph error codes with a known meaning, whatever the status they come with. */
const GRAPH_CODES: Readonly<Record<string, { scope: FailureScope | 'transient'; what: string }>> = {
  ErrorAccessDenied: {
    scope: 'configuration',
    what: 'access denied: grant the app the Mail.Send application permission with admin consent, and check any application access policy limiting it to some mailboxes',
  },
  Authorization_RequestDenied: {
    scope: 'configuration',
    what: 'the app lacks the permission; grant Mail.Send (application) with admin consent',
  },
  ErrorSendAsDenied: { scope: 'configuration', what: 'the app may not send as this mailbox; check sender' },
  ErrorInvalidUser: {
    scope: 'configuration',
    what: 'the sender mailbox was not found; check sender (the UPN or object id of a mailbox in the tenant)',
  },
  ResourceNotFound: { scope: 'configuration', what: 'the sender mailbox was not found; check sender' },
  MailboxNotEnabledForRESTAPI: {
    scope: 'configuration',
    what: 'the sender has no Exchange Online mailbox (or it is inactive or on-premises); check sender and its license',
  },
  ErrorMessageSubmissionBlocked: {
    scope: 'configuration',
    what: 'the sender mailbox is blocked from sending; check it in the Exchange admin center',
  },
  ErrorMessageSizeExceeded: { scope: 'message', what: 'the message is larger than the mailbox accepts' },
  ErrorInvalidRequest: { scope: 'message', what: 'Graph could not accept the message as built' },
  RequestBodyRead: { scope: 'message', what: 'Graph could not read the request body' },
  ApplicationThrottled: { scope: 'transient', what: 'Graph is throttling the app; try again later' },
  ErrorExceededMessageLimit: {
    scope: 'transient',
    what: "the sender mailbox reached Exchange Online's sending limit; try again later",
  },
  TooManyRequests: { scope: 'transient', what: 'Graph is throttling requests; try again later' },
  ServiceUnavailable: { scope: 'transient', what: 'Graph is unavailable; try again later' },
  ErrorInternalServerError: { scope: 'transient', what: 'Graph failed internally; try again later' },
  ErrorServerBusy: { scope: 'transient', what: 'the mailbox server is busy; try again later' },
  ErrorTimeoutExpired: { scope: 'transient', what: 'the mailbox server timed out; try again later' },
};

/** Error codes are identifiers; anything else is not used as a code or quoted. */
const safeCode = (value: string | undefined) =>
  value && /^[A-Za-z][\w.-]{0,99}$/.test(value) ? value : undefined;

/** Graph's error code, when the body has one. */
export function graphErrorCode(body: unknown): string | undefined {
  return safeCode(graphErrorBody.safeParse(body).data?.error.code);
}

/**
 * Maps a refused `sendMail` to a delivery result. A recipient Graph cannot take (`ErrorInvalidRecipients` and the
 * like) is about the address; any other 400, 413 and `ErrorMessageSizeExceeded` are about the message; a refused
 * token (401, after one refresh), a missing permission or application access policy (403) and an unknown or
 * unlicensed sender (404) are about the configuration; 429 and 5xx are transient, with `Retry-After`.
 *
 * Note: a reason is Graph's code and a fixed description, never Graph's `message`, which can quote the request.
 * @see https://learn.microsoft.com/graph/errors
 */
export function classifyGraphRefusal(refusal: GraphRefusal): FailureResult {
  const { status, retryAfterMs } = refusal;
  const code = graphErrorCode(refusal.body) ?? String(status);
  const known = GRAPH_CODES[code];
  const prefix = `Microsoft Graph refused the email (${code})`;
  if (known?.scope === 'transient') return transientFailure(`${prefix}: ${known.what}`, code, retryAfterMs);
  if (known) return permanentFailure(`${prefix}: ${known.what}`, code, known.scope);
  if (status === 400 && /recipient|EmailAddress|SmtpAddress/i.test(code)) {
    return permanentFailure(`${prefix}: the recipient address cannot receive mail`, code, 'address');
  }
  if (status === 429 || status >= 500) {
    return transientFailure(`${prefix} with HTTP ${status}; try again later`, code, retryAfterMs);
  }
  if (status === 401) {
    return permanentFailure(
      `${prefix}: the access token was refused even after a refresh; check that the app registration is in tenantId and that graphHost matches the token's audience`,
      code,
      'configuration',
    );
  }
  if (status === 403 || status === 404) {
    const what = status === 403 ? GRAPH_CODES.ErrorAccessDenied! : GRAPH_CODES.ErrorInvalidUser!;
    return permanentFailure(`${prefix}: ${what.what}`, code, 'configuration');
  }
  return permanentFailure(`${prefix} with HTTP ${status}; no retry will help`, code, 'message');
}

/** Microsoft identity platform errors (AADSTS codes) and what to fix for each. */
const AADSTS: Readonly<Record<number, string>> = {
  7000215: "the client secret is invalid; check clientSecret (the secret's Value, not its Secret ID)",
  7000222:
    'the client secret has expired; create a new one under Certificates & secrets and update clientSecret',
  700016:
    'no application with this clientId exists in the tenant; check clientId and tenantId, and that an admin consented to the app in this tenant',
  7000112: 'the application is disabled; enable it in Microsoft Entra ID',
  90002: 'the tenant was not found; check tenantId (the Directory (tenant) ID)',
  900023: 'tenantId is not a valid tenant id or domain; check tenantId',
  70011: 'the requested scope is invalid; check graphHost',
  53003: 'Conditional Access blocked the app; adjust the policy for this workload identity',
};

/** OAuth error codes (RFC 6749) and what to fix, when no AADSTS code says more. */
const OAUTH_ERRORS: Readonly<Record<string, string>> = {
  invalid_client: 'the client credentials were refused; check clientId and clientSecret',
  unauthorized_client:
    'the application may not get tokens in this tenant; check clientId, tenantId and the app registration',
  invalid_request: 'the token request was refused; check tenantId and clientId',
  invalid_scope: 'the requested scope is invalid; check graphHost',
};

/**
 * Maps a refused token request (client credentials) to a delivery result. Bad app credentials are permanent in
 * scope `configuration`, with the AADSTS code as `providerCode` and a reason saying what to fix; 429, 5xx and
 * `temporarily_unavailable` are transient.
 *
 * Note: the reason never quotes `error_description` (it carries trace ids and app names) and never holds the client
 * secret or a token.
 */
export function classifyTokenRefusal(refusal: GraphRefusal): FailureResult {
  const { status, retryAfterMs } = refusal;
  const parsed = tokenErrorBody.safeParse(refusal.body);
  const error = safeCode(parsed.data?.error);
  const aadsts =
    parsed.data?.error_codes?.[0] ??
    Number(/\bAADSTS(\d{4,9})\b/.exec(parsed.data?.error_description ?? '')?.[1] ?? Number.NaN);
  const code = Number.isInteger(aadsts) ? `AADSTS${aadsts}` : (error ?? String(status));
  const prefix = `Microsoft Entra ID refused the Graph token request (${code})`;
  if (status === 429 || status >= 500 || error === 'temporarily_unavailable') {
    return transientFailure(`${prefix} with HTTP ${status}; try again later`, code, retryAfterMs);
  }
  const what =
    AADSTS[aadsts] ??
    (error ? OAUTH_ERRORS[error] : undefined) ??
    'check tenantId, clientId and clientSecret';
  return permanentFailure(`${prefix}: ${what}`, code, 'configuration');
}
