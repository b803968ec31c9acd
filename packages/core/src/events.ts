import type { ChangedBy, DenyReason, FallbackReason, Method, Outcome, Route } from './types.js';

/** Fields every verifier event carries. Events never contain a code, a token or a hash. @public @inline */
export interface VerifierEventBase {
  /** Session id. */
  sessionId: string;
  /** The MSP. */
  tenantId: string;
  /** The end-user being verified. */
  endUserId: string;
  /** The technician running it. */
  technicianId: string;
  /** Ticket id, or `null` when started without a ticket. */
  ticketId: string | null;
  /** Method in use, when one is chosen. */
  method: Method | null;
  /** Epoch milliseconds. */
  at: number;
}

/** Payload of each verifier event, by name. Every name is in the past tense: it reports what happened. @public */
export interface VerifierEventMap {
  /** A session was started (idle: nothing sent yet). */
  'session.created': VerifierEventBase;
  /** A code or push was handed to a channel (or a new code by the same route: `resend`). */
  'session.sent': VerifierEventBase & {
    /** The route it took. */
    route: Route;
    /** The masked phone or email a code went to; `null` for a push. */
    destination: string | null;
    /** `true` when a `sent` session got a new code by the same route. */
    resend: boolean;
  };
  /** A channel refused a message, at send time or later by a status report. */
  'delivery.failed': VerifierEventBase & {
    /** The route of the refused message. */
    route: Route;
    /** `true` when no retry to that address can work (a dead number or push token). */
    permanent: boolean;
    /** The provider's reason, in words. */
    reason: string;
  };
  /** A push method became a code. */
  'session.fell_back': VerifierEventBase & {
    /** The push method that could not be used. */
    from: Method;
    /** The code route used instead. */
    to: 'sms' | 'email';
    /** Why the push could not be used. */
    reason: FallbackReason;
  };
  /** The end-user's device answered a push. */
  'device.answered': VerifierEventBase & {
    /** Approve, Deny, or a typed number (whether it matched follows as `session.approved` or `session.denied`). */
    answer: 'approved' | 'denied' | 'number_submitted';
  };
  /** A code read back by the caller was checked (never the code itself). */
  'code.checked': VerifierEventBase & {
    /** Whether the code matched. */
    correct: boolean;
    /** Checks made in the session so far, this one included. */
    attempts: number;
    /** Checks left before the session is denied. */
    attemptsLeft: number;
  };
  /**
   * Another technician took the verification over (an audited take-over): it acts for them from now on, so a screen
   * showing it to the one who had it should read it again.
   */
  'session.handed_over': VerifierEventBase & {
    /** The technician it belonged to. */
    from: { id: string; name: string };
    /** The technician it belongs to now. */
    to: { id: string; name: string };
  };
  /** Identity verified. */
  'session.approved': VerifierEventBase & {
    /** Who gave the final proof: the technician (a right code, or codes compared by eye) or the device. */
    approvedBy: ChangedBy;
  };
  /** Identity not verified. */
  'session.denied': VerifierEventBase & {
    /** Why. */
    reason: DenyReason;
  };
  /** A deadline passed. */
  'session.expired': VerifierEventBase;
  /** Cancelled. */
  'session.cancelled': VerifierEventBase & {
    /** Who cancelled. */
    by: ChangedBy;
    /** `true` when a newer verification on the same ticket replaced the session. */
    superseded?: true;
  };
  /** Nothing could be delivered. */
  'session.failed': VerifierEventBase & {
    /** The last delivery failure (the route and the provider's reason). */
    reason: string;
  };
  /** The outcome note was written on the ticket (or found already written: `created: false`). */
  'note.written': VerifierEventBase & {
    /** The outcome the note records. */
    outcome: Outcome;
    /** The PSA's id of the note. */
    noteId: string;
    /** `false` when the note was already on the ticket (a retried write found it). */
    created: boolean;
  };
  /** Writing the outcome note failed; the session itself is unaffected. */
  'note.failed': VerifierEventBase & {
    /** The outcome the note would have recorded. */
    outcome: Outcome;
    /** The error message. */
    error: string;
  };
}

/** Name of a verifier event. @public */
export type VerifierEventName = keyof VerifierEventMap;

/** Every verifier event name, in the order a verification can emit them (live updates, logging, references). @public */
export const VERIFIER_EVENT_NAMES: readonly VerifierEventName[] = [
  'session.created',
  'session.sent',
  'delivery.failed',
  'session.fell_back',
  'device.answered',
  'code.checked',
  'session.handed_over',
  'session.approved',
  'session.denied',
  'session.expired',
  'session.cancelled',
  'session.failed',
  'note.written',
  'note.failed',
];

/** One event as data: its name and payload. The machine returns these inside `emit` effects. @public */
export type VerifierEvent = {
  [K in VerifierEventName]: { name: K; payload: VerifierEventMap[K] };
}[VerifierEventName];

/**
 * The verifier's typed event emitter (`verifier.events`): Node's `EventEmitter`, typed by {@link VerifierEventMap}.
 * A listener that throws does not undo or interrupt the change it hears about.
 * @public
 */
export interface VerifierEvents {
  /** Calls `listener` for every event of that name. */
  on<K extends VerifierEventName>(name: K, listener: (payload: VerifierEventMap[K]) => void): this;
  /** Calls `listener` for the next event of that name only. */
  once<K extends VerifierEventName>(name: K, listener: (payload: VerifierEventMap[K]) => void): this;
  /** Removes a listener added with `on` or `once`. */
  off<K extends VerifierEventName>(name: K, listener: (payload: VerifierEventMap[K]) => void): this;
}

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
