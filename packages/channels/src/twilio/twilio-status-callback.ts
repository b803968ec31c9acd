import type { DeliveryStatusReport } from '@qdesk/core';
import { describeTwilioError, isPermanentNumberError } from './twilio-errors.js';
import { isValidTwilioSignature, type TwilioParams } from './twilio-signature.js';

/** The query parameter `createTwilioSms` appends to the status callback URL to carry the session id. @public */
export const TWILIO_SESSION_PARAM = 'sessionId';

/**
 * The query parameter `createTwilioSms` appends to the status callback URL to carry the session's tenant. Twilio
 * signs the URL with its query string, so the tenant read back from a valid callback is the one the SMS was sent for.
 * @public
 */
export const TWILIO_TENANT_PARAM = 'tenantId';

/** One status callback as received. @public */
export interface TwilioStatusCallbackInput {
  /** The full URL Twilio requested, with its query string, as the public sees it. */
  url: string;
  /** Every form parameter of the POST body. */
  params: TwilioParams;
  /** The `X-Twilio-Signature` header. */
  signature: string | null | undefined;
}

/**
 * The outcome of reading a status callback.
 * - `ok: false`: the signature is missing or wrong; answer 403 and ignore the request.
 * - `ok: true` with a `report`: a status QDesk tracks (sent, delivered, undelivered, failed).
 * - `ok: true` with `report: null`: a genuine callback QDesk does not track (queued, sending, or a message
 *   sent without a session or tenant id in its callback URL); answer 2xx so Twilio does not retry.
 * @public
 */
export type TwilioStatusCallbackResult =
  | {
      /** The request is not from Twilio. */
      ok: false;
      /** Why it was refused. */
      reason: 'missing_signature' | 'invalid_signature';
    }
  | {
      /** The request is from Twilio. */
      ok: true;
      /** The report to record, or `null` for a status QDesk does not track. */
      report: DeliveryStatusReport | null;
    };

const TRACKED = new Set(['sent', 'delivered', 'undelivered', 'failed'] as const);
type TrackedStatus = DeliveryStatusReport['status'];

function param(params: TwilioParams, name: string): string | undefined {
  if (params instanceof URLSearchParams) return params.get(name) ?? undefined;
  const value = params[name];
  return typeof value === 'string' ? value : value?.[0];
}

/**
 * Checks a Twilio status callback's signature and turns it into a `DeliveryStatusReport` for
 * `verifier.reportDelivery`, with the session and tenant ids `createTwilioSms` put in the callback URL. Unknown parameters are accepted (and signed over), as Twilio adds them without
 * notice. A failure is `permanent` when Twilio's `ErrorCode` says the number can never receive SMS (unknown
 * handset, landline, blocked, unsubscribed). The callback of an account notice (built by `accountNoticeMessages`)
 * carries the notice's id as `sessionId`: it belongs to no verification session, so record it yourself rather than
 * pass it to `verifier.reportDelivery`.
 * @example
 * ```ts
 * const result = readTwilioStatusCallback(authToken, { url, params: new URLSearchParams(rawBody), signature });
 * if (result.ok && result.report) await verifier.reportDelivery(result.report);
 * ```
 * @public
 */
export function readTwilioStatusCallback(
  authToken: string,
  input: TwilioStatusCallbackInput,
): TwilioStatusCallbackResult {
  if (!input.signature) return { ok: false, reason: 'missing_signature' };
  if (!isValidTwilioSignature({ authToken, ...input })) return { ok: false, reason: 'invalid_signature' };

  // Older callbacks use the Sms* names; Twilio still sends both.
  const status = param(input.params, 'MessageStatus') ?? param(input.params, 'SmsStatus');
  const messageSid = param(input.params, 'MessageSid') ?? param(input.params, 'SmsSid');
  const query = new URL(input.url).searchParams;
  const sessionId = query.get(TWILIO_SESSION_PARAM);
  const tenantId = query.get(TWILIO_TENANT_PARAM);
  if (!status || !messageSid || !sessionId || !tenantId || !TRACKED.has(status as TrackedStatus)) {
    return { ok: true, report: null };
  }

  const report: DeliveryStatusReport = {
    sessionId,
    tenantId,
    route: 'sms',
    provider: 'twilio',
    providerMessageId: messageSid,
    status: status as TrackedStatus,
    permanent: false,
  };
  if (status === 'undelivered' || status === 'failed') {
    const rawCode = param(input.params, 'ErrorCode');
    const code = rawCode && /^\d+$/.test(rawCode) ? Number(rawCode) : undefined;
    report.permanent = isPermanentNumberError(code);
    if (rawCode) report.providerCode = rawCode;
    // A fixed description, never a free-text parameter: the report is audited and may be shown to staff.
    const known = describeTwilioError(code);
    report.reason = rawCode
      ? `Twilio reported the SMS ${status} (error ${rawCode})${known ? `: ${known}` : ''}`
      : `Twilio reported the SMS ${status}`;
  }
  return { ok: true, report };
}

/** Settings for {@link createTwilioStatusCallbackHandler}. @public */
export interface TwilioStatusCallbackHandlerSettings {
  /** The account's primary auth token. */
  authToken: string;
  /**
   * The origin Twilio calls (`https://qdesk.example.com`) when this server sits behind a proxy that changes the
   * host or scheme; the path and query come from the request. Without it the request's own URL is used.
   */
  publicOrigin?: string;
  /** Receives each tracked report, typically `(report) => verifier.reportDelivery(report)`. */
  onReport(report: DeliveryStatusReport): void | Promise<void>;
}

/**
 * A Fetch-API handler (`Request` in, `Response` out) for Twilio's status callback URL: 403 for a bad signature,
 * 400 for a body that is not a form, 500 when `onReport` throws, otherwise 204.
 * @example
 * ```ts
 * const handler = createTwilioStatusCallbackHandler({ authToken, onReport: (r) => verifier.reportDelivery(r) });
 * app.post('/twilio/status', (c) => handler(c.req.raw)); // Hono; any Fetch-API server works the same way
 * ```
 * @public
 */
export function createTwilioStatusCallbackHandler(
  settings: TwilioStatusCallbackHandlerSettings,
): (request: Request) => Promise<Response> {
  return async (request) => {
    const contentType = request.headers.get('content-type') ?? '';
    if (request.method !== 'POST' || !contentType.startsWith('application/x-www-form-urlencoded')) {
      return new Response('Expected a form-encoded POST from Twilio.', { status: 400 });
    }
    const requested = new URL(request.url);
    const url = settings.publicOrigin
      ? new URL(requested.pathname + requested.search, settings.publicOrigin).toString()
      : requested.toString();
    const params = new URLSearchParams(await request.text());
    const result = readTwilioStatusCallback(settings.authToken, {
      url,
      params,
      signature: request.headers.get('x-twilio-signature'),
    });
    if (!result.ok) return new Response('Twilio signature validation failed.', { status: 403 });
    if (result.report) {
      try {
        await settings.onReport(result.report);
      } catch {
        return new Response('The delivery report could not be recorded.', { status: 500 });
      }
    }
    return new Response(null, { status: 204 });
  };
}
