import type { SessionTechnician, VerificationSession } from './machine/session.js';
import type { Method, Outcome } from './types.js';
import { type WeakerChoice, weakerChoiceText } from './verifier/policy.js';
import type { SessionSnapshot } from './verifier/snapshot.js';

/**
 * The outcome as a technician reads it. The first two are the exact texts technicians know from the Insight.
 * @public
 */
export const OUTCOME_TEXT: Readonly<Record<Outcome, string>> = {
  approved: 'User Identity Successfully Verified',
  denied: 'Unable to Verify Identity',
  expired: 'Verification Timed Out',
  cancelled: 'Verification Cancelled',
  failed: 'Verification Could Not Be Delivered',
};

/**
 * The outcome of a reverse verification (the end-user checked the technician who called them), as written on the
 * ticket. @public
 */
export const REVERSE_OUTCOME_TEXT: Readonly<Record<Outcome, string>> = {
  approved: 'Technician Identity Confirmed by End-User',
  denied: 'End-User Could Not Confirm Technician',
  expired: 'Technician Check Timed Out',
  cancelled: 'Technician Check Cancelled',
  failed: 'Technician Check Could Not Be Delivered',
};

/**
 * Why a session ended, finer than its {@link Outcome}: a screen shows each one differently and a note says which.
 * - `approved`: verified (or, for a reverse check, confirmed).
 * - `end_user_denied`: the end-user tapped Deny on their device.
 * - `technician_denied`: the technician clicked DENY (the code did not match, or the caller could not read one).
 * - `wrong_number`: the end-user typed a number other than the one the technician read out.
 * - `too_many_attempts`: wrong codes until no attempt was left.
 * - `expired`: no answer within the time allowed.
 * - `cancelled`: the technician cancelled. `cancelled_by_system`: QDesk cancelled it (nothing could be sent).
 * - `superseded`: a newer verification on the same ticket replaced it.
 * - `not_delivered`: no route could deliver the request or code.
 * @public
 */
export type OutcomeReason =
  | 'approved'
  | 'end_user_denied'
  | 'technician_denied'
  | 'wrong_number'
  | 'too_many_attempts'
  | 'expired'
  | 'cancelled'
  | 'cancelled_by_system'
  | 'superseded'
  | 'not_delivered';

/** A plain sentence for each {@link OutcomeReason}, as a note and a screen say it. @public */
export const OUTCOME_REASON_TEXT: Readonly<Record<OutcomeReason, string>> = {
  approved: 'The check succeeded.',
  end_user_denied: 'The end-user denied the request on their device.',
  technician_denied: 'The technician denied it: the code did not match or could not be read back.',
  wrong_number: 'The end-user typed a different number from the one the technician read out.',
  too_many_attempts: 'Wrong code too many times: no attempt is left on this request.',
  expired: 'No answer within the time allowed.',
  cancelled: 'The technician cancelled it.',
  cancelled_by_system: 'QDesk cancelled it because the request could not be sent.',
  superseded: 'A newer verification on the same ticket replaced it.',
  not_delivered: 'No route could deliver the request.',
};

const DENY_REASON = {
  device_denied: 'end_user_denied',
  technician_denied: 'technician_denied',
  number_mismatch: 'wrong_number',
  too_many_attempts: 'too_many_attempts',
} as const;

/**
 * Why a closed session ended ({@link OutcomeReason}), or `null` while it is still open. Pass the session as it reads
 * now (`readSession`), so one past its deadline reads as `expired`.
 * @example
 * ```ts
 * const reason = outcomeReasonOf(readSession(session, Date.now()));
 * if (reason) show(OUTCOME_REASON_TEXT[reason]);
 * ```
 * @public
 */
export function outcomeReasonOf(session: VerificationSession | SessionSnapshot): OutcomeReason | null {
  switch (session.status) {
    case 'approved':
      return 'approved';
    case 'denied':
      return DENY_REASON[session.reason];
    case 'expired':
      return 'expired';
    case 'cancelled':
      if (session.superseded) return 'superseded';
      return session.cancelledBy === 'system' ? 'cancelled_by_system' : 'cancelled';
    case 'failed':
      return 'not_delivered';
    default:
      return null;
  }
}

/**
 * The outcome of a verification, to be written on its ticket: one typed value, defined here once. It holds no code
 * and no token. Adapters render it (with {@link formatVerificationNote} or their own wording) and recognise a note
 * they wrote earlier by {@link verificationNoteMarker}, never by parsing prose.
 * @public
 */
export interface VerificationNote {
  /** The ticket to write on. */
  ticketId: string;
  /** The session that reached the outcome; one note per session. */
  sessionId: string;
  /** The outcome. */
  outcome: Outcome;
  /** The method that gave the outcome (after any fallback), or `null` when nothing was sent. */
  method: Method | null;
  /** The end-user the verification was about. */
  endUser: { id: string; displayName: string; email: string };
  /** The technician who ran it. */
  technician: SessionTechnician;
  /** Epoch milliseconds of the outcome. */
  at: number;
  /** `verify` (the caller proved to be the end-user) or `reverse` (the end-user checked the technician). */
  purpose: 'verify' | 'reverse';
  /** Weaker-than-NIST choices the verification used under the customer's recorded risk acceptance (empty when none). */
  weaker: WeakerChoice[];
  /** The technician's reason when an allowed override bound it to a ticket of another customer, else `null`. */
  override: { reason: string } | null;
  /** Why it ended, when known: the note then says it in a plain sentence ({@link OUTCOME_REASON_TEXT}). */
  reason?: OutcomeReason;
}

/**
 * The line that identifies the note of one session: `qdesk-session: <sessionId>`. Put it in the note as its own
 * line; search for it (an exact line) before writing, so a retried write finds the first one.
 * @public
 */
export function verificationNoteMarker(sessionId: string): string {
  return `qdesk-session: ${sessionId}`;
}

/**
 * QDesk's wording of a note: a title with the outcome text, a body with the end-user, method, technician and time,
 * and the marker line last.
 * @example
 * ```ts
 * const { title, text } = formatVerificationNote(note);
 * await myPsa.createNote(note.ticketId, { title, text });
 * ```
 * @public
 */
export function formatVerificationNote(note: VerificationNote): { title: string; text: string } {
  const outcome = (note.purpose === 'reverse' ? REVERSE_OUTCOME_TEXT : OUTCOME_TEXT)[note.outcome];
  const weaker = note.weaker.map(
    (c) => `Weaker method: ${weakerChoiceText(c)}, used under the customer's recorded risk acceptance`,
  );
  return {
    title: `QDesk: ${outcome}: ${note.endUser.displayName}`,
    text: [
      `${outcome}.`,
      ...(note.reason && note.reason !== 'approved' ? [`Reason: ${OUTCOME_REASON_TEXT[note.reason]}`] : []),
      `End-user: ${note.endUser.displayName} <${note.endUser.email}>`,
      `Method: ${note.method ?? 'none'}`,
      ...weaker,
      ...(note.override ? [`Bound to this ticket by override: ${note.override.reason}`] : []),
      `Technician: ${note.technician.name} (${note.technician.id})`,
      `Time: ${new Date(note.at).toISOString()}`,
      verificationNoteMarker(note.sessionId),
    ].join('\n'),
  };
}
