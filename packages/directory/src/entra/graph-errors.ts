import { AdapterError, isQdeskError } from '@qdesk/core';
import { z } from 'zod';

/** The port name every Entra source error carries (`AdapterError.port`). */
export const ENTRA_PORT = 'directory source (entra)';

/**
 * Why a read from Microsoft Entra ID failed, in `AdapterError.details.reason`. Branch on it rather than on the message.
 *
 * - `credentials`: the token endpoint refused the client id or secret (`invalid_client`: wrong, expired or deleted
 *   secret).
 * - `not_consented`: the app has no service principal in the customer's tenant (`unauthorized_client`, AADSTS700016):
 *   nobody granted admin consent there yet, or the client id is wrong.
 * - `tenant_not_found`: no tenant with that id or domain (AADSTS90002, AADSTS900023).
 * - `forbidden`: Graph refused to list users (403 `Authorization_RequestDenied`): the app lacks `User.Read.All` or
 *   its admin consent.
 * - `unauthorized`: Graph refused a freshly issued token (401 twice).
 * - `resync_required`: the cursor (a delta or page link) is no longer valid: Graph answered 410 Gone or
 *   `syncStateNotFound` (delta links of directory objects last seven days). Start a full read (`cursor: null`).
 * - `throttled`: Graph kept answering 429 after every retry, or asked to wait longer than `retry.maxDelayMs`.
 * - `unavailable`: Graph or the token endpoint kept failing (502, 503, 504, timeouts, network errors).
 * - `refused`: any other refusal (a 4xx this source does not expect); `details.graphCode` holds Graph's code.
 * - `unexpected_response`: an answer that is not the documented shape, or a link to another host.
 * @public
 */
export type EntraFailureReason =
  | 'credentials'
  | 'not_consented'
  | 'tenant_not_found'
  | 'forbidden'
  | 'unauthorized'
  | 'resync_required'
  | 'throttled'
  | 'unavailable'
  | 'refused'
  | 'unexpected_response';

/** What a failed call was, for the message ("listing users", "reading MFA phone methods", "getting a token"). */
export type CallWhat = 'token' | 'delta' | 'batch' | 'methods' | 'user';

const WHAT_TEXT: Record<CallWhat, string> = {
  token: 'getting an access token',
  delta: 'reading users (/users/delta)',
  batch: 'sending a $batch request',
  methods: "reading a user's phone authentication methods",
  user: 'reading a user (/users/{id})',
};

/** Context every Entra error carries in `details` (besides `port` and `operation`). Never a secret or token. */
export interface EntraErrorDetails {
  reason: EntraFailureReason;
  status?: number | null;
  graphCode?: string | null;
  requestId?: string | null;
  retryAfterMs?: number | null;
}

/** Builds the one error type a read rejects with: core's `AdapterError` with the reason in `details`. */
export function entraError(message: string, details: EntraErrorDetails, cause?: unknown): AdapterError {
  return new AdapterError(message, {
    port: ENTRA_PORT,
    operation: 'read',
    details: { ...details },
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * True when a read failed because its cursor can no longer be used (`details.reason === 'resync_required'`): start a
 * full read with `cursor: null`, and treat people the full read does not return as removed (a full read lists who
 * exists, not who was deleted meanwhile).
 * @public
 */
export function isEntraResyncRequired(error: unknown): boolean {
  return (
    isQdeskError(error) &&
    error.code === 'adapter_failed' &&
    (error.details as { reason?: unknown }).reason === 'resync_required'
  );
}

const graphErrorSchema = z.looseObject({
  error: z.looseObject({
    code: z.string().optional(),
    message: z.string().optional(),
    innerError: z.looseObject({ 'request-id': z.string().optional() }).optional(),
  }),
});

const loginErrorSchema = z.looseObject({
  error: z.string(),
  error_codes: z.array(z.number()).optional(),
});

/** Graph's `{ error: { code, message, innerError } }`, or nulls when the body is not that shape. */
export function readGraphError(body: unknown): { code: string | null; requestId: string | null } {
  const parsed = graphErrorSchema.safeParse(body);
  if (!parsed.success) return { code: null, requestId: null };
  return {
    code: parsed.data.error.code ?? null,
    requestId: parsed.data.error.innerError?.['request-id'] ?? null,
  };
}

const RESYNC_CODES = new Set(['syncStateNotFound', 'resyncRequired', 'syncStateInvalid']);

/** True for Graph's ways of saying a delta or page link cannot be used any more. */
export function meansResync(status: number, body: unknown): boolean {
  if (status === 410) return true;
  const { code } = readGraphError(body);
  return code !== null && RESYNC_CODES.has(code);
}

const RESYNC_MESSAGE =
  'Microsoft Graph no longer accepts this Entra ID cursor (its delta links last seven days, and Microsoft can reset ' +
  'them): start a full read with cursor null, then remove the end-users that full read did not return.';

/** A Graph refusal that retrying cannot fix, as the error the read rejects with. */
export function graphRefusal(status: number, body: unknown, what: CallWhat): AdapterError {
  const { code, requestId } = readGraphError(body);
  const base = { status, graphCode: code, requestId };
  if (meansResync(status, body)) return entraError(RESYNC_MESSAGE, { ...base, reason: 'resync_required' });
  if (status === 403) {
    return entraError(
      `Microsoft Graph refused ${WHAT_TEXT[what]} (403${code ? ` ${code}` : ''}): grant the app the User.Read.All ` +
        "application permission and have an administrator of the customer's tenant grant admin consent, then sync again.",
      { ...base, reason: 'forbidden' },
    );
  }
  if (status === 401) {
    return entraError(
      `Microsoft Graph refused a freshly issued access token while ${WHAT_TEXT[what]} (401${code ? ` ${code}` : ''}): ` +
        "check that tenantId is the customer's tenant and that the app's service principal there is enabled.",
      { ...base, reason: 'unauthorized' },
    );
  }
  if (status >= 500) {
    // Not retried (a 500 is often deterministic); the stored cursor lets the next sync try that page again.
    return entraError(
      `Microsoft Graph failed while ${WHAT_TEXT[what]} (${status}${code ? ` ${code}` : ''}): run the sync again later; ` +
        'it resumes after the last page it stored.',
      { ...base, reason: 'unavailable' },
    );
  }
  return entraError(
    `Microsoft Graph refused ${WHAT_TEXT[what]} (${status}${code ? ` ${code}` : ''}); check the source settings ` +
      '(graphUrl) and the request id with Microsoft support if it persists.',
    { ...base, reason: 'refused' },
  );
}

/** The token endpoint's refusal (`{ error, error_description, error_codes }`), without its description. */
export function loginRefusal(
  status: number,
  body: unknown,
  app: { loginUrl: string; tenantId: string; clientId: string },
): AdapterError {
  const parsed = loginErrorSchema.safeParse(body);
  const error = parsed.success ? parsed.data.error : null;
  const codes = parsed.success ? (parsed.data.error_codes ?? []) : [];
  // Only the AADSTS numbers are quoted: the description is Microsoft's text, and nothing of ours may leak through it.
  const aadsts = codes.length > 0 ? ` ${codes.map((c) => `AADSTS${c}`).join(', ')}` : '';
  const base = { status, graphCode: error };
  if (codes.includes(90002) || codes.includes(900023)) {
    return entraError(
      `Microsoft Entra ID found no tenant named by tenantId (${error}${aadsts}): use the customer's tenant id (a GUID) ` +
        'or one of its verified domains.',
      { ...base, reason: 'tenant_not_found' },
    );
  }
  if (error === 'unauthorized_client' || codes.includes(700016) || codes.includes(7000229)) {
    return entraError(
      `The app is not registered in the customer's tenant (${error}${aadsts}): have an administrator of that tenant ` +
        `grant admin consent (${consentUrl(app)}), or consent it through your partner relationship; check clientId ` +
        'too.',
      { ...base, reason: 'not_consented' },
    );
  }
  if (error === 'invalid_client') {
    return entraError(
      `Microsoft Entra ID refused the app's credentials (invalid_client${aadsts}): check clientSecret (it may have ` +
        "expired; create a new one under the app registration's Certificates & secrets) and clientId.",
      { ...base, reason: 'credentials' },
    );
  }
  return entraError(
    `Microsoft Entra ID refused to issue an access token (${status}${error ? ` ${error}` : ''}${aadsts}): check ` +
      'tenantId, clientId and clientSecret, and that the app may use the client credentials flow.',
    { ...base, reason: 'refused' },
  );
}

/** Where an administrator of the customer's tenant grants the app admin consent. */
function consentUrl(app: { loginUrl: string; tenantId: string; clientId: string }): string {
  return `${app.loginUrl}/${encodeURIComponent(app.tenantId)}/adminconsent?client_id=${encodeURIComponent(app.clientId)}`;
}

/** An answer this source cannot read. */
export function unexpectedResponse(what: CallWhat, detail: string, status: number | null): AdapterError {
  return entraError(
    `Microsoft Graph answered ${WHAT_TEXT[what]} with something this source cannot read (${detail}); check graphUrl ` +
      'and any proxy between QDesk and Microsoft, then sync again.',
    { reason: 'unexpected_response', status },
  );
}

/** Retrying did not help: throttled or unavailable until the retries ran out. */
export function gaveUp(
  what: CallWhat,
  last: {
    status: number | null;
    retryAfterMs: number | null;
    network: string | null;
    graphCode?: string | null;
  },
  attempts: number,
  tooLong: boolean,
): AdapterError {
  const throttled = last.status === 429;
  const reason: EntraFailureReason = throttled || tooLong ? 'throttled' : 'unavailable';
  const seen = last.network ?? `HTTP ${last.status}${last.graphCode ? ` ${last.graphCode}` : ''}`;
  const why = tooLong
    ? `asked to wait ${Math.ceil((last.retryAfterMs ?? 0) / 1000)} s, longer than retry.maxDelayMs`
    : `still failing after ${attempts} attempts (${seen})`;
  return entraError(
    `Microsoft ${what === 'token' ? 'Entra ID' : 'Graph'} ${throttled ? 'is throttling' : 'did not answer'} ` +
      `${WHAT_TEXT[what]}: ${why}. Run the sync again later; it resumes after the last page it stored.`,
    { reason, status: last.status, graphCode: last.graphCode ?? null, retryAfterMs: last.retryAfterMs },
  );
}
