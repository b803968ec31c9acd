import type { IdleSession, VerificationSession } from '../machine/session.js';

let counter = 0;

/**
 * A valid idle session for store and adapter tests. Each call gets a fresh id unless `overrides.id` is given.
 * @public
 */
export function sampleSession(overrides: Partial<IdleSession> = {}): VerificationSession {
  counter += 1;
  const now = overrides.createdAt ?? Date.now();
  return {
    id: `sess_test_${process.pid}_${counter}_${Math.floor(now % 1e6)}`,
    version: 1,
    tenantId: 'tenant-test',
    createdAt: now,
    updatedAt: now,
    expiresAt: now + 600_000,
    purpose: 'verify',
    technician: { id: 'tech-1', name: 'Test Technician' },
    customerId: null,
    endUser: { id: 'eu-1', displayName: 'Test User', email: 'test.user@example.com' },
    ticket: { id: '1', number: 'T1', title: 'Test' },
    contactId: null,
    override: null,
    startKey: null,
    requestedMethod: null,
    method: null,
    codeMode: 'verify',
    attempts: 0,
    maxAttempts: 5,
    sends: 0,
    fallbacks: [],
    status: 'idle',
    ...overrides,
  };
}
