import { describe, expectTypeOf, it } from 'vitest';
import {
  type AdapterError,
  type AuthenticationError,
  ConfigError,
  type InputError,
  type NotFoundError,
  PreconditionError,
  type QdeskError,
  type QdeskErrorCode,
  type RateLimitError,
  type TransitionError,
} from './errors.js';

// Type tests: vitest type-checks this file, it never runs.

describe('error classes', () => {
  it('name themselves with a literal, so a caller can branch on `name`', () => {
    expectTypeOf<ConfigError['name']>().toEqualTypeOf<'ConfigError'>();
    expectTypeOf<InputError['name']>().toEqualTypeOf<'InputError'>();
    expectTypeOf<PreconditionError['name']>().toEqualTypeOf<'PreconditionError'>();
    expectTypeOf<NotFoundError['name']>().toEqualTypeOf<'NotFoundError'>();
    expectTypeOf<TransitionError['name']>().toEqualTypeOf<'TransitionError'>();
    expectTypeOf<RateLimitError['name']>().toEqualTypeOf<'RateLimitError'>();
    expectTypeOf<AuthenticationError['name']>().toEqualTypeOf<'AuthenticationError'>();
    expectTypeOf<AdapterError['name']>().toEqualTypeOf<'AdapterError'>();
    expectTypeOf<QdeskError['name']>().toEqualTypeOf<string>();
  });

  it('narrow `code` to the codes each class raises', () => {
    expectTypeOf<PreconditionError['code']>().toEqualTypeOf<
      | 'ticket_missing_company'
      | 'ticket_missing_contact'
      | 'contact_missing_email'
      | 'contact_not_on_ticket_company'
      | 'end_user_not_on_ticket_customer'
      | 'verification_in_progress'
      | 'not_verified'
      | 'end_user_not_found'
      | 'method_unavailable'
      | 'no_delivery_route'
      | 'psa_unavailable'
    >();
    expectTypeOf<NotFoundError['code']>().toEqualTypeOf<
      'session_not_found' | 'ticket_not_found' | 'contact_not_found' | 'end_user_not_found'
    >();
    expectTypeOf<TransitionError['code']>().toEqualTypeOf<
      'invalid_transition' | 'session_closed' | 'session_expired' | 'conflict'
    >();
    expectTypeOf<RateLimitError['code']>().toEqualTypeOf<'rate_limited' | 'end_user_locked'>();
    expectTypeOf<QdeskError['code']>().toEqualTypeOf<QdeskErrorCode>();
    // @ts-expect-error a precondition error cannot carry a rate-limit code
    new PreconditionError('x', { code: 'rate_limited' });
  });

  it('take (message, options) and keep the context', () => {
    expectTypeOf(ConfigError.fromIssues).returns.toEqualTypeOf<ConfigError>();
    expectTypeOf<RateLimitError['retryAfterMs']>().toEqualTypeOf<number | null>();
    expectTypeOf<AdapterError>().toHaveProperty('port').toBeString();
    expectTypeOf<ConfigError>().toExtend<QdeskError>();
    expectTypeOf<QdeskError>().toExtend<Error>();
  });
});
