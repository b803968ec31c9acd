import { describe, expectTypeOf, it } from 'vitest';
import type { VerifierEvent, VerifierEventMap, VerifierEventName } from './events.js';

// Type tests: vitest type-checks this file, it never runs.

/** Every key of every event payload. */
type PayloadKey = { [K in VerifierEventName]: keyof VerifierEventMap[K] }[VerifierEventName];
type Secret = 'code' | 'codeHash' | 'challengeNonce' | 'matchHash' | 'numberHash' | 'token';

declare const event: VerifierEvent;

describe('VerifierEventMap', () => {
  it('has no payload with a code, a digest or a token', () => {
    expectTypeOf<Extract<PayloadKey, Secret>>().toBeNever();
    // @ts-expect-error a code check reports the outcome, never the code
    expectTypeOf<VerifierEventMap['code.checked']>().toHaveProperty('code');
  });

  it('names every event in the past tense, with its payload', () => {
    expectTypeOf<VerifierEventName>().toEqualTypeOf<
      | 'session.created'
      | 'session.sent'
      | 'delivery.failed'
      | 'session.fell_back'
      | 'device.answered'
      | 'code.checked'
      | 'session.handed_over'
      | 'session.approved'
      | 'session.denied'
      | 'session.expired'
      | 'session.cancelled'
      | 'session.failed'
      | 'note.written'
      | 'note.failed'
    >();
    expectTypeOf<VerifierEventMap['device.answered']['answer']>().toEqualTypeOf<
      'approved' | 'denied' | 'number_submitted'
    >();
    expectTypeOf<VerifierEventMap['code.checked']>().toExtend<{
      correct: boolean;
      attempts: number;
      attemptsLeft: number;
    }>();
  });

  it('pairs each name with its own payload in VerifierEvent', () => {
    if (event.name === 'session.fell_back')
      expectTypeOf(event.payload).toEqualTypeOf<VerifierEventMap['session.fell_back']>();
    if (event.name === 'session.sent') {
      expectTypeOf(event.payload.resend).toBeBoolean();
      // @ts-expect-error only `session.denied` has a deny reason
      event.payload.reason;
    }
  });
});
