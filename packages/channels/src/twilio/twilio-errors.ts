import {
  type FailureResult,
  type FailureScope,
  permanentFailure,
  transientFailure,
} from '../internal/results.js';

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
  [20404, 'the account or resource was not found; check accountSid'],
  [
    21408,
    "the account may not send SMS to the To number's country; enable it in the Console under Messaging > Settings > Geo permissions",
  ],
  [21601, 'the From number is not an SMS-capable number of this account; check from'],
  [21603, 'no sender was given; set from or messagingServiceSid'],
  [
    21606,
    'the From number is not a message-capable Twilio number for this destination; check from or the Messaging Service senders',
  ],
  [
    21608,
    'a trial account may only send to verified numbers; verify the number or upgrade the Twilio account',
  ],
  [21659, 'the From number is not a Twilio number or short code of this account; check from'],
  [21660, 'the From number belongs to another account; check from and accountSid'],
  [21661, 'the From number cannot send SMS; check from'],
  [21703, 'the Messaging Service has no sender for this destination; add a number to the service'],
  [21704, 'the Messaging Service has no phone numbers; add one'],
  [21705, 'the Messaging Service SID is not valid; check messagingServiceSid'],
]);

/** Twilio error codes that mean this message can never be sent, though the number is fine. */
const MESSAGE_ERRORS: ReadonlyMap<number, string> = new Map([
  [21602, 'the message body is empty'],
  [21605, 'the message body is longer than Twilio accepts'],
  [21617, 'the message body is longer than Twilio accepts (1,600 characters)'],
  [21619, 'the message has no body'],
]);

/** Twilio error codes that mean "not now": the queue or the account limit is full, a later send may work. */
const TRANSIENT_ERRORS: ReadonlyMap<number, string> = new Map([
  [20429, 'Twilio is rate limiting requests; try again shortly'],
  [21611, "the sender's outgoing queue is full; try again later"],
]);

const TABLES: ReadonlyArray<[ReadonlyMap<number, string>, FailureScope]> = [
  [PERMANENT_NUMBER_ERRORS, 'address'],
  [CONFIGURATION_ERRORS, 'configuration'],
  [MESSAGE_ERRORS, 'message'],
];

/** True when Twilio's error code says the number itself can never receive the SMS. */
export function isPermanentNumberError(code: number | undefined): boolean {
  return code !== undefined && PERMANENT_NUMBER_ERRORS.has(code);
}

/** A fixed description of a Twilio error code, for status callbacks; `undefined` for a code not in the tables. */
export function describeTwilioError(code: number | undefined): string | undefined {
  if (code === undefined) return undefined;
  return [...TABLES.map(([table]) => table), TRANSIENT_ERRORS].find((table) => table.has(code))?.get(code);
}

/** What Twilio answered to a refused Messages API call. */
export interface TwilioApiRefusal {
  /** HTTP status. */
  status: number;
  /** Twilio's error code from the JSON body, when there was one. */
  code: number | undefined;
  /** Parsed `Retry-After`, in ms. */
  retryAfterMs: number | undefined;
}

/**
 * Maps a refused Messages API call to a delivery result: 429 / 20429, 21611 and 5xx are transient (Twilio did not
 * process the request, so it is safe to retry); every other 4xx is permanent, because the same request would be
 * refused again. A bad number is about the address; credentials (401, 403, 20003), the sender (21606, 21659...) and
 * geographic permissions (21408) are about the configuration; a body too long (21617) is about the message, and so
 * is a code this table does not know (no address is blamed, no setting is named).
 *
 * Note: a reason is Twilio's code and a fixed description, never Twilio's `message`, which can quote the request
 * (the number, the body and so the code).
 */
export function classifyTwilioRefusal(refusal: TwilioApiRefusal): FailureResult {
  const { status, code, retryAfterMs } = refusal;
  const providerCode = String(code ?? status);
  const transient = code === undefined ? undefined : TRANSIENT_ERRORS.get(code);
  if (status === 429 || transient) {
    return transientFailure(
      `${transient ?? TRANSIENT_ERRORS.get(20429)} (${providerCode})`,
      providerCode,
      retryAfterMs,
    );
  }
  if (status >= 500) {
    return transientFailure(
      `Twilio failed with HTTP ${status} (${providerCode}); try again later`,
      providerCode,
      retryAfterMs,
    );
  }
  for (const [table, scope] of TABLES) {
    const known = code === undefined ? undefined : table.get(code);
    if (known)
      return permanentFailure(`Twilio refused the SMS (${providerCode}): ${known}`, providerCode, scope);
  }
  if (status === 401 || status === 403) {
    return permanentFailure(
      `Twilio refused the SMS (${providerCode}): ${CONFIGURATION_ERRORS.get(20003)}`,
      providerCode,
      'configuration',
    );
  }
  const docs = code === undefined ? '' : `; see https://www.twilio.com/docs/errors/${code}`;
  return permanentFailure(
    `Twilio refused the SMS with HTTP ${status} (${providerCode})${docs}`,
    providerCode,
    'message',
  );
}
