import type { VerifierEvent } from '../events.js';
import type { ChangedBy, CodeMode, FallbackReason, Method, Outcome } from '../types.js';
import type { SessionTechnician } from './session.js';

/**
 * Inputs to {@link transition}. Each carries `now` (epoch ms) and any value the service generated (hashes, nonces,
 * deadlines), so the machine itself reads no clock and draws no random number.
 * @public
 */
export type SessionEvent =
  | {
      type: 'code_sent';
      now: number;
      method: 'sms' | 'email';
      codeMode: CodeMode;
      destination: string;
      /** The plain code: it leaves the machine only in the `deliver` effect and is never stored. */
      code: string;
      codeHash: string;
      expiresAt: number;
    }
  | {
      type: 'push_sent';
      now: number;
      method: 'push' | 'push_code' | 'number_match';
      codeMode: CodeMode;
      challengeNonce: string;
      matchHash: string | null;
      expiresAt: number;
    }
  | {
      type: 'fell_back';
      now: number;
      from: Method;
      to: 'sms' | 'email';
      reason: FallbackReason;
      codeMode: CodeMode;
      destination: string;
      /** The plain code: it leaves the machine only in the `deliver` effect and is never stored. */
      code: string;
      codeHash: string;
      expiresAt: number;
    }
  | { type: 'delivery_failed'; now: number; reason: string }
  | { type: 'code_submitted'; now: number; codeHash: string }
  | { type: 'technician_approved'; now: number }
  | { type: 'technician_denied'; now: number }
  | { type: 'device_approved'; now: number; codeHash: string | null; expiresAt: number | null }
  | { type: 'device_denied'; now: number }
  | { type: 'number_submitted'; now: number; numberHash: string }
  | { type: 'cancelled'; now: number; by: ChangedBy; superseded?: boolean }
  | { type: 'handed_over'; now: number; to: SessionTechnician }
  | { type: 'tick'; now: number };

/** Type of a {@link SessionEvent}. @public */
export type SessionEventType = SessionEvent['type'];

/**
 * Work the verifier must do after a transition, as data, in order. The machine executes none of it; the verifier's
 * one effect runner executes every effect.
 * - `deliver`: hand the code (held only here, never stored) or the push to a channel of that route.
 * - `emit`: publish a verifier event.
 * - `record_outcome`: audit the terminal outcome and write it on the ticket (when bound to one).
 * - `clear_failures`: reset the end-user's consecutive-failure counter after a success. (A failure is counted by
 *   the verifier before the check is made, so parallel checks can never exceed the cap.)
 * @public
 */
export type Effect =
  | { type: 'deliver'; route: 'sms' | 'email'; code: string }
  | { type: 'deliver'; route: 'push' }
  | { type: 'emit'; event: VerifierEvent }
  | { type: 'record_outcome'; outcome: Outcome }
  | { type: 'clear_failures' };

/** What a `code_submitted` event found. @public */
export interface CodeCheck {
  /** Whether the code matched. */
  correct: boolean;
  /** Checks made in the session so far, this one included. */
  attempts: number;
  /** Checks left before the session is denied (0 once it is closed). */
  attemptsLeft: number;
}

/** Why the machine refused an event. @public */
export type RejectionCode = 'session_closed' | 'session_expired' | 'invalid_transition';
