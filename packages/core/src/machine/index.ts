/**
 * `@qdesk/core/machine`: the pure verification state machine. {@link transition} takes a session and an event and
 * returns the next session and the effects to run, as data; it reads no clock, draws no random number and does no
 * I/O. The verifier runs it; you need this entry only to test, simulate or chart the machine.
 *
 * @packageDocumentation
 */

export type { DenyReason, FallbackReason } from '../types.js';
export type { CodeCheck, Effect, RejectionCode, SessionEvent, SessionEventType } from './events.js';
export type {
  ActiveSession,
  ApprovedSession,
  AwaitingCodeSession,
  AwaitingPushSession,
  CancelledSession,
  ClosedSession,
  DeniedSession,
  ExpiredSession,
  FailedSession,
  FallbackRecord,
  IdleSession,
  SentSession,
  SessionBase,
  SessionStatus,
  SessionTechnician,
  VerificationSession,
} from './session.js';
export { isTerminalStatus, MAX_SESSION_LIFETIME_MS, readSession, TERMINAL_STATUSES } from './session.js';
export type { TransitionResult } from './transition.js';
export { transition } from './transition.js';
export type { TransitionRow } from './transition-table.js';
export { TRANSITION_TABLE } from './transition-table.js';
