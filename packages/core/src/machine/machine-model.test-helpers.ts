import { createHash } from 'node:crypto';
import { type CodeMode, type Method, PUSH_METHODS } from '../types.js';
import type { CodeCheck, RejectionCode, SessionEvent } from './events.js';
import { isTerminalStatus, MAX_SESSION_LIFETIME_MS, type SessionStatus } from './session.js';

/** The digest the service would store: the model only needs it to be deterministic and one-way. */
export const digest = (secret: string): string =>
  createHash('sha256').update(`qdesk-test:${secret}`).digest('hex');

/**
 * What the model-based test expects the session to be. Plain codes live here: the test may know them, the session
 * may not.
 */
export interface Model {
  now: number;
  createdAt: number;
  status: SessionStatus;
  version: number;
  attempts: number;
  maxAttempts: number;
  sends: number;
  method: Method | null;
  requestedMethod: Method | null;
  codeMode: CodeMode;
  expiresAt: number;
  fallbacks: number;
  /** The code the session checks against (`sent`, `awaiting_code`). */
  code: string | null;
  /** For number match: the number the device must type back. */
  number: string | null;
  route: 'sms' | 'email' | null;
  /** The fields a closed session must carry (`approvedBy`, `reason`, `expiredFrom`...). */
  closedAs: Record<string, unknown>;
}

/** A new idle session's model. */
export const freshModel = (now: number, expiresAt: number, maxAttempts: number): Model => ({
  now,
  createdAt: now,
  status: 'idle',
  version: 1,
  attempts: 0,
  maxAttempts,
  sends: 0,
  method: null,
  requestedMethod: null,
  codeMode: 'verify',
  expiresAt,
  fallbacks: 0,
  code: null,
  number: null,
  route: null,
  closedAs: {},
});

/**
 * The model's answer to an event: the session stays as it is (with the refusal, or `null` for a tick before the
 * deadline), or it moves to `to` with these effects (written `emit:<name>`, `deliver:<route>`,
 * `record_outcome:<outcome>`, or the effect type) and these model fields.
 */
export type Prediction =
  | { unchanged: RejectionCode | null }
  | { to: SessionStatus; effects: string[]; set: Partial<Model>; check?: CodeCheck; expired?: boolean };

const refuse: Prediction = { unchanged: 'invalid_transition' };

const approve = (now: number, by: string, before: string[] = [], set: Partial<Model> = {}): Prediction => ({
  to: 'approved',
  effects: [...before, 'clear_failures', 'emit:session.approved', 'record_outcome:approved'],
  set: { ...set, closedAs: { approvedBy: by, closedAt: now } },
});

const deny = (now: number, reason: string, before: string[] = [], set: Partial<Model> = {}): Prediction => ({
  to: 'denied',
  effects: [...before, 'emit:session.denied', 'record_outcome:denied'],
  set: { ...set, closedAs: { reason, closedAt: now } },
});

const close = (now: number, to: 'failed' | 'cancelled', closedAs: Record<string, unknown>): Prediction => ({
  to,
  effects: [`emit:session.${to}`, `record_outcome:${to}`],
  set: { closedAs: { ...closedAs, closedAt: now } },
});

/** Fields every send sets. */
const send = (
  m: Model,
  e: { codeMode: CodeMode; expiresAt: number },
  set: Partial<Model>,
): Partial<Model> => ({
  codeMode: e.codeMode,
  sends: m.sends + 1,
  expiresAt: capped(m, e.expiresAt),
  ...set,
});

/** No deadline runs past ten minutes after the session was created, whatever the event asks for. */
const capped = (m: Model, at: number) => Math.min(at, m.createdAt + MAX_SESSION_LIFETIME_MS);

/**
 * The model's answer to `e` in state `m`, written from the rules in the docs and `TRANSITION_TABLE`'s wording rather
 * than from the machine's code.
 */
export function predict(m: Model, e: SessionEvent): Prediction {
  if (isTerminalStatus(m.status)) return { unchanged: 'session_closed' };
  const deadline = capped(m, m.expiresAt);
  if (e.now >= deadline) {
    return {
      to: 'expired',
      effects: ['emit:session.expired', 'record_outcome:expired'],
      set: { closedAs: { expiredFrom: m.status, closedAt: deadline } },
      expired: true,
    };
  }
  const codeState = m.status === 'sent' || m.status === 'awaiting_code';
  switch (e.type) {
    case 'tick':
      return { unchanged: null };
    case 'code_sent': {
      const resend = m.status === 'sent' && m.method === e.method;
      if (m.status !== 'idle' && !resend) return refuse;
      if (resend && e.codeMode !== m.codeMode) return refuse; // the first send fixed the code mode
      const set = {
        method: e.method,
        requestedMethod: m.requestedMethod ?? e.method,
        route: e.method,
        code: e.code,
      };
      return { to: 'sent', effects: ['emit:session.sent', `deliver:${e.method}`], set: send(m, e, set) };
    }
    case 'push_sent': {
      if (m.status !== 'idle' || (e.method === 'number_match' && e.matchHash === null)) return refuse;
      const set = { requestedMethod: e.method, method: e.method };
      return { to: 'awaiting_push', effects: ['emit:session.sent', 'deliver:push'], set: send(m, e, set) };
    }
    case 'fell_back': {
      const fromPush = m.status === 'awaiting_push' && m.method === e.from;
      if (!PUSH_METHODS.includes(e.from) || (m.status !== 'idle' && !fromPush)) return refuse;
      if (fromPush && e.codeMode !== m.codeMode) return refuse;
      const set = {
        requestedMethod: m.requestedMethod ?? e.from,
        method: e.to,
        route: e.to,
        code: e.code,
        fallbacks: m.fallbacks + 1,
      };
      const effects = ['emit:session.fell_back', 'emit:session.sent', `deliver:${e.to}`];
      return { to: 'sent', effects, set: send(m, e, set) };
    }
    case 'delivery_failed':
      return m.status === 'awaiting_code' ? refuse : close(e.now, 'failed', { reason: e.reason });
    case 'code_submitted': {
      if (!codeState || m.codeMode !== 'verify') return refuse;
      const attempts = m.attempts + 1;
      const correct = e.codeHash === digest(m.code ?? '');
      const check = { correct, attempts, attemptsLeft: Math.max(0, m.maxAttempts - attempts) };
      const checked = ['emit:code.checked'];
      if (correct) return { ...approve(e.now, 'technician', checked, { attempts }), check };
      if (attempts === m.maxAttempts)
        return { ...deny(e.now, 'too_many_attempts', checked, { attempts }), check };
      return { to: m.status, effects: checked, set: { attempts }, check };
    }
    case 'technician_approved':
      return codeState && m.codeMode === 'compare' ? approve(e.now, 'technician') : refuse;
    case 'technician_denied':
      return deny(e.now, 'technician_denied');
    case 'device_approved':
      if (m.status !== 'awaiting_push') return refuse;
      if (m.method === 'push') return approve(e.now, 'device', ['emit:device.answered']);
      if (m.method !== 'push_code' || e.codeHash === null || e.expiresAt === null) return refuse;
      return {
        to: 'awaiting_code',
        effects: ['emit:device.answered'],
        set: { expiresAt: capped(m, e.expiresAt) },
      };
    case 'device_denied':
      if (m.status !== 'awaiting_push' && m.status !== 'awaiting_code') return refuse;
      return deny(e.now, 'device_denied', ['emit:device.answered']);
    case 'number_submitted': {
      if (m.status !== 'awaiting_push' || m.method !== 'number_match') return refuse;
      const answered = ['emit:device.answered'];
      return e.numberHash === digest(m.number ?? '')
        ? approve(e.now, 'device', answered)
        : deny(e.now, 'number_mismatch', answered);
    }
    case 'cancelled':
      return close(e.now, 'cancelled', { cancelledBy: e.by });
    case 'handed_over':
      return { to: m.status, effects: [], set: {} };
  }
}
