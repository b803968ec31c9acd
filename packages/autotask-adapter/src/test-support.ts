// Shared by this package's own tests only (excluded from the published files).
import type { VerificationNote } from '@qdesk/core/ports';
import { afterAll, beforeEach } from 'vitest';
import { type AutotaskAdapterConfig, createAutotaskAdapter, createAutotaskClient } from './index.js';
import {
  type AutotaskFakeServer,
  type AutotaskFakeServerOptions,
  FAKE_CREDENTIALS,
  startAutotaskFake,
} from './testing/index.js';

/**
 * One fake server for a test file, closed after it and put back before each test: no faults, no latency, the
 * default thread limit, no foreign next-page host, an empty request log.
 */
export async function fakeServerForFile(options?: AutotaskFakeServerOptions): Promise<AutotaskFakeServer> {
  const server = await startAutotaskFake(options);
  const fake = server.state;
  afterAll(() => server.close());
  beforeEach(() => {
    fake.clearFaults();
    fake.resetObservations();
    fake.latencyMs = 0;
    fake.threadLimit = { max: 3, status: 500 };
    fake.nextPageOrigin = null;
    fake.impersonation.apiUserMayImpersonate = true;
    fake.impersonation.notImpersonable.clear();
  });
  return server;
}

/** Short backoff steps so retries cost milliseconds, and a fixed jitter (each wait is 3/4 of its step). */
export function fastRetries() {
  return { retry: { maxRetries: 4, baseDelayMs: 2, maxDelayMs: 5_000 }, random: () => 0.5 };
}

/** Adapter settings for a fake server, with fast retries. */
export function fakeConfig(server: AutotaskFakeServer, overrides: Partial<AutotaskAdapterConfig> = {}) {
  return { ...FAKE_CREDENTIALS, zoneDiscoveryUrl: server.url, ...fastRetries(), ...overrides };
}

export const fakeAdapter = (server: AutotaskFakeServer, overrides: Partial<AutotaskAdapterConfig> = {}) =>
  createAutotaskAdapter(fakeConfig(server, overrides));

export const fakeClient = (server: AutotaskFakeServer, overrides: Partial<AutotaskAdapterConfig> = {}) => {
  const { notes: _n, pageSize: _p, ...config } = fakeConfig(server, overrides);
  return createAutotaskClient(config);
};

/** A verification note for tests (by "Tess Technician", without an email, unless `technician` says otherwise). */
export const sampleNote = (
  ticketId: string,
  sessionId: string,
  technician: VerificationNote['technician'] = { id: 'tech-1', name: 'Tess Technician' },
): VerificationNote => ({
  ticketId,
  sessionId,
  outcome: 'approved',
  method: 'sms',
  endUser: { id: 'eu-ana', displayName: 'Ana Silva', email: 'ana.silva@northwind.example' },
  technician,
  at: Date.UTC(2026, 10, 24, 9, 30, 0),
  purpose: 'verify',
  weaker: [],
  override: null,
});

/** Milliseconds between consecutive requests of a fake's log (for checking how long a client waited). */
export const gaps = (requests: ReadonlyArray<{ at: number }>) =>
  requests.slice(1).map((r, i) => r.at - requests[i]!.at);
