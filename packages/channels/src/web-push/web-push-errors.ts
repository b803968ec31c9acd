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
 * (the directory should drop it); 413 means the payload can never fit (scope `message`); 429 and 5xx are
 * transient. Any other 4xx points at the VAPID configuration rather than the subscription: permanent, since no
 * retry helps, in scope `configuration`, so the device is kept.
 */
export function classifyPushServiceRefusal(refusal: PushServiceRefusal): FailureResult {
  const status = refusal.statusCode;
  const code = String(status);
  const detail =
    typeof refusal.body === 'string' && refusal.body.trim() ? `: ${refusal.body.trim().slice(0, 200)}` : '';
  if (status === 404 || status === 410) {
    return permanentFailure(
      `The push service says this subscription no longer exists (${status}); remove the device${detail}`,
      code,
    );
  }
  if (status === 413)
    return permanentFailure(
      `The push payload is too large for the push service (413)${detail}`,
      code,
      'message',
    );
  if (status === 429) {
    return transientFailure(
      `The push service is rate limiting (429); try again later${detail}`,
      code,
      parseRetryAfter(header(refusal.headers, 'retry-after')),
    );
  }
  if (status >= 500) return transientFailure(`The push service failed with HTTP ${status}${detail}`, code);
  // 400 / 401 / 403 usually mean a VAPID problem that hits every subscription alike: permanent, scoped to the
  // configuration, so the verifier falls back without dropping devices that are fine.
  return permanentFailure(
    `The push service refused the notification with HTTP ${status}; check the VAPID keys and subject${detail}`,
    code,
    'configuration',
  );
}
