import { parseRetryAfter } from '@qdesk/core/ports';
import { AutotaskError } from '../errors.js';

/** What the transport knows about the call when it classifies an answer. */
export interface CallInfo {
  method: string;
  path: string;
  endpoint: string;
  now: number;
  /** The answer as an error (ky's `HTTPError`), kept as the `cause` of any error made from it. */
  cause?: unknown;
  /** The `ImpersonationResourceId` the call carried, if any. */
  impersonationResourceId?: string | null;
}

export type Classified = { ok: true; body: unknown } | { ok: false; error: AutotaskError };

const THREAD_LIMIT = /thread threshold exceeded/i;
// Autotask answers a wrong user name or integration code with a 500 whose text names the culprit.
const CREDENTIALS = /integration\s*code|user\s*name|username|api user|credential|authenticat/i;
// A call that acts as a resource and is refused for want of a right: the reported text is "...does not have adequate
// permissions..." (HTTP 500); a 403 on such a call is read the same way.
const PERMISSION = /permission|imperson/i;
const ADMIN_PATH = 'Autotask Admin > Account Settings & Users > Resources/Users > (the API user) > Security';

function parseJson(text: string): unknown {
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The `errors` strings (or a `Message`) of an Autotask error body. */
export function apiErrorsOf(body: unknown): string[] {
  if (typeof body !== 'object' || body === null) return [];
  const { errors, Message, message } = body as Record<string, unknown>;
  if (Array.isArray(errors)) {
    return errors.map((e) =>
      typeof e === 'string' ? e : typeof e === 'object' && e !== null ? JSON.stringify(e) : String(e),
    );
  }
  if (typeof Message === 'string') return [Message];
  if (typeof message === 'string') return [message];
  return [];
}

const isEnvelope = (body: unknown) =>
  typeof body === 'object' &&
  body !== null &&
  ['item', 'items', 'queryCount', 'itemId', 'url'].some((key) => key in body);

/** Maps an HTTP answer to a parsed body or to an {@link AutotaskError} whose message says what to do. */
export function classifyResponse(status: number, headers: Headers, text: string, call: CallInfo): Classified {
  const body = parseJson(text);
  const apiErrors = apiErrorsOf(body);
  const where = { method: call.method, path: call.path, status, apiErrors, cause: call.cause };
  const what = `${call.method} ${call.path}`;
  const quoted = apiErrors.length > 0 ? `: "${apiErrors.join('; ')}"` : '';
  const retryAfterMs = parseRetryAfter(headers.get('retry-after'), call.now) ?? null;

  // The thread limit arrives with various statuses (often 500, sometimes even 200 with an errors body).
  const threadLimited =
    status >= 400
      ? THREAD_LIMIT.test(text)
      : !isEnvelope(body) && apiErrors.some((e) => THREAD_LIMIT.test(e));
  if (threadLimited) {
    return {
      ok: false,
      error: new AutotaskError(
        `Autotask refused ${what}: more concurrent requests on ${call.endpoint} than its thread limit allows ` +
          '("Thread Threshold Exceeded"). Lower maxInFlightPerEntity, or share one adapter instead of creating ' +
          'several with the same integration code.',
        { ...where, kind: 'thread_limit', retryable: true, retryAfterMs },
      ),
    };
  }
  if (status >= 200 && status < 300) {
    if (body === undefined) {
      return {
        ok: false,
        error: new AutotaskError(
          `Autotask answered ${what} with a body that is not JSON. Check that zoneUrl points at the ` +
            'ATServicesRest API (not the web UI).',
          { ...where, kind: 'unexpected_response' },
        ),
      };
    }
    return { ok: true, body };
  }
  if (status === 429) {
    const wait = retryAfterMs === null ? '' : ` Autotask asks to wait ${Math.ceil(retryAfterMs / 1000)} s.`;
    return {
      ok: false,
      error: new AutotaskError(
        `Autotask is rate limiting this integration (HTTP 429 on ${what}).${wait} Every integration of the ` +
          'tenant shares 10,000 requests an hour: spread the work out or give this app a smaller budget.',
        { ...where, kind: 'rate_limited', retryable: true, retryAfterMs },
      ),
    };
  }
  const actingAs = call.impersonationResourceId ?? null;
  if (
    actingAs !== null &&
    (status === 403 || (status === 500 && apiErrors.some((e) => PERMISSION.test(e))))
  ) {
    return {
      ok: false,
      error: new AutotaskError(
        `Autotask refused ${what} made as resource ${actingAs} (ImpersonationResourceId, HTTP ${status}${quoted}). ` +
          "Impersonation needs two settings: the API user's security level must allow impersonation for this " +
          "object (Web Services API section), and the resource's security level must allow impersonation of " +
          'resources with that level (Autotask Admin > Account Settings & Users > Security Levels).',
        { ...where, kind: 'impersonation_refused' },
      ),
    };
  }
  if (status === 401 || (status === 500 && apiErrors.some((e) => CREDENTIALS.test(e)))) {
    const culprit =
      status === 401
        ? 'the API secret (HTTP 401). Check the Password (Secret), or generate a new one,'
        : `the API user name or integration code (HTTP 500${quoted}). Check the Username (Key) and the API ` +
          'Tracking Identifier (integration code)';
    return {
      ok: false,
      error: new AutotaskError(`Autotask rejected ${culprit} in ${ADMIN_PATH}.`, { ...where, kind: 'auth' }),
    };
  }
  if (status === 403) {
    return {
      ok: false,
      error: new AutotaskError(
        `The API user's security level does not allow ${what} (HTTP 403${quoted}). Give it read access to ` +
          'Tickets, Companies, Contacts and Resources and the right to add and view ticket notes (Autotask ' +
          'Admin > Account Settings & Users > Security Levels).',
        { ...where, kind: 'forbidden' },
      ),
    };
  }
  if (status === 404 || status === 405) {
    return {
      ok: false,
      error: new AutotaskError(
        `Autotask has no ${what} endpoint (HTTP ${status}${quoted}). Check zoneUrl (it must end in ` +
          '/ATServicesRest/) and the entity name.',
        { ...where, kind: 'not_found' },
      ),
    };
  }
  if ((status === 400 || status === 500) && apiErrors.length > 0) {
    return {
      ok: false,
      error: new AutotaskError(
        `Autotask refused ${what}${quoted}. Fix the data sent, or the API user's permissions if it names one.`,
        { ...where, kind: 'validation' },
      ),
    };
  }
  if (status >= 500) {
    return {
      ok: false,
      error: new AutotaskError(
        `Autotask failed with HTTP ${status} on ${what}. This is usually temporary: retry later.`,
        { ...where, kind: 'server', retryable: true, retryAfterMs },
      ),
    };
  }
  return {
    ok: false,
    error: new AutotaskError(`Autotask answered ${what} with an unexpected HTTP ${status}${quoted}.`, {
      ...where,
      kind: 'unexpected_response',
    }),
  };
}
