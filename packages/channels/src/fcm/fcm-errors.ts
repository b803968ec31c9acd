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
 * Maps a refused FCM v1 send to a delivery result. Only answers about the registration token itself are
 * permanent (UNREGISTERED, an INVALID_ARGUMENT naming the token, SENDER_ID_MISMATCH), because a permanent push
 * failure tells the app to drop the device. Quota, availability and credential problems are transient.
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
      return permanentFailure(
        `The registration token belongs to another Firebase project; check projectId and the app's Firebase config${detail}`,
        code,
      );
    case 'INVALID_ARGUMENT': {
      const aboutToken =
        error?.details?.some((d) => d.fieldViolations?.some((v) => v.field === 'message.token')) ||
        /registration token/i.test(error?.message ?? '');
      return aboutToken
        ? permanentFailure(`FCM says this is not a valid registration token${detail}`, code)
        : transientFailure(`FCM rejected the message as invalid (not the token)${detail}`, code);
    }
    case 'QUOTA_EXCEEDED':
      // Firebase asks senders to back off at least a minute after a quota error.
      return transientFailure(
        `FCM sending quota exceeded; back off${detail}`,
        code,
        Math.max(60_000, refusal.retryAfterMs ?? 0),
      );
    case 'THIRD_PARTY_AUTH_ERROR':
      return transientFailure(
        `FCM could not authenticate with APNs or Web Push; check the APNs key in the Firebase project${detail}`,
        code,
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
