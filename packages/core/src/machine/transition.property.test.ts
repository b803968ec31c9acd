import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SessionEvent } from './events.js';
import { CODE, EVENT_TYPES, sessionIn, T0 } from './fixtures.test-helpers.js';
import { isTerminalStatus, readSession, type SessionStatus, type VerificationSession } from './session.js';
import { transition } from './transition.js';

const HASHES = ['a', 'b', 'c'].map((c) => c.repeat(64));
const hash = fc.constantFrom(...HASHES);

// Arbitrary events: any type, any generated values, time moving forward by 0-20 s per step.
const eventArb = (now: number) =>
  fc.oneof(
    fc
      .record({
        type: fc.constant('code_sent' as const),
        method: fc.constantFrom('sms' as const, 'email' as const),
        codeMode: fc.constantFrom('verify' as const, 'compare' as const),
        destination: fc.constant('d'),
        code: fc.constant(CODE),
        codeHash: hash,
        ttl: fc.integer({ min: 1, max: 600_000 }),
      })
      .map(({ ttl, ...e }) => ({ ...e, now, expiresAt: now + ttl })),
    fc
      .record({
        type: fc.constant('push_sent' as const),
        method: fc.constantFrom('push' as const, 'push_code' as const, 'number_match' as const),
        codeMode: fc.constantFrom('verify' as const, 'compare' as const),
        challengeNonce: fc.constant('n'),
        matchHash: fc.option(hash, { nil: null }),
        ttl: fc.integer({ min: 1, max: 60_000 }),
      })
      .map(({ ttl, ...e }) => ({ ...e, now, expiresAt: now + ttl })),
    fc
      .record({
        type: fc.constant('fell_back' as const),
        from: fc.constantFrom('push' as const, 'push_code' as const, 'number_match' as const, 'sms' as const),
        to: fc.constantFrom('sms' as const, 'email' as const),
        reason: fc.constant('no_push_device' as const),
        codeMode: fc.constantFrom('verify' as const, 'compare' as const),
        destination: fc.constant('d'),
        code: fc.constant(CODE),
        codeHash: hash,
      })
      .map((e) => ({ ...e, now, expiresAt: now + 600_000 })),
    fc.constant({ type: 'delivery_failed' as const, now, reason: 'x' }),
    hash.map((codeHash) => ({ type: 'code_submitted' as const, now, codeHash })),
    fc.constant({ type: 'technician_approved' as const, now }),
    fc.constant({ type: 'technician_denied' as const, now }),
    fc.option(hash, { nil: null }).map((codeHash) => ({
      type: 'device_approved' as const,
      now,
      codeHash,
      expiresAt: codeHash ? now + 600_000 : null,
    })),
    fc.constant({ type: 'device_denied' as const, now }),
    hash.map((numberHash) => ({ type: 'number_submitted' as const, now, numberHash })),
    fc.constant({ type: 'cancelled' as const, now, by: 'technician' as const }),
    fc.constant({ type: 'tick' as const, now }),
  );

const stepsArb = fc.array(
  fc.tuple(fc.integer({ min: 0, max: 20_000 }), fc.integer({ min: 0, max: 1_000_000 })),
  {
    maxLength: 40,
  },
);

/** Replays steps from idle, building each event from the seed so events depend on time. */
function replay(
  steps: [number, number][],
  check: (before: VerificationSession, event: SessionEvent, after: VerificationSession) => void,
) {
  let session = sessionIn('idle', { expiresAt: T0 + 600_000 });
  let now = T0;
  for (const [dt, seed] of steps) {
    now += dt;
    const event = fc.sample(eventArb(now), { seed, numRuns: 1 })[0] as SessionEvent;
    const result = transition(session, event);
    check(session, event, result.session);
    session = result.session;
  }
  return session;
}

const proved = (before: VerificationSession, event: SessionEvent): boolean => {
  switch (event.type) {
    case 'code_submitted':
      return (
        (before.status === 'sent' || before.status === 'awaiting_code') &&
        before.codeMode === 'verify' &&
        before.codeHash === event.codeHash
      );
    case 'technician_approved':
      return (before.status === 'sent' || before.status === 'awaiting_code') && before.codeMode === 'compare';
    case 'device_approved':
      return before.status === 'awaiting_push' && before.method === 'push';
    case 'number_submitted':
      return (
        before.status === 'awaiting_push' &&
        before.method === 'number_match' &&
        before.matchHash === event.numberHash
      );
    default:
      return false;
  }
};

describe('transition properties', () => {
  it('no way out of a terminal state', () => {
    const terminal = fc.constantFrom<SessionStatus>('approved', 'denied', 'expired', 'cancelled', 'failed');
    fc.assert(
      fc.property(
        terminal,
        fc.array(fc.tuple(fc.constantFrom(...EVENT_TYPES), fc.integer({ min: 0, max: 1e6 })), {
          maxLength: 30,
        }),
        (status, events) => {
          const start = sessionIn(status);
          let session = start;
          for (const [, seed] of events) {
            const event = fc.sample(eventArb(T0 + seed), { seed, numRuns: 1 })[0] as SessionEvent;
            const result = transition(session, event);
            expect(result.changed).toBe(false);
            expect(result.effects).toEqual([]);
            session = result.session;
          }
          expect(session).toBe(start);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('no approval without its proof (right code, device approve on push, matching number, compare-mode approval)', () => {
    fc.assert(
      fc.property(stepsArb, (steps) => {
        replay(steps, (before, event, after) => {
          if (after.status === 'approved' && before.status !== 'approved')
            expect(proved(before, event)).toBe(true);
        });
      }),
      { numRuns: 1000 },
    );
  });

  it('attempts never exceed the limit, and reaching it denies', () => {
    fc.assert(
      fc.property(stepsArb, (steps) => {
        replay(steps, (_before, _event, after) => {
          expect(after.attempts).toBeLessThanOrEqual(after.maxAttempts);
          if (after.attempts === after.maxAttempts && !isTerminalStatus(after.status))
            throw new Error('not denied at limit');
        });
      }),
      { numRuns: 1000 },
    );
  });

  it('expiry is monotone: once a session reads expired it reads expired later and stays terminal', () => {
    fc.assert(
      fc.property(stepsArb, fc.integer({ min: 0, max: 2_000_000 }), (steps, later) => {
        let expiredAt: number | null = null;
        replay(steps, (before, event, after) => {
          if (expiredAt !== null) expect(after.status).toBe(before.status);
          if (after.status === 'expired' && expiredAt === null) expiredAt = event.now;
          const read = readSession(after, event.now);
          if (read.status === 'expired') expect(readSession(after, event.now + later).status).toBe('expired');
          if (!isTerminalStatus(after.status)) expect(after.expiresAt).toBeGreaterThan(event.now);
        });
      }),
      { numRuns: 1000 },
    );
  });
});
