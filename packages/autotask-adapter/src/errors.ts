import { QdeskError, type QdeskErrorCode } from '@qdesk/core';

/** Core's error options (`cause`, `details`), as every QDesk error constructor takes them. */
type QdeskErrorOptions = Omit<ConstructorParameters<typeof QdeskError>[1], 'code'>;

/**
 * Why an Autotask call failed. Branch on this (or on `code`) rather than on the message.
 *
 * - `auth`: wrong API user name, integration code or secret (Autotask answers 500 or 401).
 * - `forbidden`: the API user's security level does not allow the call (403).
 * - `impersonation_refused`: a call sent as a resource (`ImpersonationResourceId`) was refused for want of a right:
 *   the API user may not impersonate for that object, or the resource's security level does not allow it.
 * - `zone_discovery`: Autotask could not tell which zone the API user lives in.
 * - `not_found`: the endpoint does not exist (404): a wrong zone URL or entity name, not a missing record.
 * - `validation`: Autotask refused the data (usually a 500 with an `errors` body).
 * - `rate_limited`: Autotask answered 429.
 * - `thread_limit`: more than the allowed concurrent requests on one endpoint ("Thread Threshold Exceeded").
 * - `budget_exhausted`: the app's own hourly request budget ({@link RequestBudget}) is used up; nothing was sent.
 * - `timeout`, `network`, `server`: Autotask did not answer, could not be reached, or failed (5xx).
 * - `unexpected_response`: an answer this adapter cannot read (not JSON, or not the documented shape).
 * - `foreign_host`: a `nextPageUrl` pointed at another host than the zone's; nothing was sent there.
 *
 * @public
 */
export type AutotaskErrorKind =
  | 'auth'
  | 'forbidden'
  | 'impersonation_refused'
  | 'zone_discovery'
  | 'not_found'
  | 'validation'
  | 'rate_limited'
  | 'thread_limit'
  | 'budget_exhausted'
  | 'timeout'
  | 'network'
  | 'server'
  | 'unexpected_response'
  | 'foreign_host';

/**
 * The second argument of `new AutotaskError(message, options)`: core's error options plus what Autotask answered.
 * Never holds a credential.
 * @public
 */
export interface AutotaskErrorOptions extends QdeskErrorOptions {
  /** Why it failed. */
  kind: AutotaskErrorKind;
  /** HTTP status, or `null` when no answer arrived. */
  status?: number | null;
  /** Whether trying the same call again later can succeed. */
  retryable?: boolean;
  /** How long Autotask (or the budget) asked to wait, in ms, or `null`. */
  retryAfterMs?: number | null;
  /** The `errors` strings of Autotask's answer, if any. */
  apiErrors?: string[];
  /** HTTP method of the failed call. */
  method?: string | null;
  /** Path of the failed call below the zone's `V1.0/` (no host, no query string). */
  path?: string | null;
}

const CODE_BY_KIND: Record<AutotaskErrorKind, QdeskErrorCode> = {
  auth: 'unauthorized',
  forbidden: 'unauthorized',
  impersonation_refused: 'unauthorized',
  zone_discovery: 'unauthorized',
  not_found: 'adapter_failed',
  validation: 'adapter_failed',
  rate_limited: 'rate_limited',
  thread_limit: 'rate_limited',
  budget_exhausted: 'rate_limited',
  timeout: 'psa_unavailable',
  network: 'psa_unavailable',
  server: 'psa_unavailable',
  unexpected_response: 'adapter_failed',
  foreign_host: 'adapter_failed',
};

const AUTOTASK_ERROR_MARK = Symbol.for('@qdesk/autotask-adapter/error');

/**
 * An Autotask call failed. A `QdeskError`, so a verifier passes it through like any PSA failure; `kind` says why
 * and the message says what to do. `code` is `unauthorized` for credential problems, `rate_limited` for 429 /
 * thread / budget limits, `psa_unavailable` for timeouts, network and 5xx failures and `adapter_failed` otherwise.
 * The underlying error (a ky `TimeoutError`, a `fetch` failure, a zod error) is `cause`.
 *
 * Note: it extends `QdeskError` rather than `AdapterError` so that its `code` can say which of those it is;
 * `AdapterError` always carries `adapter_failed`.
 *
 * @example
 * ```ts
 * try { await adapter.getTicketContext('12345'); }
 * catch (error) {
 *   if (isAutotaskError(error, 'auth')) alertAdmin(error.message);
 *   else if (isAutotaskError(error) && error.retryAfterMs !== null) retryIn(error.retryAfterMs);
 * }
 * ```
 * @public
 */
export class AutotaskError extends QdeskError {
  /** Always `"AutotaskError"`. */
  override readonly name = 'AutotaskError' as const;
  /** Why it failed. */
  readonly kind: AutotaskErrorKind;
  /** HTTP status, or `null` when no answer arrived. */
  readonly status: number | null;
  /** Whether trying the same call again later can succeed. */
  readonly retryable: boolean;
  /** How long to wait before trying again, in ms, when known. */
  readonly retryAfterMs: number | null;
  /** The `errors` strings of Autotask's answer. */
  readonly apiErrors: string[];
  /** HTTP method of the failed call, when there was one. */
  readonly method: string | null;
  /** Path of the failed call below the zone's `V1.0/`. */
  readonly path: string | null;

  constructor(message: string, options: AutotaskErrorOptions) {
    const { kind, status = null, method = null, path = null } = options;
    super(message, {
      cause: options.cause,
      code: CODE_BY_KIND[kind],
      details: { kind, status, method, path, ...options.details },
    });
    this.kind = kind;
    this.status = status;
    this.retryable = options.retryable ?? false;
    this.retryAfterMs = options.retryAfterMs ?? null;
    this.apiErrors = options.apiErrors ?? [];
    this.method = method;
    this.path = path;
    Object.defineProperty(this, AUTOTASK_ERROR_MARK, { value: true });
  }
}

/**
 * True for an {@link AutotaskError} (also one from another copy of this package), optionally of one `kind`.
 * @public
 */
export function isAutotaskError(value: unknown, kind?: AutotaskErrorKind): value is AutotaskError {
  if (typeof value !== 'object' || value === null) return false;
  if ((value as Record<symbol, unknown>)[AUTOTASK_ERROR_MARK] !== true) return false;
  return kind === undefined || (value as AutotaskError).kind === kind;
}
