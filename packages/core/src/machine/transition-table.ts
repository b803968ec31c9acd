import type { SessionEvent } from './events.js';
import type { ActiveSession, VerificationSession } from './session.js';

/** One row of {@link TRANSITION_TABLE}: from a status, an event leads to one of the listed statuses. @public */
export interface TransitionRow {
  /** The status before. */
  from: ActiveSession['status'];
  /** The event (`tick` stands for any event that arrives after the deadline). */
  event: SessionEvent['type'];
  /** The statuses it can lead to (several when the event's content decides, such as a right or wrong code). */
  to: readonly VerificationSession['status'][];
  /** When it applies, in words. */
  when: string;
}

/**
 * Every move {@link transition} can make, as data: the source of the state diagram in the docs, and checked
 * against the machine by the model-based tests (each move they observe must be a row here). Any event not listed
 * for a status is refused with `invalid_transition`; a closed status refuses everything with `session_closed`.
 * @public
 */
export const TRANSITION_TABLE: readonly TransitionRow[] = [
  { from: 'idle', event: 'code_sent', to: ['sent'], when: 'an SMS or email code went out' },
  { from: 'idle', event: 'push_sent', to: ['awaiting_push'], when: 'a push went to the app' },
  { from: 'idle', event: 'fell_back', to: ['sent'], when: 'no push could be sent; a code went instead' },
  { from: 'sent', event: 'code_sent', to: ['sent'], when: 'a new code by the same route (resend)' },
  {
    from: 'sent',
    event: 'code_submitted',
    to: ['approved', 'sent', 'denied'],
    when: 'right code / wrong code / last attempt',
  },
  {
    from: 'sent',
    event: 'technician_approved',
    to: ['approved'],
    when: 'compare mode: the codes matched by eye',
  },
  { from: 'awaiting_push', event: 'fell_back', to: ['sent'], when: 'the push failed; a code went instead' },
  {
    from: 'awaiting_push',
    event: 'device_approved',
    to: ['approved', 'awaiting_code'],
    when: 'push / push + code',
  },
  { from: 'awaiting_push', event: 'device_denied', to: ['denied'], when: 'the end-user tapped Deny' },
  {
    from: 'awaiting_push',
    event: 'number_submitted',
    to: ['approved', 'denied'],
    when: 'number match / mismatch',
  },
  {
    from: 'awaiting_code',
    event: 'code_submitted',
    to: ['approved', 'awaiting_code', 'denied'],
    when: 'right code / wrong code / last attempt',
  },
  {
    from: 'awaiting_code',
    event: 'technician_approved',
    to: ['approved'],
    when: 'compare mode: the codes matched by eye',
  },
  { from: 'awaiting_code', event: 'device_denied', to: ['denied'], when: 'the end-user tapped Deny' },
  ...(['idle', 'sent', 'awaiting_push'] as const).map((from) => ({
    from,
    event: 'delivery_failed' as const,
    to: ['failed'] as const,
    when: 'nothing could be delivered',
  })),
  ...(['idle', 'sent', 'awaiting_push', 'awaiting_code'] as const).flatMap((from) => [
    { from, event: 'technician_denied' as const, to: ['denied'] as const, when: 'the technician denied' },
    { from, event: 'cancelled' as const, to: ['cancelled'] as const, when: 'cancelled' },
    { from, event: 'handed_over' as const, to: [from] as const, when: 'another technician took it over' },
    { from, event: 'tick' as const, to: ['expired'] as const, when: 'any event after the deadline' },
  ]),
];
