import { ConfigError, isQdeskError, type QdeskErrorCode } from '@qdesk/core';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ZodError } from 'zod';

const STATUS: Partial<Record<QdeskErrorCode, ContentfulStatusCode>> = {
  input_invalid: 400,
  config_invalid: 500,
  session_not_found: 404,
  ticket_not_found: 404,
  contact_not_found: 404,
  end_user_not_found: 404,
  ticket_missing_company: 422,
  ticket_missing_contact: 422,
  contact_missing_email: 422,
  contact_not_on_ticket_company: 422,
  end_user_not_on_ticket_customer: 422,
  verification_in_progress: 409,
  method_unavailable: 422,
  no_delivery_route: 422,
  psa_unavailable: 422,
  invalid_transition: 409,
  session_closed: 409,
  session_expired: 409,
  conflict: 409,
  rate_limited: 429,
  end_user_locked: 423,
  unauthorized: 403,
  // Another technician's verification (take it over first), or an administrator's task.
  forbidden: 403,
  // The gate: no approved verification to grant a reset on, or a grant that does not allow it. Either way: refuse.
  not_verified: 403,
  grant_invalid: 403,
  adapter_failed: 502,
};

/** Every error becomes JSON `{ error: { code, message } }` with a status a client can act on; never a stack. */
export function toErrorResponse(error: unknown, c: Context) {
  if (error instanceof HTTPException) {
    return c.json({ error: { code: `http_${error.status}`, message: error.message } }, error.status);
  }
  if (error instanceof ZodError) {
    const message = error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
    return c.json({ error: { code: 'input_invalid', message } }, 400);
  }
  if (isQdeskError(error)) {
    if (error.code === 'config_invalid' && error instanceof ConfigError && error.issues.length > 0) {
      // At run time only a policy change raises it: the administrator's input, named field by field.
      return c.json({ error: { code: 'input_invalid', message: error.message, issues: error.issues } }, 400);
    }
    const status = STATUS[error.code] ?? 500;
    const retry = (error as { retryAfterMs?: number | null }).retryAfterMs;
    if (typeof retry === 'number') c.header('retry-after', String(Math.ceil(retry / 1000)));
    return c.json({ error: { code: error.code, message: error.message } }, status);
  }
  console.error('Unexpected error', error);
  return c.json(
    { error: { code: 'internal_error', message: 'Something went wrong on our side; try again.' } },
    500,
  );
}
