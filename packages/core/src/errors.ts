/**
 * Every error code a QDesk component can raise. Branch on `error.code` rather than on the message.
 *
 * @public
 */
export type QdeskErrorCode =
  | 'config_invalid'
  | 'input_invalid'
  | 'session_not_found'
  | 'ticket_not_found'
  | 'ticket_missing_company'
  | 'ticket_missing_contact'
  | 'contact_not_found'
  | 'contact_missing_email'
  | 'end_user_not_found'
  | 'method_unavailable'
  | 'invalid_transition'
  | 'session_closed'
  | 'session_expired'
  | 'rate_limited'
  | 'end_user_locked'
  | 'unauthorized'
  | 'conflict'
  | 'no_delivery_route'
  | 'delivery_failed'
  | 'adapter_failed'
  | 'psa_unavailable';

/** Options accepted by every QDesk error constructor. @public */
export interface QdeskErrorOptions {
  /** The underlying error, kept so nothing is lost when one error is wrapped in another. */
  cause?: unknown;
  /** Structured context a caller can log or show (never contains a secret). */
  details?: Record<string, unknown>;
}

const QDESK_ERROR_MARK = Symbol.for('@qdesk/core/error');

/**
 * Base class of every error QDesk throws on purpose. The message says what happened and what to do next.
 *
 * @example
 * ```ts
 * try { await verifier.checkCode({ sessionId, code, actor }); }
 * catch (error) { if (isQdeskError(error) && error.code === 'rate_limited') showRetryLater(); }
 * ```
 * @public
 */
export class QdeskError extends Error {
  override readonly name: string = 'QdeskError';
  /** Machine-readable reason; stable across versions. */
  readonly code: QdeskErrorCode;
  /** Structured context (ids, field names, limits); never a code, token or secret. */
  readonly details: Record<string, unknown>;

  constructor(code: QdeskErrorCode, message: string, options: QdeskErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
    Object.defineProperty(this, QDESK_ERROR_MARK, { value: true });
  }
}

/**
 * True for any {@link QdeskError}, including one thrown by another copy of this package.
 * @public
 */
export function isQdeskError(value: unknown): value is QdeskError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[QDESK_ERROR_MARK] === true
  );
}

/** One problem found in a configuration or an input: the dotted path of the field and what is wrong. @public */
export interface FieldIssue {
  /** Dotted path of the field, for example `policy.codeLength`. */
  path: string;
  /** What is wrong with it. */
  message: string;
}

/**
 * The configuration given to a factory (such as `createVerifier`) is invalid. `issues` names each bad field.
 * @public
 */
export class ConfigError extends QdeskError {
  override readonly name: string = 'ConfigError';
  /** Every bad field, in order. */
  readonly issues: FieldIssue[];
  constructor(message: string, issues: FieldIssue[], options: QdeskErrorOptions = {}) {
    super('config_invalid', message, options);
    this.issues = issues;
  }
}

/**
 * An argument to a public operation is malformed (wrong type, unknown field, too long, a code with non-digits).
 * Nothing was changed.
 * @public
 */
export class InputError extends QdeskError {
  override readonly name: string = 'InputError';
  /** Every bad field, in order. */
  readonly issues: FieldIssue[];
  constructor(message: string, issues: FieldIssue[] = [], options: QdeskErrorOptions = {}) {
    super('input_invalid', message, options);
    this.issues = issues;
  }
}

/**
 * A ticket, contact or end-user does not meet what a verification needs (no contact on the ticket, no email on the
 * contact, no account with that email...). `code` says which; the message says what the technician should do.
 * @public
 */
export class PreconditionError extends QdeskError {
  override readonly name: string = 'PreconditionError';
}

/** A session, ticket or contact with that id does not exist (or belongs to another tenant). @public */
export class NotFoundError extends QdeskError {
  override readonly name: string = 'NotFoundError';
}

/**
 * The operation is not allowed in the session's current state (for example approving by eye in `verify` mode, or
 * any change to a session that is already approved, denied, expired, cancelled or failed).
 * @public
 */
export class TransitionError extends QdeskError {
  override readonly name: string = 'TransitionError';
}

/** A limit was reached (sends per end-user, pushes, consecutive failures). `retryAfterMs` says when to try again. @public */
export class RateLimitError extends QdeskError {
  override readonly name: string = 'RateLimitError';
  /** Milliseconds until the limit allows another try; `null` when only an administrator can lift it. */
  readonly retryAfterMs: number | null;
  constructor(
    code: 'rate_limited' | 'end_user_locked',
    message: string,
    retryAfterMs: number | null,
    options: QdeskErrorOptions = {},
  ) {
    super(code, message, options);
    this.retryAfterMs = retryAfterMs;
  }
}

/** A device response carried a missing or wrong challenge token, or an actor acted outside its tenant. @public */
export class AuthenticationError extends QdeskError {
  override readonly name: string = 'AuthenticationError';
}

/**
 * A port implementation (store, directory, PSA adapter, channel, audit log) failed. The original error is `cause`.
 * @public
 */
export class AdapterError extends QdeskError {
  override readonly name: string = 'AdapterError';
}
