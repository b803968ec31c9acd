import {
  eventBase,
  type VerifierEvent,
  type VerifierEventBase,
  type VerifierEventMap,
  type VerifierEventName,
} from '../events.js';
import { isPushMethod } from '../types.js';
import type { CodeCheck, Effect, RejectionCode, SessionEvent } from './events.js';
import {
  type ActiveSession,
  type ApprovedSession,
  type AwaitingCodeSession,
  type AwaitingPushSession,
  baseOf,
  type CancelledSession,
  type DeniedSession,
  deadlineOf,
  expire,
  type FailedSession,
  isTerminalStatus,
  MAX_SESSION_LIFETIME_MS,
  type SentSession,
  type SessionBase,
  type VerificationSession,
} from './session.js';

/**
 * What {@link transition} returns: the next session, the effects to run and what a code check found, or a refusal
 * with the reason. Everything a caller needs is here; nothing has to be dug out of the effects.
 * @public
 */
export interface TransitionResult {
  /** The next session (the same object when nothing changed). */
  session: VerificationSession;
  /** Effects for the verifier to execute, in order. */
  effects: Effect[];
  /** True when `session` differs from the input (and must be stored with the next version). */
  changed: boolean;
  /** For a `code_submitted` event that was applied: whether the code matched and the checks left; else `null`. */
  check: CodeCheck | null;
  /** Why the event was refused, or `null` when it was applied. A refused event can still change the session: a passed deadline closes it as `expired`. */
  rejection: { code: RejectionCode; message: string } | null;
}

/**
 * Compares two hex digests without an early exit, so the time taken does not depend on where they differ.
 * Digests are fixed-length HMAC-SHA256 hex, so comparing lengths first leaks nothing.
 */
function sameDigest(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

function emit<K extends VerifierEventName>(
  session: SessionBase,
  name: K,
  extra: Omit<VerifierEventMap[K], keyof VerifierEventBase>,
  at: number,
): Effect {
  const payload = Object.assign(eventBase(session, at), extra) as VerifierEventMap[K];
  return { type: 'emit', event: { name, payload } as VerifierEvent };
}

const unchanged = (session: VerificationSession, code: RejectionCode, message: string): TransitionResult => ({
  session,
  effects: [],
  changed: false,
  check: null,
  rejection: { code, message },
});

/** A resend or fallback may not change how codes are judged: a technician cannot switch to compare after wrong codes. */
const modeFixed = (session: ActiveSession): TransitionResult =>
  unchanged(
    session,
    'invalid_transition',
    `The code mode was fixed to ${session.codeMode} by the first send; it cannot change within a verification.`,
  );

const refuse = (session: ActiveSession, what: string): TransitionResult =>
  unchanged(session, 'invalid_transition', `Cannot ${what} while the verification is ${session.status}.`);

const applied = (
  session: VerificationSession,
  effects: Effect[],
  check: CodeCheck | null = null,
): TransitionResult => ({
  session,
  effects,
  changed: true,
  check,
  rejection: null,
});

/**
 * The common fields of the next version of `session`, stamped at `now`, as one fresh object. States add their own
 * fields to it. Note: one explicit literal instead of object spreads keeps a single object shape; spreading the
 * ~17-field session several times per event was the machine's main cost.
 */
const next = (session: VerificationSession, now: number): SessionBase => {
  const base = baseOf(session);
  base.version = session.version + 1;
  base.updatedAt = now;
  return base;
};

/** A step's deadline, never later than {@link MAX_SESSION_LIFETIME_MS} after the session was created. */
const capped = (session: SessionBase, expiresAt: number): number =>
  Math.min(expiresAt, session.createdAt + MAX_SESSION_LIFETIME_MS);

/** Turns a fresh base into a session of one state by adding that state's fields. */
const become = <S extends VerificationSession>(base: SessionBase, fields: Omit<S, keyof SessionBase>): S =>
  Object.assign(base, fields) as S;

function approve(session: ActiveSession, now: number, by: ApprovedSession['approvedBy']): TransitionResult {
  const approved = become<ApprovedSession>(next(session, now), {
    status: 'approved',
    approvedBy: by,
    closedAt: now,
  });
  return applied(approved, [
    { type: 'clear_failures' },
    emit(approved, 'session.approved', { approvedBy: by }, now),
    { type: 'record_outcome', outcome: 'approved' },
  ]);
}

function deny(
  session: ActiveSession,
  now: number,
  reason: DeniedSession['reason'],
  extra: Effect[] = [],
  base: SessionBase = next(session, now),
): TransitionResult {
  const denied = become<DeniedSession>(base, { status: 'denied', reason, closedAt: now });
  extra.push(emit(denied, 'session.denied', { reason }, now), { type: 'record_outcome', outcome: 'denied' });
  return applied(denied, extra);
}

function checkCode(
  session: Extract<ActiveSession, { status: 'sent' | 'awaiting_code' }>,
  codeHash: string,
  now: number,
): TransitionResult {
  if (session.codeMode !== 'verify') {
    return unchanged(
      session,
      'invalid_transition',
      'This session is in compare mode: compare the code the caller reads with the one on screen, then approve or deny.',
    );
  }
  const attempts = session.attempts + 1;
  const correct = sameDigest(codeHash, session.codeHash);
  const attemptsLeft = correct ? session.maxAttempts - attempts : Math.max(0, session.maxAttempts - attempts);
  const counted = next(session, now);
  counted.attempts = attempts;
  const check: CodeCheck = { correct, attempts, attemptsLeft };
  const checked = emit(counted, 'code.checked', check, now);
  if (correct) {
    const approved = become<ApprovedSession>(counted, {
      status: 'approved',
      approvedBy: 'technician',
      closedAt: now,
    });
    return applied(
      approved,
      [
        checked,
        { type: 'clear_failures' },
        emit(approved, 'session.approved', { approvedBy: 'technician' }, now),
        { type: 'record_outcome', outcome: 'approved' },
      ],
      check,
    );
  }
  if (attempts >= session.maxAttempts) {
    const denied = deny(session, now, 'too_many_attempts', [checked], counted);
    denied.check = check;
    return denied;
  }
  const stillSent =
    session.status === 'sent'
      ? become<SentSession>(counted, {
          status: 'sent',
          route: session.route,
          destination: session.destination,
          codeHash: session.codeHash,
        })
      : become<AwaitingCodeSession>(counted, { status: 'awaiting_code', codeHash: session.codeHash });
  return applied(stillSent, [checked], check);
}

/**
 * The verification state machine: given a session and an event, returns the next session and the effects to run.
 *
 * Pure: no I/O, no clock, no randomness; `now` and generated values (hashes, nonces, deadlines) arrive in the event.
 * Terminal sessions never change. A session whose deadline has passed turns `expired` on any event.
 *
 * @example
 * ```ts
 * const { session, effects, rejection } = transition(current, { type: 'code_submitted', now, codeHash });
 * if (rejection) showProblem(rejection.message);
 * ```
 * @public
 */
export function transition(session: VerificationSession, event: SessionEvent): TransitionResult {
  if (isTerminalStatus(session.status)) {
    return unchanged(
      session,
      'session_closed',
      `This verification is already ${session.status}; start a new one to verify again.`,
    );
  }
  const active = session as ActiveSession;
  const now = event.now;

  if (now >= deadlineOf(active)) {
    const expired = expire(active);
    expired.version = active.version + 1;
    expired.updatedAt = now;
    const effects: Effect[] = [
      emit(expired, 'session.expired', {}, now),
      { type: 'record_outcome', outcome: 'expired' },
    ];
    if (event.type === 'tick') return applied(expired, effects);
    return {
      session: expired,
      effects,
      changed: true,
      check: null,
      rejection: { code: 'session_expired', message: 'This verification expired; start a new one.' },
    };
  }

  switch (event.type) {
    case 'tick':
      return { session: active, effects: [], changed: false, check: null, rejection: null };

    case 'code_sent': {
      const resend = active.status === 'sent' && active.method === event.method;
      if (active.status !== 'idle' && !resend) return refuse(active, `send a ${event.method} code`);
      if (resend && event.codeMode !== active.codeMode) return modeFixed(active);
      const base = next(active, now);
      base.requestedMethod = active.requestedMethod ?? event.method;
      base.method = event.method;
      base.codeMode = event.codeMode;
      base.sends = active.sends + 1;
      base.expiresAt = capped(active, event.expiresAt);
      const sent = become<SentSession>(base, {
        status: 'sent',
        route: event.method,
        destination: event.destination,
        codeHash: event.codeHash,
      });
      return applied(sent, [
        emit(sent, 'session.sent', { route: event.method, destination: event.destination, resend }, now),
        { type: 'deliver', route: event.method, code: event.code },
      ]);
    }

    case 'push_sent': {
      if (active.status !== 'idle') return refuse(active, 'send a push');
      if (event.method === 'number_match' && event.matchHash === null)
        return refuse(active, 'send a number match without a number');
      const base = next(active, now);
      base.requestedMethod = event.method;
      base.method = event.method;
      base.codeMode = event.codeMode;
      base.sends = active.sends + 1;
      base.expiresAt = capped(active, event.expiresAt);
      const pushed = become<AwaitingPushSession>(base, {
        status: 'awaiting_push',
        challengeNonce: event.challengeNonce,
        matchHash: event.method === 'number_match' ? event.matchHash : null,
      });
      return applied(pushed, [
        emit(pushed, 'session.sent', { route: 'push', destination: null, resend: false }, now),
        { type: 'deliver', route: 'push' },
      ]);
    }

    case 'fell_back': {
      if (!isPushMethod(event.from)) return refuse(active, `fall back from ${event.from}`);
      const fromIdle = active.status === 'idle';
      const fromPush = active.status === 'awaiting_push' && active.method === event.from;
      if (!fromIdle && !fromPush) return refuse(active, 'fall back to a code');
      if (fromPush && event.codeMode !== active.codeMode) return modeFixed(active);
      const base = next(active, now);
      base.requestedMethod = active.requestedMethod ?? event.from;
      base.method = event.to;
      base.codeMode = event.codeMode;
      base.sends = active.sends + 1;
      base.expiresAt = capped(active, event.expiresAt);
      base.fallbacks = [
        ...active.fallbacks,
        { from: event.from, to: event.to, reason: event.reason, at: now },
      ];
      const sent = become<SentSession>(base, {
        status: 'sent',
        route: event.to,
        destination: event.destination,
        codeHash: event.codeHash,
      });
      return applied(sent, [
        emit(sent, 'session.fell_back', { from: event.from, to: event.to, reason: event.reason }, now),
        emit(sent, 'session.sent', { route: event.to, destination: event.destination, resend: false }, now),
        { type: 'deliver', route: event.to, code: event.code },
      ]);
    }

    case 'delivery_failed': {
      if (active.status === 'awaiting_code') return refuse(active, 'record a delivery failure');
      const failed = become<FailedSession>(next(active, now), {
        status: 'failed',
        reason: event.reason,
        closedAt: now,
      });
      return applied(failed, [
        emit(failed, 'session.failed', { reason: event.reason }, now),
        { type: 'record_outcome', outcome: 'failed' },
      ]);
    }

    case 'code_submitted':
      if (active.status !== 'sent' && active.status !== 'awaiting_code')
        return refuse(active, 'check a code');
      return checkCode(active, event.codeHash, now);

    case 'technician_approved':
      if (active.status !== 'sent' && active.status !== 'awaiting_code') return refuse(active, 'approve');
      if (active.codeMode !== 'compare') {
        return unchanged(
          active,
          'invalid_transition',
          'This session is in verify mode: type the code the caller reads back; QDesk checks it.',
        );
      }
      return approve(active, now, 'technician');

    case 'technician_denied':
      return deny(active, now, 'technician_denied');

    case 'device_approved': {
      if (active.status !== 'awaiting_push') return refuse(active, 'accept an approval from the device');
      const responded = emit(active, 'device.answered', { answer: 'approved' }, now);
      if (active.method === 'push') {
        const result = approve(active, now, 'device');
        result.effects.unshift(responded);
        return result;
      }
      if (active.method === 'push_code') {
        if (event.codeHash === null || event.expiresAt === null)
          return refuse(active, 'approve push + code without a code');
        const base = next(active, now);
        base.expiresAt = capped(active, event.expiresAt);
        const awaiting = become<AwaitingCodeSession>(base, {
          status: 'awaiting_code',
          codeHash: event.codeHash,
        });
        return applied(awaiting, [responded]);
      }
      return unchanged(
        active,
        'invalid_transition',
        'This is a number match: the device must submit the number the technician reads out, not just approve.',
      );
    }

    case 'device_denied': {
      if (active.status !== 'awaiting_push' && active.status !== 'awaiting_code') {
        return refuse(active, 'accept a denial from the device');
      }
      return deny(active, now, 'device_denied', [emit(active, 'device.answered', { answer: 'denied' }, now)]);
    }

    case 'number_submitted': {
      if (
        active.status !== 'awaiting_push' ||
        active.method !== 'number_match' ||
        active.matchHash === null
      ) {
        return refuse(active, 'accept a number');
      }
      const responded = emit(active, 'device.answered', { answer: 'number_submitted' }, now);
      if (sameDigest(event.numberHash, active.matchHash)) {
        const result = approve(active, now, 'device');
        result.effects.unshift(responded);
        return result;
      }
      return deny(active, now, 'number_mismatch', [responded]);
    }

    case 'handed_over': {
      // Same state, another technician: every state-specific field (digests, nonces) stays as it was.
      const handed = { ...active, version: active.version + 1, updatedAt: now, technician: event.to };
      return applied(handed, [
        emit(handed, 'session.handed_over', { from: active.technician, to: event.to }, now),
      ]);
    }

    case 'cancelled': {
      const cancelled = become<CancelledSession>(next(active, now), {
        status: 'cancelled',
        cancelledBy: event.by,
        ...(event.superseded ? { superseded: true as const } : {}),
        closedAt: now,
      });
      return applied(cancelled, [
        emit(
          cancelled,
          'session.cancelled',
          { by: event.by, ...(event.superseded ? { superseded: true as const } : {}) },
          now,
        ),
        { type: 'record_outcome', outcome: 'cancelled' },
      ]);
    }
  }
}
