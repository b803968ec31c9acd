import type {
  ChangedBy,
  CodeMode,
  DenyReason,
  FallbackReason,
  Method,
  Outcome,
  TicketRef,
} from '../types.js';

/** The states a verification session moves through. @public */
export type SessionStatus =
  | 'idle'
  | 'sent'
  | 'awaiting_push'
  | 'awaiting_code'
  | 'approved'
  | 'denied'
  | 'expired'
  | 'cancelled'
  | 'failed';

/**
 * No session, whatever its policy, resends and fallbacks, is valid longer than this after it was created: 10
 * minutes (NIST SP 800-63B rev 4 3.1.3). The machine itself enforces it.
 * @public
 */
export const MAX_SESSION_LIFETIME_MS = 10 * 60_000;

/** States a session never leaves. @public */
export const TERMINAL_STATUSES: readonly SessionStatus[] = [
  'approved',
  'denied',
  'expired',
  'cancelled',
  'failed',
];

/** True when `status` is terminal. @public */
export function isTerminalStatus(status: SessionStatus): status is Outcome {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}

/** A recorded switch from a push method to a code. @public */
export interface FallbackRecord {
  /** The method that could not be used. */
  from: Method;
  /** The method used instead. */
  to: 'sms' | 'email';
  /** Why. */
  reason: FallbackReason;
  /** Epoch milliseconds. */
  at: number;
}

/**
 * The technician a session acts for: their stable id, display name and, when the sign-in gave it, their email (a PSA
 * adapter may write the note as them by it).
 * @public
 */
export interface SessionTechnician {
  /** Stable id (the single sign-on's issuer and subject). */
  id: string;
  /** Display name. */
  name: string;
  /** Email from the sign-in, when known. */
  email?: string;
}

/** Fields every session carries whatever its status. @public */
export interface SessionBase {
  /** Unguessable session id (also the challenge id shown to devices). */
  id: string;
  /** Incremented on every stored change; the store's compare-and-set checks it. */
  version: number;
  /** The MSP this session belongs to. */
  tenantId: string;
  /** Epoch milliseconds. */
  createdAt: number;
  /** Epoch milliseconds of the last change. */
  updatedAt: number;
  /** Deadline of the current step; once passed, the session reads as `expired`. */
  expiresAt: number;
  /**
   * What the session proves: `verify` (the caller is the end-user; the default) or `reverse` (the end-user checks
   * that the technician calling them is real). A reverse session never counts as a verified end-user.
   */
  purpose: 'verify' | 'reverse';
  /** The technician it acts for: only they may act on it, until another takes it over (an audited action). */
  technician: SessionTechnician;
  /** The customer (client company) whose policy applies, or `null` when the end-user has none on file. */
  customerId: string | null;
  /** The end-user being verified. */
  endUser: { id: string; displayName: string; email: string };
  /** The ticket it is bound to, or `null` for a verification started without a PSA match. */
  ticket: TicketRef | null;
  /** The PSA contact that led to the end-user, if any. */
  contactId: string | null;
  /**
   * Set when an administrator-enabled override bound the session to a ticket of another customer than the
   * end-user's: the technician's reason, recorded on the note.
   */
  override: { reason: string } | null;
  /** The idempotency key of the start that created it, so a repeated start returns it instead of a second one. */
  startKey: string | null;
  /** Method the technician picked (set at send). */
  requestedMethod: Method | null;
  /** Method in use now (differs from `requestedMethod` after a fallback). */
  method: Method | null;
  /** How codes are judged in this session; fixed by the first send. */
  codeMode: CodeMode;
  /** Code checks made so far. */
  attempts: number;
  /** Code checks allowed before the session is denied. */
  maxAttempts: number;
  /** Deliveries made in this session (first send, resends, fallback). */
  sends: number;
  /** Push-to-code switches, oldest first. */
  fallbacks: FallbackRecord[];
}

/** Created, nothing sent yet. @public */
export interface IdleSession extends SessionBase {
  status: 'idle';
}

/** A code went out by SMS or email; waiting for the caller to read it back. @public */
export interface SentSession extends SessionBase {
  status: 'sent';
  /** Route the code took. */
  route: 'sms' | 'email';
  /** Masked destination (`+1•••••4567`, `j•••@example.com`). */
  destination: string;
  /** HMAC-SHA256 of the code under the server key (hex). */
  codeHash: string;
}

/** A push went to the end-user's app; waiting for Approve / Deny or the typed number. @public */
export interface AwaitingPushSession extends SessionBase {
  status: 'awaiting_push';
  /** Random nonce from which the device's challenge token is derived under the server key. */
  challengeNonce: string;
  /** For `number_match`: HMAC-SHA256 of the number shown to the technician. */
  matchHash: string | null;
}

/** `push_code` after the device approved: the app shows a code the caller reads back. @public */
export interface AwaitingCodeSession extends SessionBase {
  status: 'awaiting_code';
  /** HMAC-SHA256 of the code shown on the device. */
  codeHash: string;
}

/** Terminal: identity verified. @public */
export interface ApprovedSession extends SessionBase {
  status: 'approved';
  /** Who gave the final proof. */
  approvedBy: ChangedBy;
  /** Epoch milliseconds. */
  closedAt: number;
}

/** Terminal: identity not verified. @public */
export interface DeniedSession extends SessionBase {
  status: 'denied';
  /** Why. */
  reason: DenyReason;
  /** Epoch milliseconds. */
  closedAt: number;
}

/** Terminal: a deadline passed. @public */
export interface ExpiredSession extends SessionBase {
  status: 'expired';
  /** The state it was in when the deadline passed. */
  expiredFrom: 'idle' | 'sent' | 'awaiting_push' | 'awaiting_code';
  /** Epoch milliseconds (the deadline itself). */
  closedAt: number;
}

/** Terminal: cancelled by the technician (or the system). @public */
export interface CancelledSession extends SessionBase {
  status: 'cancelled';
  /** Who cancelled. */
  cancelledBy: ChangedBy;
  /** `true` when a newer verification on the same ticket replaced this one (absent otherwise). */
  superseded?: true;
  /** Epoch milliseconds. */
  closedAt: number;
}

/** Terminal: nothing could be delivered. @public */
export interface FailedSession extends SessionBase {
  status: 'failed';
  /** The last delivery failure (provider reason, no secret). */
  reason: string;
  /** Epoch milliseconds. */
  closedAt: number;
}

/**
 * A verification session: a tagged union on `status`, so each state carries only its own fields.
 * @public
 */
export type VerificationSession =
  | IdleSession
  | SentSession
  | AwaitingPushSession
  | AwaitingCodeSession
  | ApprovedSession
  | DeniedSession
  | ExpiredSession
  | CancelledSession
  | FailedSession;

/** A session that can still change. @public */
export type ActiveSession = IdleSession | SentSession | AwaitingPushSession | AwaitingCodeSession;

/** A session that never changes again. @public */
export type ClosedSession = Exclude<VerificationSession, ActiveSession>;

/**
 * The session as it reads at `now`: a session whose deadline has passed reads as `expired` whatever the store holds
 * (expiry is lazy; no timer is needed for correctness).
 * @public
 */
export function readSession(session: VerificationSession, now: number): VerificationSession {
  if (isTerminalStatus(session.status) || now < deadlineOf(session)) return session;
  return expire(session as ActiveSession);
}

/** When an active session expires: its step's deadline, capped at {@link MAX_SESSION_LIFETIME_MS} after creation. @internal */
export function deadlineOf(session: SessionBase): number {
  return Math.min(session.expiresAt, session.createdAt + MAX_SESSION_LIFETIME_MS);
}

/** @internal */
export function expire(session: ActiveSession): ExpiredSession {
  return Object.assign(baseOf(session), {
    status: 'expired' as const,
    expiredFrom: session.status,
    closedAt: deadlineOf(session),
  });
}

/** Copies the common fields only, dropping state-specific ones (hashes, nonces). @internal */
export function baseOf(session: VerificationSession): SessionBase {
  return {
    id: session.id,
    version: session.version,
    tenantId: session.tenantId,
    createdAt: session.createdAt,
    updatedAt: session.updatedAt,
    expiresAt: session.expiresAt,
    purpose: session.purpose,
    technician: session.technician,
    customerId: session.customerId,
    endUser: session.endUser,
    ticket: session.ticket,
    contactId: session.contactId,
    override: session.override,
    startKey: session.startKey,
    requestedMethod: session.requestedMethod,
    method: session.method,
    codeMode: session.codeMode,
    attempts: session.attempts,
    maxAttempts: session.maxAttempts,
    sends: session.sends,
    fallbacks: session.fallbacks,
  };
}
