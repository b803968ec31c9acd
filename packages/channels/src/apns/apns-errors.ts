import {
  type FailureResult,
  type FailureScope,
  permanentFailure,
  transientFailure,
} from '../internal/results.js';

/** How an APNs reason is handled: permanent with a scope, or transient; and what to tell the operator. */
type Handling = { scope: FailureScope; what: string } | { transient: true; what: string };

/**
 * Every reason APNs documents, by what it is about. Only the dead-token reasons are about the address (the verifier
 * drops the device); the topic and credential reasons are the app's settings, the request reasons the payload or
 * headers this channel built. None of the permanent ones gets better on retry.
 * @see https://developer.apple.com/documentation/usernotifications/handling-notification-responses-from-apns
 */
const REASONS: Readonly<Record<string, Handling>> = {
  // The device token.
  Unregistered: {
    scope: 'address',
    what: 'the device token is no longer active for this app (app removed or notifications reset); remove the device',
  },
  ExpiredToken: { scope: 'address', what: 'the device token has expired; remove the device' },
  // Also seen when the sandbox and production hosts are mixed up; `host` must match the app's build.
  BadDeviceToken: {
    scope: 'address',
    what: 'the device token is invalid (or belongs to the other APNs environment: check host); remove the device',
  },
  // The topic (bundle id) and the provider credentials: fix the settings, keep the device.
  // Apple staff advise against deleting a token for DeviceTokenNotForTopic: the topic is what is wrong.
  DeviceTokenNotForTopic: {
    scope: 'configuration',
    what: 'the device token does not belong to this topic; check topic (the bundle id)',
  },
  BadTopic: { scope: 'configuration', what: 'the topic is invalid; check topic (the bundle id)' },
  TopicDisallowed: {
    scope: 'configuration',
    what: 'the key may not send to this topic; check topic and the key',
  },
  MissingTopic: { scope: 'configuration', what: 'no topic was sent; check topic' },
  BadCertificate: { scope: 'configuration', what: 'the certificate is invalid' },
  BadCertificateEnvironment: { scope: 'configuration', what: 'the certificate is for the other environment' },
  Forbidden: { scope: 'configuration', what: 'the action is not allowed for this key' },
  // The request this channel built: a payload or header APNs will refuse however often it is sent.
  BadCollapseId: { scope: 'message', what: 'the apns-collapse-id header is invalid' },
  BadExpirationDate: { scope: 'message', what: 'the apns-expiration header is invalid' },
  BadMessageId: { scope: 'message', what: 'the apns-id header is invalid' },
  BadPriority: { scope: 'message', what: 'the apns-priority header is invalid' },
  DuplicateHeaders: { scope: 'message', what: 'a header was repeated' },
  InvalidPushType: { scope: 'message', what: 'the apns-push-type header is invalid' },
  MissingDeviceToken: { scope: 'message', what: 'the request path has no device token' },
  PayloadEmpty: { scope: 'message', what: 'the notification payload is empty' },
  PayloadTooLarge: { scope: 'message', what: 'the notification payload is too large' },
  BadPath: { scope: 'message', what: 'the request path is invalid' },
  MethodNotAllowed: { scope: 'message', what: 'the request method is not POST' },
  // Not now.
  IdleTimeout: { transient: true, what: 'the connection was idle too long; try again' },
  TooManyProviderTokenUpdates: {
    transient: true,
    what: 'the provider token was renewed too often; try again later',
  },
  TooManyRequests: { transient: true, what: 'too many notifications to this device; try again later' },
  InternalServerError: { transient: true, what: 'APNs had an internal error; try again later' },
  ServiceUnavailable: { transient: true, what: 'APNs is unavailable; try again later' },
  Shutdown: { transient: true, what: 'the APNs server is shutting down; try again later' },
};

/** What APNs answered to a refused notification. */
export interface ApnsRefusal {
  status: number;
  reason: string | undefined;
  retryAfterMs: number | undefined;
}

const CREDENTIALS =
  'APNs refused the provider credentials; fix the configuration: check teamId, keyId, the .p8 key and the host environment';

/**
 * Maps an APNs refusal to a delivery result. Unregistered, ExpiredToken and BadDeviceToken are permanent about the
 * device (scope `address`). DeviceTokenNotForTopic, the other topic reasons and every 403 (InvalidProviderToken and
 * other credential problems) are permanent in scope `configuration`, so the device is kept. The request reasons
 * (BadPriority, BadCollapseId, BadExpirationDate, PayloadEmpty, 413...) are permanent in scope `message`. 429, 5xx
 * and IdleTimeout are transient. A reason APNs adds later is judged by its status: 4xx permanent (scope `message`),
 * 429 and 5xx transient. ExpiredProviderToken is handled before this (new token, one retry).
 */
export function classifyApnsRefusal(refusal: ApnsRefusal): FailureResult {
  const { status, retryAfterMs } = refusal;
  // APNs reasons are single words; anything else is not used as a code or quoted.
  const reason = refusal.reason && /^[A-Za-z]{1,64}$/.test(refusal.reason) ? refusal.reason : undefined;
  const code = reason ?? String(status);
  const known = reason ? REASONS[reason] : undefined;
  if (known && 'transient' in known) {
    return transientFailure(`APNs: ${known.what} (${code})`, code, retryAfterMs);
  }
  if (known)
    return permanentFailure(`APNs refused the notification (${code}): ${known.what}`, code, known.scope);
  if (status === 410) {
    return permanentFailure('APNs: the device token is no longer active; remove the device', code, 'address');
  }
  // Scope `configuration`: the verifier falls back but keeps the device, since a bad key affects every device.
  if (status === 403) return permanentFailure(`${CREDENTIALS} (${code})`, code, 'configuration');
  if (status === 429 || status >= 500) {
    return transientFailure(
      `APNs is failing or throttling (${status} ${code}); try again later`,
      code,
      retryAfterMs,
    );
  }
  return permanentFailure(
    `APNs refused the request with ${status} (${code}); no retry will help, and the device token is not the cause`,
    code,
    'message',
  );
}
