import { type FailureResult, permanentFailure, transientFailure } from '../internal/results.js';

/**
 * Twilio error codes that mean "this number will never take this SMS": retrying is pointless, fall back instead.
 * @see https://www.twilio.com/docs/api/errors
 */
const PERMANENT_NUMBER_ERRORS: ReadonlyMap<number, string> = new Map([
  [21211, 'the To number is not a valid phone number'],
  [21214, 'the To number cannot be reached'],
  [21217, 'the To number does not appear to be valid'],
  [21265, 'the To number cannot be a short code'],
  [21407, 'the To number type does not support SMS'],
  [21610, 'the recipient unsubscribed (replied STOP)'],
  [21612, 'the To number is not reachable via SMS'],
  [21614, 'the To number is not a mobile number'],
  [30004, 'the message was blocked for this recipient'],
  [30005, 'the destination handset is unknown or no longer exists'],
  [30006, 'the To number is a landline or its carrier is unreachable'],
]);

/** Twilio error codes that mean the sender's account or settings are wrong: every number fails alike until fixed. */
const CONFIGURATION_ERRORS: ReadonlyMap<number, string> = new Map([
  [20003, 'Twilio refused the credentials; check accountSid and authToken or apiKey'],
  [
    21408,
    "the account may not send SMS to the To number's country; enable it in the Console under Messaging > Settings > Geo permissions",
  ],
]);

/** Twilio error codes that mean this message can never be sent, though the number is fine. */
const MESSAGE_ERRORS: ReadonlyMap<number, string> = new Map([
  [21617, 'the message body is longer than Twilio accepts (1,600 characters)'],
]);

/** True when Twilio's error code says the number itself can never receive the SMS. */
export function isPermanentNumberError(code: number | undefined): boolean {
  return code !== undefined && PERMANENT_NUMBER_ERRORS.has(code);
}

/** What Twilio answered to a refused Messages API call. */
export interface TwilioApiRefusal {
  /** HTTP status. */
  status: number;
  /** Twilio's error code from the JSON body, when there was one. */
  code: number | undefined;
  /** Twilio's error message from the JSON body, when there was one. */
  message: string | undefined;
  /** Parsed `Retry-After`, in ms. */
  retryAfterMs: number | undefined;
}

/**
 * Maps a refused Messages API call to a delivery result: 429 / 20429 and 5xx are transient (Twilio did not
 * process the request, so it is safe to retry); every other 4xx is permanent, because the same request would be
 * refused again. A bad number is about the address; credentials (401, 403, 20003) and geographic permissions
 * (21408) are about the configuration; a body too long (21617) is about the message.
 */
export function classifyTwilioRefusal(refusal: TwilioApiRefusal): FailureResult {
  const { status, code, message, retryAfterMs } = refusal;
  const providerCode = String(code ?? status);
  const detail = message ? `: ${message}` : '';
  if (status === 429 || code === 20429) {
    return transientFailure(
      `Twilio is rate limiting requests (${providerCode}); try again shortly${detail}`,
      providerCode,
      retryAfterMs,
    );
  }
  if (status >= 500) {
    return transientFailure(
      `Twilio failed with HTTP ${status}; try again later${detail}`,
      providerCode,
      retryAfterMs,
    );
  }
  const known = code === undefined ? undefined : PERMANENT_NUMBER_ERRORS.get(code);
  if (known) return permanentFailure(`Twilio refused the SMS (${providerCode}): ${known}`, providerCode);
  const tooLong = code === undefined ? undefined : MESSAGE_ERRORS.get(code);
  if (tooLong)
    return permanentFailure(`Twilio refused the SMS (${providerCode}): ${tooLong}`, providerCode, 'message');
  const configuration =
    (code === undefined ? undefined : CONFIGURATION_ERRORS.get(code)) ??
    (status === 401 || status === 403 ? CONFIGURATION_ERRORS.get(20003) : undefined);
  if (configuration) {
    return permanentFailure(
      `Twilio refused the SMS (${providerCode}): ${configuration}${detail}`,
      providerCode,
      'configuration',
    );
  }
  return permanentFailure(
    `Twilio refused the SMS with HTTP ${status} (${providerCode})${detail}`,
    providerCode,
  );
}
