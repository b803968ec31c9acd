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
          fieldViolations: z.array(z.looseObject({ field: z.string().optional() })).optional(),
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

/**
 * Maps a refused FCM v1 send to a delivery result. Only answers about the registration token itself are permanent
 * with the default scope (UNREGISTERED, an INVALID_ARGUMENT naming the token), because that tells the verifier to
 * drop the device. SENDER_ID_MISMATCH (the token belongs to another sender) and THIRD_PARTY_AUTH_ERROR (a bad APNs or
 * Web Push credential in Firebase) are permanent in scope `configuration`; any other INVALID_ARGUMENT is a payload
 * no retry fixes (scope `message`). Quota and availability problems are transient.
 * @see https://firebase.google.com/docs/reference/fcm/rest/v1/ErrorCode
 */
export function classifyFcmRefusal(refusal: FcmRefusal): FailureResult {
  const parsed = errorBody.safeParse(refusal.body);
  const error = parsed.success ? parsed.data.error : undefined;
  const code = fcmErrorCode(refusal.body) ?? String(refusal.status);
  const detail = error?.message ? `: ${error.message}` : '';
  switch (code) {
    case 'UNREGISTERED':
      return permanentFailure(
        `FCM says the registration token is no longer valid (app uninstalled or token expired); remove the device${detail}`,
        code,
      );
    case 'SENDER_ID_MISMATCH':
      // firebase-admin calls it mismatched-credential: the device is fine, the sender is not the one it registered with.
      return permanentFailure(
        `The registration token belongs to another Firebase project; check projectId, the service account and the app's Firebase config${detail}`,
        code,
        'configuration',
      );
    case 'INVALID_ARGUMENT': {
      const aboutToken =
        error?.details?.some((d) => d.fieldViolations?.some((v) => v.field === 'message.token')) ||
        /registration token/i.test(error?.message ?? '');
      return aboutToken
        ? permanentFailure(`FCM says this is not a valid registration token${detail}`, code)
        : permanentFailure(`FCM rejected the message as invalid (not the token)${detail}`, code, 'message');
    }
    case 'THIRD_PARTY_AUTH_ERROR':
      return permanentFailure(
        `FCM could not authenticate with APNs or Web Push; check the APNs key or Web Push credentials in the Firebase project${detail}`,
        code,
        'configuration',
      );
    case 'QUOTA_EXCEEDED':
      // Firebase asks senders to back off at least a minute after a quota error.
      return transientFailure(
        `FCM sending quota exceeded; back off${detail}`,
        code,
        Math.max(60_000, refusal.retryAfterMs ?? 0),
      );
    case 'UNAVAILABLE':
    case 'INTERNAL':
      return transientFailure(
        `FCM is temporarily failing (${code}); retry with backoff${detail}`,
        code,
        refusal.retryAfterMs,
      );
    default:
      return transientFailure(
        `FCM refused the send with HTTP ${refusal.status} (${code})${detail}`,
        code,
        refusal.retryAfterMs,
      );
  }
}
