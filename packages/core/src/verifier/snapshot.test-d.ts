import { describe, expectTypeOf, it } from 'vitest';
import type { SentSession, VerificationSession } from '../machine/session.js';
import type { SessionSnapshot } from './snapshot.js';
import { toSnapshot } from './snapshot.js';

// Type tests: vitest type-checks this file, it never runs.

/** Every key of every member of a union (`keyof` of a union keeps only the shared keys). */
type AnyKey<T> = T extends unknown ? keyof T : never;
type Stored = 'codeHash' | 'challengeNonce' | 'matchHash';

declare const snapshot: SessionSnapshot;

describe('SessionSnapshot', () => {
  it('never carries a stored digest or nonce, in any status', () => {
    expectTypeOf<Extract<AnyKey<SessionSnapshot>, Stored>>().toBeNever();
    // The check above is not vacuous: sessions do carry them.
    expectTypeOf<Extract<AnyKey<VerificationSession>, Stored>>().toEqualTypeOf<Stored>();
    if (snapshot.status === 'sent') {
      // @ts-expect-error the code's digest stays in the store
      snapshot.codeHash;
    }
    if (snapshot.status === 'awaiting_push') {
      // @ts-expect-error the challenge nonce stays in the store
      snapshot.challengeNonce;
      // @ts-expect-error the number's digest stays in the store
      snapshot.matchHash;
    }
  });

  it('keeps every other field, status by status', () => {
    expectTypeOf<SessionSnapshot['status']>().toEqualTypeOf<VerificationSession['status']>();
    expectTypeOf<AnyKey<SessionSnapshot>>().toEqualTypeOf<Exclude<AnyKey<VerificationSession>, Stored>>();
    if (snapshot.status === 'sent') {
      expectTypeOf(snapshot).toEqualTypeOf<Omit<SentSession, 'codeHash'>>();
      expectTypeOf(snapshot.route).toEqualTypeOf<'sms' | 'email'>();
    }
    if (snapshot.status === 'approved') expectTypeOf(snapshot).toHaveProperty('approvedBy');
  });

  it('is what toSnapshot returns, and cannot be built with a digest', () => {
    expectTypeOf(toSnapshot).returns.toEqualTypeOf<SessionSnapshot>();
    expectTypeOf(toSnapshot).parameter(0).toEqualTypeOf<VerificationSession>();
    const sent = {
      id: 's',
      version: 1,
      tenantId: 't',
      createdAt: 0,
      updatedAt: 0,
      expiresAt: 1,
      purpose: 'verify',
      technician: { id: 'tech', name: 'Tech' },
      customerId: null,
      endUser: { id: 'eu', displayName: 'User', email: 'u@example.com' },
      ticket: null,
      contactId: null,
      override: null,
      startKey: null,
      requestedMethod: 'sms',
      method: 'sms',
      codeMode: 'verify',
      attempts: 0,
      maxAttempts: 5,
      sends: 1,
      fallbacks: [],
      status: 'sent',
      route: 'sms',
      destination: '+1•••••4567',
    } as const satisfies SessionSnapshot;
    expectTypeOf(sent).toExtend<SessionSnapshot>();
    // @ts-expect-error a snapshot has no room for the digest
    const _withDigest: SessionSnapshot = { ...sent, fallbacks: [], codeHash: 'a'.repeat(64) };
  });
});
