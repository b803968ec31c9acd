import type { ChangedBy, ChannelKind, DenyReason, FallbackReason, Method, Outcome } from './types.js';

/** Fields every verifier event carries. Events never contain a code, a token or a hash. @public */
export interface VerifierEventBase {
  /** Session id. */
  sessionId: string;
  /** The MSP. */
  tenantId: string;
  /** The end-user being verified. */
  endUserId: string;
  /** The technician running it. */
  technicianId: string;
  /** Ticket id, or `null` when started without a PSA match. */
  ticketId: string | null;
  /** Method in use, when one is chosen. */
  method: Method | null;
  /** Epoch milliseconds. */
  at: number;
}

/** Payload of each verifier event, by name. @public */
export interface VerifierEventMap {
  /** A session was started. */
  'session.created': VerifierEventBase;
  /** A code or push was handed to a channel (or handed again: `resend`). */
  'session.sent': VerifierEventBase & { route: ChannelKind; destination: string | null; resend: boolean };
  /** A channel refused a message, at send time or later by a status report. */
  'delivery.failed': VerifierEventBase & { route: ChannelKind; permanent: boolean; reason: string };
  /** A push method became a code. */
  'session.fallback': VerifierEventBase & { from: Method; to: 'sms' | 'email'; reason: FallbackReason };
  /** The device answered a push. */
  'push.responded': VerifierEventBase & { response: 'approved' | 'denied' | 'number_submitted' };
  /** A code read back by the caller was checked (never the code itself). */
  'code.checked': VerifierEventBase & { correct: boolean; attempts: number; attemptsLeft: number };
  /** Identity verified. */
  'session.approved': VerifierEventBase & { approvedBy: ChangedBy };
  /** Identity not verified. */
  'session.denied': VerifierEventBase & { reason: DenyReason };
  /** A deadline passed. */
  'session.expired': VerifierEventBase;
  /** Cancelled. */
  'session.cancelled': VerifierEventBase & { by: ChangedBy };
  /** Nothing could be delivered. */
  'session.failed': VerifierEventBase & { reason: string };
  /** The outcome note was written on the ticket (or found already written). */
  'outcome.written': VerifierEventBase & { outcome: Outcome; noteId: string; created: boolean };
  /** Writing the outcome note failed; the session itself is unaffected. */
  'outcome.write_failed': VerifierEventBase & { outcome: Outcome; error: string };
}

/** Name of a verifier event. @public */
export type VerifierEventName = keyof VerifierEventMap;

/** Every verifier event name, for code that subscribes to all of them (live updates, logging). @public */
export const VERIFIER_EVENT_NAMES: readonly VerifierEventName[] = [
  'session.created',
  'session.sent',
  'delivery.failed',
  'session.fallback',
  'push.responded',
  'code.checked',
  'session.approved',
  'session.denied',
  'session.expired',
  'session.cancelled',
  'session.failed',
  'outcome.written',
  'outcome.write_failed',
];

/** The session fields an event is about. */
interface EventSubject {
  id: string;
  tenantId: string;
  endUser: { id: string };
  technician: { id: string };
  ticket: { id: string } | null;
  method: Method | null;
}

/** The common fields of an event about `session` at `at`. @internal */
export function eventBase(session: EventSubject, at: number): VerifierEventBase {
  return {
    sessionId: session.id,
    tenantId: session.tenantId,
    endUserId: session.endUser.id,
    technicianId: session.technician.id,
    ticketId: session.ticket?.id ?? null,
    method: session.method,
    at,
  };
}

/** Listener signatures for the verifier's typed emitter (`verifier.events.on(name, listener)`). @public */
export type VerifierEvents = { [K in VerifierEventName]: (event: VerifierEventMap[K]) => void };

/** One event to emit, as data. @public */
export type EmittedEvent = {
  [K in VerifierEventName]: { name: K; payload: VerifierEventMap[K] };
}[VerifierEventName];
