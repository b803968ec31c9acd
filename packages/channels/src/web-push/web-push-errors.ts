import {
  type FailureResult,
  parseRetryAfter,
  permanentFailure,
  transientFailure,
} from '../internal/results.js';

/** The fields of the `WebPushError` the web-push library rejects with. */
interface PushServiceRefusal {
  statusCode: number;
  body?: unknown;
  headers?: Record<string, string | string[] | undefined>;
}

/** True for an error carrying the push service's HTTP status. */
export function isPushServiceRefusal(error: unknown): error is PushServiceRefusal {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { statusCode?: unknown }).statusCode === 'number'
  );
}

const header = (headers: PushServiceRefusal['headers'], name: string) => {
  const value = headers?.[name] ?? headers?.[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * Maps a push service answer (RFC 8030) to a delivery result. 404 / 410 mean the subscription is gone for good
 * (scope `address`: the directory should drop it); 401 / 403 point at the VAPID keys or subject, which hit every
 * subscription alike (scope `configuration`, the device is kept); 413 (payload too large), 400 (a request the service
 * cannot parse) and any other 4xx are about the message (scope `message`); 429 and 5xx are transient.
 *
 * Note: a reason is the HTTP status and a fixed description, never the push service's body, which may quote the
 * request.
 */
export function classifyPushServiceRefusal(refusal: PushServiceRefusal): FailureResult {
  const status = refusal.statusCode;
  const code = String(status);
  if (status === 404 || status === 410) {
    return permanentFailure(
      `The push service says this subscription no longer exists (${status}); remove the device`,
      code,
      'address',
    );
  }
  if (status === 401 || status === 403) {
    return permanentFailure(
      `The push service refused the VAPID credentials (${status}); check the VAPID keys and subject, and that the browser subscribed with this public key`,
      code,
      'configuration',
    );
  }
  if (status === 413)
    return permanentFailure('The push payload is too large for the push service (413)', code, 'message');
  if (status === 429) {
    return transientFailure(
      'The push service is rate limiting (429); try again later',
      code,
      parseRetryAfter(header(refusal.headers, 'retry-after')),
    );
  }
  if (status >= 500) return transientFailure(`The push service failed with HTTP ${status}`, code);
  return permanentFailure(
    `The push service refused the notification with HTTP ${status}; no retry will help, and the subscription is kept`,
    code,
    'message',
  );
}
