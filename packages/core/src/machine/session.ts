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
  /** The technician who started it. Any technician of the tenant may act on it; each audit record names who did. */
  technician: { id: string; name: string };
  /** The end-user being verified. */
  endUser: { id: string; displayName: string; email: string };
  /** The ticket it is bound to, or `null` for a verification started without a PSA match. */
  ticket: TicketRef | null;
  /** The PSA contact that led to the end-user, if any. */
  contactId: string | null;
  /** Method the technician picked (set at send). */
  requestedMethod: Method | null;
  /** Method in use now (differs from `requestedMethod` after a fallback). */
  method: Method | null;
  /** How codes are judged in this session. */
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
  if (isTerminalStatus(session.status) || now < session.expiresAt) return session;
  return expire(session as ActiveSession);
}

/** @internal */
export function expire(session: ActiveSession): ExpiredSession {
  return Object.assign(baseOf(session), {
    status: 'expired' as const,
    expiredFrom: session.status,
    closedAt: session.expiresAt,
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
    technician: session.technician,
    endUser: session.endUser,
    ticket: session.ticket,
    contactId: session.contactId,
    requestedMethod: session.requestedMethod,
    method: session.method,
    codeMode: session.codeMode,
    attempts: session.attempts,
    maxAttempts: session.maxAttempts,
    sends: session.sends,
    fallbacks: session.fallbacks,
  };
}
