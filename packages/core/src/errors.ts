/**
 * Every error code a QDesk component can raise. Branch on `error.code` rather than on the message.
 *
 * @public
 */
export type QdeskErrorCode =
  /** The settings given to a factory (`createVerifier`, a channel, an adapter) are invalid; `ConfigError.issues` names each bad field. */
  | 'config_invalid'
  /** An argument to an operation is malformed (an unknown field, too long, a code that is not all digits or has the wrong length). Nothing was changed. */
  | 'input_invalid'
  /** No verification with that id in the actor's tenant; a session of another tenant reads the same way. */
  | 'session_not_found'
  /** The PSA has no ticket with that id, or its API user cannot read it. */
  | 'ticket_not_found'
  /** The ticket has no company, so it cannot say whose employee is calling. Set the company in the PSA. */
  | 'ticket_missing_company'
  /** The ticket has no contact. Set the caller as its contact in the PSA, or start from the end-user's email. */
  | 'ticket_missing_contact'
  /** The PSA has no contact with that id. */
  | 'contact_not_found'
  /** The contact has no email address and no confirmed link to an end-user, so no account can be found for it. */
  | 'contact_missing_email'
  /** `startFromContact` with a ticket: the contact belongs to another company than the ticket's. */
  | 'contact_not_on_ticket_company'
  /** A start with a ticket names an end-user who does not belong to the ticket company's customer (or the company is not matched to a customer). Use the ticket's contact, or an administrator-enabled override with a reason. */
  | 'end_user_not_on_ticket_customer'
  /** The ticket already has a verification in progress for someone else; resume it, or supersede it (`ifActive: 'supersede'`). */
  | 'verification_in_progress'
  /** `requireVerified` found no approved verification of that end-user on that ticket within the window (or its grant for that action was issued already). Verify the caller first. */
  | 'not_verified'
  /** No end-user account matches: none with that id or email, none for the contact's emails, or the session's end-user was removed before a send. */
  | 'end_user_not_found'
  /** The method or code mode is turned off by policy, or a code route cannot be used (no channel for it, or no phone or email on file). */
  | 'method_unavailable'
  /** The session's state does not allow the action (approving by eye in `verify` mode, checking a code before one was sent...). */
  | 'invalid_transition'
  /** The session is already approved, denied, expired, cancelled or failed; start a new one. */
  | 'session_closed'
  /** The session's deadline had passed; it is now recorded as expired. Start a new one. */
  | 'session_expired'
  /** A limit was reached: sends or pushes to this end-user in the window (`retryAfterMs` says when to try again), or a provider's own limit. */
  | 'rate_limited'
  /** The end-user has `maxConsecutiveFailures` failed checks in a row; every check and send is refused until a success or an administrator's audited unlock (`unlockEndUser`). */
  | 'end_user_locked'
  /** A device answer carried a wrong challenge token, or an outside system refused the credentials or signature it was given. */
  | 'unauthorized'
  /** The actor may not do this: a technician acting on another technician's session (take it over first), or a technician doing an administrator's task (policy, unlock). */
  | 'forbidden'
  /** A reset grant is malformed, forged, expired, for another action, end-user or ticket, or was used already. Refuse the reset. */
  | 'grant_invalid'
  /** A concurrent change won: the session changed too often to apply the action, or (in `@qdesk/matching`) a link was changed by someone else. Read again and retry. */
  | 'conflict'
  /** A push method cannot reach the end-user's app, and no code route (a phone or email on file, with a channel for it) is left to fall back to. */
  | 'no_delivery_route'
  /** A port implementation (session store, rate counter, directory, contact links, PSA, audit log) failed, or a PSA refused the data; `cause` holds the original error. */
  | 'adapter_failed'
  /** No PSA is connected, so a ticket or contact cannot be used; or the PSA could not be reached (timeout, network, server error). */
  | 'psa_unavailable';

/** One problem found in a configuration or an input: the dotted path of the field and what is wrong. @public */
export interface FieldIssue {
  /** Dotted path of the field, for example `policy.codeLength`. */
  path: string;
  /** What is wrong with it. */
  message: string;
}

/**
 * Options every QDesk error constructor takes, as its second argument: `new XError(message, options)`.
 * @public
 * @inline
 */
export interface QdeskErrorOptions {
  /** The underlying error, kept so nothing is lost when one error is wrapped in another. */
  cause?: unknown;
  /** Structured context a caller can log or show (ids, field names, limits); never a code, token or secret. */
  details?: Record<string, unknown>;
}

const QDESK_ERROR_MARK = Symbol.for('@qdesk/core/error');

/**
 * Base class of every error QDesk throws on purpose. The message says what happened and what to do next.
 *
 * Every QDesk error is built the same way: `new XError(message, options)`. Subclasses that stand for one code fix
 * it; the others take it in `options.code`.
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

  constructor(message: string, options: QdeskErrorOptions & { code: QdeskErrorCode }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
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

/** A validation failure as zod (or any schema library with the same shape) reports it. @public */
export interface SchemaIssues {
  /** Each problem, with the path of the field. */
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>;
}

/** Turns schema issues into {@link FieldIssue}s, each path prefixed by `prefix` when given. @public */
export function fieldIssues(failure: SchemaIssues, prefix?: string): FieldIssue[] {
  return failure.issues.map((issue) => {
    const path = [...(prefix ? [prefix] : []), ...issue.path.map(String)].join('.');
    return { path: path || '(root)', message: issue.message };
  });
}

const listIssues = (issues: FieldIssue[]) => issues.map((i) => `${i.path}: ${i.message}`).join('; ');

/**
 * The configuration given to a factory (such as `createVerifier`) is invalid. `issues` names each bad field.
 * @public
 */
export class ConfigError extends QdeskError {
  override readonly name = 'ConfigError' as const;
  /** Every bad field, in order. */
  readonly issues: FieldIssue[];
  constructor(message: string, options: QdeskErrorOptions & { issues?: FieldIssue[] } = {}) {
    super(message, { ...options, code: 'config_invalid' });
    this.issues = options.issues ?? [];
  }

  /**
   * One error for every bad field of a factory's settings: "Invalid <what>: a: ...; b: ...".
   * @example
   * ```ts
   * const parsed = settingsSchema.safeParse(settings);
   * if (!parsed.success) throw ConfigError.fromIssues('Twilio SMS settings', fieldIssues(parsed.error));
   * ```
   */
  static fromIssues(what: string, issues: FieldIssue[]): ConfigError {
    return new ConfigError(`Invalid ${what}: ${listIssues(issues)}.`, { issues });
  }
}

/**
 * An argument to a public operation is malformed (wrong type, unknown field, too long, a code with non-digits).
 * Nothing was changed.
 * @public
 */
export class InputError extends QdeskError {
  override readonly name = 'InputError' as const;
  /** Every bad field, in order. */
  readonly issues: FieldIssue[];
  constructor(message: string, options: QdeskErrorOptions & { issues?: FieldIssue[] } = {}) {
    super(message, { ...options, code: 'input_invalid' });
    this.issues = options.issues ?? [];
  }

  /** One error for every bad field of an operation's input: "Invalid input to <operation>: a: ...". */
  static fromIssues(operation: string, issues: FieldIssue[]): InputError {
    return new InputError(`Invalid input to ${operation}: ${listIssues(issues)}.`, { issues });
  }
}

/** The codes a {@link PreconditionError} carries. @public @inline */
export type PreconditionCode = Extract<
  QdeskErrorCode,
  | 'ticket_missing_company'
  | 'ticket_missing_contact'
  | 'contact_missing_email'
  | 'contact_not_on_ticket_company'
  | 'end_user_not_on_ticket_customer'
  | 'verification_in_progress'
  | 'not_verified'
  | 'end_user_not_found'
  | 'method_unavailable'
  | 'no_delivery_route'
  | 'psa_unavailable'
>;

/**
 * A ticket, contact or end-user does not meet what a verification needs (no contact on the ticket, no email on the
 * contact, no account with that email...). `code` says which; the message says what the technician should do.
 * @public
 */
export class PreconditionError extends QdeskError {
  override readonly name = 'PreconditionError' as const;
  declare readonly code: PreconditionCode;
  constructor(message: string, options: QdeskErrorOptions & { code: PreconditionCode }) {
    super(message, options);
  }
}

/** The codes a {@link NotFoundError} carries. @public @inline */
export type NotFoundCode = Extract<
  QdeskErrorCode,
  'session_not_found' | 'ticket_not_found' | 'contact_not_found' | 'end_user_not_found'
>;

/** A session, ticket, contact or end-user with that id does not exist (or belongs to another tenant). @public */
export class NotFoundError extends QdeskError {
  override readonly name = 'NotFoundError' as const;
  declare readonly code: NotFoundCode;
  constructor(message: string, options: QdeskErrorOptions & { code: NotFoundCode }) {
    super(message, options);
  }
}

/** The codes a {@link TransitionError} carries. @public @inline */
export type TransitionCode = Extract<
  QdeskErrorCode,
  'invalid_transition' | 'session_closed' | 'session_expired' | 'conflict'
>;

/**
 * The operation is not allowed in the session's current state (for example approving by eye in `verify` mode, or
 * any change to a session that is already approved, denied, expired, cancelled or failed).
 * @public
 */
export class TransitionError extends QdeskError {
  override readonly name = 'TransitionError' as const;
  declare readonly code: TransitionCode;
  constructor(message: string, options: QdeskErrorOptions & { code: TransitionCode }) {
    super(message, options);
  }
}

/**
 * A limit was reached (sends per end-user, pushes, consecutive failures). `retryAfterMs` says when to try again.
 * @public
 */
export class RateLimitError extends QdeskError {
  override readonly name = 'RateLimitError' as const;
  declare readonly code: 'rate_limited' | 'end_user_locked';
  /** Milliseconds until the limit allows another try; `null` when only an administrator can lift it. */
  readonly retryAfterMs: number | null;
  constructor(
    message: string,
    options: QdeskErrorOptions & { code: 'rate_limited' | 'end_user_locked'; retryAfterMs: number | null },
  ) {
    super(message, options);
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** A device answer carried a missing or wrong challenge token, or a signed request (a PSA webhook) a wrong signature. @public */
export class AuthenticationError extends QdeskError {
  override readonly name = 'AuthenticationError' as const;
  constructor(message: string, options: QdeskErrorOptions = {}) {
    super(message, { ...options, code: 'unauthorized' });
  }
}

/**
 * The actor is not allowed to do this (`forbidden`), or a reset grant does not allow the reset (`grant_invalid`).
 * The message says what would allow it.
 * @public
 */
export class ForbiddenError extends QdeskError {
  override readonly name = 'ForbiddenError' as const;
  declare readonly code: 'forbidden' | 'grant_invalid';
  constructor(message: string, options: QdeskErrorOptions & { code: 'forbidden' | 'grant_invalid' }) {
    super(message, options);
  }
}

/**
 * A port implementation (session store, rate counter, directory, contact links, PSA adapter, audit log) failed. The
 * original error is `cause`; `port` and `operation` say which call. (A channel never throws to the verifier: its
 * failures are delivery results.)
 * @public
 */
export class AdapterError extends QdeskError {
  override readonly name = 'AdapterError' as const;
  /** The port that failed ("session store", "PSA (autotask)"). */
  readonly port: string;
  /** The method that failed ("compareAndSet", "getTicketContext"). */
  readonly operation: string;
  constructor(message: string, options: QdeskErrorOptions & { port: string; operation: string }) {
    super(message, {
      ...options,
      code: 'adapter_failed',
      details: { port: options.port, operation: options.operation, ...options.details },
    });
    this.port = options.port;
    this.operation = options.operation;
  }

  /**
   * Runs one port call so that any failure surfaces as an {@link AdapterError} with the original as `cause`; a
   * {@link QdeskError} the port threw on purpose passes through unchanged.
   * @example
   * ```ts
   * const ticket = await AdapterError.wrap('PSA (halo)', 'getTicketContext', () => psa.getTicketContext(id));
   * ```
   */
  static async wrap<T>(port: string, operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (isQdeskError(error)) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new AdapterError(`The ${port} failed during ${operation}: ${reason}`, {
        cause: error,
        port,
        operation,
      });
    }
  }
}

/** Every QDesk error code, in the order of {@link QdeskErrorCode} (for references and exhaustive tests). @public */
export const QDESK_ERROR_CODES: readonly QdeskErrorCode[] = [
  'config_invalid',
  'input_invalid',
  'session_not_found',
  'ticket_not_found',
  'ticket_missing_company',
  'ticket_missing_contact',
  'contact_not_found',
  'contact_missing_email',
  'contact_not_on_ticket_company',
  'end_user_not_on_ticket_customer',
  'verification_in_progress',
  'not_verified',
  'end_user_not_found',
  'method_unavailable',
  'invalid_transition',
  'session_closed',
  'session_expired',
  'rate_limited',
  'end_user_locked',
  'unauthorized',
  'forbidden',
  'grant_invalid',
  'conflict',
  'no_delivery_route',
  'adapter_failed',
  'psa_unavailable',
];
