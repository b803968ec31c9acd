import { describe, expectTypeOf, it } from 'vitest';
import type { ChangedBy, DenyReason, Outcome } from '../types.js';
import type {
  ActiveSession,
  ApprovedSession,
  AwaitingCodeSession,
  AwaitingPushSession,
  CancelledSession,
  ClosedSession,
  CodeCheck,
  DeniedSession,
  Effect,
  ExpiredSession,
  FailedSession,
  IdleSession,
  RejectionCode,
  SentSession,
  SessionBase,
  SessionEvent,
  SessionStatus,
  TransitionResult,
  VerificationSession,
} from './index.js';
import { readSession, transition } from './index.js';

// Type tests of the machine's public entry (`@qdesk/core/machine`): vitest type-checks this file, it never runs.

/** The fields a state adds to {@link SessionBase}. */
type OwnFields<S> = Exclude<keyof S, keyof SessionBase>;
/** Every key of every member of a union (`keyof` of a union keeps only the shared keys). */
type AnyKey<T> = T extends unknown ? keyof T : never;

declare const session: VerificationSession;
declare const effect: Effect;

describe('VerificationSession', () => {
  it('gives each status only its own fields', () => {
    expectTypeOf<OwnFields<IdleSession>>().toEqualTypeOf<'status'>();
    expectTypeOf<OwnFields<SentSession>>().toEqualTypeOf<'status' | 'route' | 'destination' | 'codeHash'>();
    expectTypeOf<OwnFields<AwaitingPushSession>>().toEqualTypeOf<'status' | 'challengeNonce' | 'matchHash'>();
    expectTypeOf<OwnFields<AwaitingCodeSession>>().toEqualTypeOf<'status' | 'codeHash'>();
    expectTypeOf<OwnFields<ApprovedSession>>().toEqualTypeOf<'status' | 'approvedBy' | 'closedAt'>();
    expectTypeOf<OwnFields<DeniedSession>>().toEqualTypeOf<'status' | 'reason' | 'closedAt'>();
    expectTypeOf<OwnFields<ExpiredSession>>().toEqualTypeOf<'status' | 'expiredFrom' | 'closedAt'>();
    expectTypeOf<OwnFields<CancelledSession>>().toEqualTypeOf<
      'status' | 'cancelledBy' | 'superseded' | 'closedAt'
    >();
    expectTypeOf<OwnFields<FailedSession>>().toEqualTypeOf<'status' | 'reason' | 'closedAt'>();
  });

  it('types the fields of each status', () => {
    expectTypeOf<IdleSession>().not.toHaveProperty('codeHash');
    expectTypeOf<SentSession['route']>().toEqualTypeOf<'sms' | 'email'>();
    expectTypeOf<SentSession['destination']>().toEqualTypeOf<string>();
    expectTypeOf<AwaitingPushSession['matchHash']>().toEqualTypeOf<string | null>();
    expectTypeOf<ApprovedSession['approvedBy']>().toEqualTypeOf<ChangedBy>();
    expectTypeOf<ApprovedSession['closedAt']>().toEqualTypeOf<number>();
    expectTypeOf<DeniedSession['reason']>().toEqualTypeOf<DenyReason>();
    expectTypeOf<ExpiredSession['expiredFrom']>().toEqualTypeOf<ActiveSession['status']>();
  });

  it('never stores a plain code, in any status', () => {
    expectTypeOf<Extract<AnyKey<VerificationSession>, 'code'>>().toBeNever();
    if (session.status === 'sent') {
      // @ts-expect-error a sent session keeps the code's digest, not the code
      session.code;
    }
  });

  it('narrows on `status`', () => {
    expectTypeOf<VerificationSession['status']>().toEqualTypeOf<SessionStatus>();
    if (session.status === 'sent') expectTypeOf(session).toEqualTypeOf<SentSession>();
    if (session.status === 'awaiting_push') expectTypeOf(session).toEqualTypeOf<AwaitingPushSession>();
    if (session.status === 'approved') {
      expectTypeOf(session).toEqualTypeOf<ApprovedSession>();
      // @ts-expect-error an approved session keeps no digest
      session.codeHash;
    }
    if (session.status === 'idle') {
      // @ts-expect-error nothing was sent yet, so there is no route
      session.route;
    }
    expectTypeOf<Extract<VerificationSession, { status: 'failed' }>>().toEqualTypeOf<FailedSession>();
    expectTypeOf<ClosedSession['status']>().toEqualTypeOf<Outcome>();
    expectTypeOf<ActiveSession['status']>().toEqualTypeOf<
      'idle' | 'sent' | 'awaiting_push' | 'awaiting_code'
    >();
  });
});

describe('Effect', () => {
  it('carries the plain code only in a deliver by SMS or email', () => {
    if (effect.type === 'deliver' && effect.route === 'sms')
      expectTypeOf(effect.code).toEqualTypeOf<string>();
    if (effect.type === 'deliver' && effect.route === 'email')
      expectTypeOf(effect.code).toEqualTypeOf<string>();
    if (effect.type === 'deliver' && effect.route === 'push') {
      expectTypeOf(effect).toEqualTypeOf<{ type: 'deliver'; route: 'push' }>();
      // @ts-expect-error a push carries no code
      effect.code;
    }
    expectTypeOf<Extract<Effect, { code: string }>>().toEqualTypeOf<{
      type: 'deliver';
      route: 'sms' | 'email';
      code: string;
    }>();
  });

  it('records an outcome, which is a closed status', () => {
    if (effect.type === 'record_outcome') expectTypeOf(effect.outcome).toEqualTypeOf<Outcome>();
    expectTypeOf<Effect['type']>().toEqualTypeOf<'deliver' | 'emit' | 'record_outcome' | 'clear_failures'>();
  });
});

describe('SessionEvent', () => {
  it('hands the plain code to the machine with a send, and only with a send', () => {
    expectTypeOf<Extract<SessionEvent, { type: 'code_sent' }>['code']>().toEqualTypeOf<string>();
    expectTypeOf<Extract<SessionEvent, { type: 'fell_back' }>['code']>().toEqualTypeOf<string>();
    expectTypeOf<Extract<SessionEvent, { code: string }>['type']>().toEqualTypeOf<
      'code_sent' | 'fell_back'
    >();
    // @ts-expect-error a send without its code could not deliver it
    const _missing: SessionEvent = {
      type: 'code_sent',
      now: 0,
      method: 'sms',
      codeMode: 'verify',
      destination: 'd',
      codeHash: 'h',
      expiresAt: 1,
    };
  });
});

describe('transition', () => {
  it('takes a session and an event and returns a TransitionResult', () => {
    expectTypeOf(transition).parameters.toEqualTypeOf<[VerificationSession, SessionEvent]>();
    expectTypeOf(transition).returns.toEqualTypeOf<TransitionResult>();
    expectTypeOf<TransitionResult['check']>().toEqualTypeOf<CodeCheck | null>();
    expectTypeOf<TransitionResult['effects']>().toEqualTypeOf<Effect[]>();
    expectTypeOf<NonNullable<TransitionResult['rejection']>['code']>().toEqualTypeOf<RejectionCode>();
    expectTypeOf(readSession).returns.toEqualTypeOf<VerificationSession>();
  });
});
