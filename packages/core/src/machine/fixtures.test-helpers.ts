import type { SessionEvent } from './events.js';
import type { SessionStatus, VerificationSession } from './session.js';

export const T0 = 1_000_000;
export const DEADLINE = T0 + 60_000;
export const RIGHT = 'a'.repeat(64);
export const WRONG = 'b'.repeat(64);
/** The plain code behind {@link RIGHT} in the fixtures: eight distinct digits, so a leak is easy to spot. */
export const CODE = '73920518';

const base = {
  id: 'vs_test',
  version: 3,
  tenantId: 't',
  createdAt: T0 - 1000,
  updatedAt: T0 - 1000,
  expiresAt: DEADLINE,
  purpose: 'verify' as const,
  technician: { id: 'tech', name: 'Tech' },
  customerId: null,
  endUser: { id: 'eu', displayName: 'User', email: 'u@example.com' },
  ticket: { id: '1', number: 'T1' },
  contactId: null,
  override: null,
  startKey: null,
  requestedMethod: null,
  method: null,
  codeMode: 'verify' as const,
  attempts: 0,
  maxAttempts: 5,
  sends: 0,
  fallbacks: [],
};

/** One session per status (code sessions in verify mode unless told otherwise). */
export function sessionIn(
  status: SessionStatus,
  over: Partial<Record<string, unknown>> = {},
): VerificationSession {
  const s = (() => {
    switch (status) {
      case 'idle':
        return { ...base, status };
      case 'sent':
        return {
          ...base,
          status,
          requestedMethod: 'sms',
          method: 'sms',
          route: 'sms',
          destination: '+1••••0001',
          codeHash: RIGHT,
          sends: 1,
        };
      case 'awaiting_push':
        return {
          ...base,
          status,
          requestedMethod: 'push',
          method: 'push',
          challengeNonce: 'n',
          matchHash: null,
          sends: 1,
        };
      case 'awaiting_code':
        return {
          ...base,
          status,
          requestedMethod: 'push_code',
          method: 'push_code',
          codeHash: RIGHT,
          sends: 1,
        };
      case 'approved':
        return { ...base, status, approvedBy: 'technician', closedAt: T0 - 10 };
      case 'denied':
        return { ...base, status, reason: 'technician_denied', closedAt: T0 - 10 };
      case 'expired':
        return { ...base, status, expiredFrom: 'sent', closedAt: T0 - 10 };
      case 'cancelled':
        return { ...base, status, cancelledBy: 'technician', closedAt: T0 - 10 };
      case 'failed':
        return { ...base, status, reason: 'x', closedAt: T0 - 10 };
    }
  })();
  return { ...s, ...over } as VerificationSession;
}

/** One representative event per type, at `now`. */
export function eventOf(type: SessionEvent['type'], now = T0): SessionEvent {
  switch (type) {
    case 'code_sent':
      return {
        type,
        now,
        method: 'sms',
        codeMode: 'verify',
        destination: 'd',
        code: CODE,
        codeHash: RIGHT,
        expiresAt: now + 600_000,
      };
    case 'push_sent':
      return {
        type,
        now,
        method: 'push',
        codeMode: 'verify',
        challengeNonce: 'n2',
        matchHash: null,
        expiresAt: now + 60_000,
      };
    case 'fell_back':
      return {
        type,
        now,
        from: 'push',
        to: 'sms',
        reason: 'no_push_device',
        codeMode: 'verify',
        destination: 'd',
        code: CODE,
        codeHash: RIGHT,
        expiresAt: now + 600_000,
      };
    case 'delivery_failed':
      return { type, now, reason: 'provider down' };
    case 'code_submitted':
      return { type, now, codeHash: RIGHT };
    case 'technician_approved':
      return { type, now };
    case 'technician_denied':
      return { type, now };
    case 'device_approved':
      return { type, now, codeHash: null, expiresAt: null };
    case 'device_denied':
      return { type, now };
    case 'number_submitted':
      return { type, now, numberHash: RIGHT };
    case 'cancelled':
      return { type, now, by: 'technician' };
    case 'handed_over':
      return { type, now, to: { id: 'tech-2', name: 'Second Tech' } };
    case 'tick':
      return { type, now };
  }
}

export const EVENT_TYPES: SessionEvent['type'][] = [
  'code_sent',
  'push_sent',
  'fell_back',
  'delivery_failed',
  'code_submitted',
  'technician_approved',
  'technician_denied',
  'device_approved',
  'device_denied',
  'number_submitted',
  'cancelled',
  'handed_over',
  'tick',
];
