import { QdeskError, type QdeskErrorCode } from '@qdesk/core';

/**
 * SCIM's `scimType` for a 400 or 409 (RFC 7644, section 3.12): what kind of problem the identity provider's request
 * had. `invalidFilter`: the `filter` cannot be read or uses what this endpoint does not support; `invalidSyntax`: the
 * body is not JSON or not a SCIM message; `invalidPath`: a PATCH `path` cannot be read or names nothing;
 * `noTarget`: a PATCH operation has no target (`remove` without a path); `invalidValue`: a value is missing, of the
 * wrong type or out of bounds; `mutability`: an attempt to change `id` or `meta`; `uniqueness`: the `userName` is
 * taken; `tooMany`: more than the endpoint handles at once; `invalidVers`: a version the endpoint does not speak;
 * `sensitive`: data that must not travel in a URL.
 * @public
 */
export type ScimErrorType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive';

/** The second argument of `new ScimError(message, options)`. Never holds a token or a password. @public */
export interface ScimErrorOptions {
  /** The HTTP status the identity provider gets (400, 401, 404, 409, 412, 413, 415, 500...). */
  status: number;
  /** SCIM's error kind, for a 400 or 409. */
  scimType?: ScimErrorType;
  /** Core's error code; by default derived from `status` (400 `input_invalid`, 401 `unauthorized`, 409 `conflict`...). */
  code?: QdeskErrorCode;
  /** The underlying error. */
  cause?: unknown;
  /** Structured context (ids, field names); never a token or a password. */
  details?: Record<string, unknown>;
}

const SCIM_ERROR_MARK = Symbol.for('@qdesk/directory/scim-error');

function codeForStatus(status: number): QdeskErrorCode {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 409 || status === 412) return 'conflict';
  if (status >= 500) return 'adapter_failed';
  return 'input_invalid';
}

/**
 * A SCIM request that cannot be served as asked, with the HTTP status and `scimType` the identity provider gets
 * back in SCIM's error body (`{ schemas: [Error], status, scimType, detail }`, the `detail` being this message). A
 * `ScimUserStore` throws one for a taken `userName` ({@link ScimError.userNameTaken}) or a stale version
 * ({@link ScimError.versionMismatch}); the handler throws the others.
 *
 * @example
 * ```ts
 * if (await taken(customerId, user.userName)) throw ScimError.userNameTaken(user.userName);
 * ```
 * @public
 */
export class ScimError extends QdeskError {
  /** Always `"ScimError"`. */
  override readonly name = 'ScimError' as const;
  /** The HTTP status the identity provider gets. */
  readonly status: number;
  /** SCIM's error kind, or `null` where SCIM defines none (401, 404, 412, 500...). */
  readonly scimType: ScimErrorType | null;

  constructor(message: string, options: ScimErrorOptions) {
    super(message, {
      cause: options.cause,
      code: options.code ?? codeForStatus(options.status),
      details: { status: options.status, scimType: options.scimType ?? null, ...options.details },
    });
    this.status = options.status;
    this.scimType = options.scimType ?? null;
    Object.defineProperty(this, SCIM_ERROR_MARK, { value: true });
  }

  /** 400 with `scimType`, for a request the identity provider must correct. */
  static badRequest(scimType: ScimErrorType, message: string, details?: Record<string, unknown>): ScimError {
    return new ScimError(message, { status: 400, scimType, details });
  }

  /** 409 `uniqueness`: another user of this customer has that `userName` (compared without case). */
  static userNameTaken(userName: string): ScimError {
    return new ScimError(
      `Another user of this customer already has userName "${userName}"; userName is unique (without regard to case). Look the user up with filter=userName eq "${userName}" and update it instead.`,
      { status: 409, scimType: 'uniqueness', details: { reason: 'user_name_taken' } },
    );
  }

  /** 412: the user changed since the version the write expected. Read it again and retry. */
  static versionMismatch(id: string, expected: number, actual: number): ScimError {
    return new ScimError(
      `User ${id} is at version ${actual}, not ${expected}: it changed since it was read. Read it again and retry.`,
      { status: 412, details: { reason: 'version_mismatch', id, expected, actual } },
    );
  }
}

/**
 * True for a {@link ScimError}, also one thrown by another copy of this package.
 * @public
 */
export function isScimError(value: unknown): value is ScimError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[SCIM_ERROR_MARK] === true
  );
}
