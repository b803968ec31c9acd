import { type FailureResult, permanentFailure, transientFailure } from '../internal/results.js';

/** APNs reasons that mean this device token will never take a notification for this app. */
const DEAD_TOKEN: Readonly<Record<string, string>> = {
  Unregistered: 'the device token is no longer active for this app (app removed or notifications reset)',
  ExpiredToken: 'the device token has expired',
  // Also seen when the sandbox and production hosts are mixed up; `host` must match the app's build.
  BadDeviceToken: 'the device token is invalid (or belongs to the other APNs environment: check host)',
};

/** 400 reasons about the request or the app's settings: no retry helps, and the device token is not the problem. */
const CONFIGURATION: Readonly<Record<string, string>> = {
  // Apple advises against deleting a token for this one: the topic (bundle id) is what is wrong.
  DeviceTokenNotForTopic: 'the device token does not belong to this topic; check topic (the bundle id)',
  BadTopic: 'the topic is invalid; check topic (the bundle id)',
  TopicDisallowed: 'the key may not send to this topic; check topic and the key',
  MissingTopic: 'no topic was sent; check topic',
  BadExpirationDate: 'the apns-expiration header is invalid; check the clock',
};

/** What APNs answered to a refused notification. */
export interface ApnsRefusal {
  status: number;
  reason: string | undefined;
  retryAfterMs: number | undefined;
}

/**
 * Maps an APNs refusal to a delivery result. 410 and the token reasons of 400 (Unregistered, ExpiredToken,
 * BadDeviceToken) are permanent: the device is gone. 413 cannot shrink on retry (scope `message`). 403
 * (InvalidProviderToken and other credential problems) and the topic and request reasons of 400
 * (DeviceTokenNotForTopic, BadTopic, TopicDisallowed, BadExpirationDate) are permanent with scope `configuration`:
 * no retry helps, and the device is kept. 429 and 5xx are transient. ExpiredProviderToken is handled before this
 * (new token, one retry).
 * @see https://developer.apple.com/documentation/usernotifications/handling-notification-responses-from-apns
 */
export function classifyApnsRefusal(refusal: ApnsRefusal): FailureResult {
  const { status, reason, retryAfterMs } = refusal;
  const code = reason ?? String(status);
  const dead = reason ? DEAD_TOKEN[reason] : undefined;
  if (dead && (status === 400 || status === 410))
    return permanentFailure(`APNs: ${dead}; remove the device`, code);
  if (status === 410)
    return permanentFailure('APNs: the device token is no longer active; remove the device', code);
  const misconfigured = reason ? CONFIGURATION[reason] : undefined;
  if (misconfigured && status === 400) {
    return permanentFailure(`APNs refused the request (${code}): ${misconfigured}`, code, 'configuration');
  }
  if (status === 403) {
    // Scope `configuration`: the verifier falls back but keeps the device, since a bad key affects every device.
    return permanentFailure(
      `APNs refused the provider credentials (${code}); fix the configuration: check teamId, keyId, the .p8 key and the host environment`,
      code,
      'configuration',
    );
  }
  if (status === 413)
    return permanentFailure('APNs: the notification payload is too large (413)', code, 'message');
  if (status === 429)
    return transientFailure(`APNs is throttling (${code}); try again later`, code, retryAfterMs);
  if (status >= 500)
    return transientFailure(`APNs is failing (${status} ${code}); try again later`, code, retryAfterMs);
  return transientFailure(
    `APNs refused the request with ${status} (${code}), not because of the device token`,
    code,
  );
}
