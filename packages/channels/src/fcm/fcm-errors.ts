import { z } from 'zod';
import { type FailureResult, permanentFailure, transientFailure } from '../internal/results.js';

const errorBody = z.looseObject({
  error: z.looseObject({
    code: z.number().optional(),
    message: z.string().optional(),
    status: z.string().optional(),
    details: z
      .array(
        z.looseObject({
          errorCode: z.string().optional(),
          fieldViolations: z
            .array(z.looseObject({ field: z.string().optional(), description: z.string().optional() }))
            .optional(),
        }),
      )
      .optional(),
  }),
});

/** What FCM answered to a refused send. */
export interface FcmRefusal {
  status: number;
  body: unknown;
  retryAfterMs: number | undefined;
}

/** FCM's error code: `details[].errorCode` when present (the documented branch point), else the RPC status. */
export function fcmErrorCode(body: unknown): string | undefined {
  const parsed = errorBody.safeParse(body);
  if (!parsed.success) return undefined;
  return parsed.data.error.details?.find((d) => d.errorCode)?.errorCode ?? parsed.data.error.status;
}

/** True when an INVALID_ARGUMENT names the registration token (the field `message.token`, or its description). */
function namesTheToken(error: z.output<typeof errorBody>['error'] | undefined): boolean {
  const violations = error?.details?.flatMap((d) => d.fieldViolations ?? []) ?? [];
  return (
    violations.some((v) => v.field === 'message.token' || /registration token/i.test(v.description ?? '')) ||
    /registration token/i.test(error?.message ?? '')
  );
}

/**
 * Maps a refused FCM v1 send to a delivery result. Only answers about the registration token itself are permanent
 * with scope `address` (UNREGISTERED, an INVALID_ARGUMENT naming the token), because that tells the verifier to
 * drop the device. SENDER_ID_MISMATCH (the token belongs to another sender), THIRD_PARTY_AUTH_ERROR (a bad APNs or
 * Web Push credential in Firebase) and a refused access token or permission (401, 403) are permanent in scope
 * `configuration`; any other INVALID_ARGUMENT or 4xx is a request no retry fixes (scope `message`). Quota and
 * availability problems (429, 5xx) are transient.
 *
 * Note: a reason is FCM's code and a fixed description, never FCM's `message`, which quotes field values of the
 * request.
 * @see https://firebase.google.com/docs/reference/fcm/rest/v1/ErrorCode
 */
export function classifyFcmRefusal(refusal: FcmRefusal): FailureResult {
  const parsed = errorBody.safeParse(refusal.body);
  const error = parsed.success ? parsed.data.error : undefined;
  const code = fcmErrorCode(refusal.body) ?? String(refusal.status);
  switch (code) {
    case 'UNREGISTERED':
      return permanentFailure(
        'FCM says the registration token is no longer valid (app uninstalled or token expired); remove the device',
        code,
        'address',
      );
    case 'SENDER_ID_MISMATCH':
      // firebase-admin calls it mismatched-credential: the device is fine, the sender is not the one it registered with.
      return permanentFailure(
        "The registration token belongs to another Firebase project; check projectId, the service account and the app's Firebase config",
        code,
        'configuration',
      );
    case 'INVALID_ARGUMENT':
      return namesTheToken(error)
        ? permanentFailure(
            'FCM says this is not a valid registration token; remove the device',
            code,
            'address',
          )
        : permanentFailure(
            'FCM rejected the message as invalid (not the token); no retry will help',
            code,
            'message',
          );
    case 'THIRD_PARTY_AUTH_ERROR':
      return permanentFailure(
        'FCM could not authenticate with APNs or Web Push; check the APNs key or Web Push credentials in the Firebase project',
        code,
        'configuration',
      );
    case 'QUOTA_EXCEEDED':
      // Firebase asks senders to back off at least a minute after a quota error.
      return transientFailure(
        'FCM sending quota exceeded; back off',
        code,
        Math.max(60_000, refusal.retryAfterMs ?? 0),
      );
    case 'UNAVAILABLE':
    case 'INTERNAL':
      return transientFailure(
        `FCM is temporarily failing (${code}); retry with backoff`,
        code,
        refusal.retryAfterMs,
      );
  }
  const status = refusal.status;
  if (status === 429 || status >= 500) {
    return transientFailure(
      `FCM refused the send with HTTP ${status} (${code}); try again later`,
      code,
      refusal.retryAfterMs,
    );
  }
  if (status === 401 || status === 403) {
    // A fresh access token was already tried on 401: the service account itself is refused.
    return permanentFailure(
      `FCM refused the service account (${code}); check that it belongs to projectId, has the Firebase Cloud Messaging API Admin role, and that the FCM API is enabled`,
      code,
      'configuration',
    );
  }
  return permanentFailure(
    `FCM refused the send with HTTP ${status} (${code}); no retry will help`,
    code,
    'message',
  );
}
