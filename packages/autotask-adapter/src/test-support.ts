// Shared by this package's own tests only (excluded from the published files).
import { type AutotaskAdapterConfig, createAutotaskAdapter, createAutotaskClient } from './index.js';
import { type AutotaskFakeServer, FAKE_CREDENTIALS } from './testing/index.js';

/** Short waits so retries cost milliseconds; `delays` records every wait asked for. */
export function fastRetries(delays: number[] = []) {
  return {
    retry: { maxRetries: 4, baseDelayMs: 2, maxDelayMs: 5_000 },
    sleep: async (ms: number) => {
      delays.push(ms);
      await new Promise((resolve) => setTimeout(resolve, Math.min(ms, 5)));
    },
    random: () => 0.5,
  };
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

/** A verification note for tests. */
export const sampleNote = (ticketId: string, sessionId: string) => ({
  ticketId,
  sessionId,
  outcome: 'approved' as const,
  outcomeText: 'User Identity Successfully Verified',
  method: 'sms' as const,
  endUser: { id: 'eu-ana', displayName: 'Ana Silva', email: 'ana.silva@northwind.example' },
  technician: { id: 'tech-1', name: 'Tess Technician' },
  at: Date.UTC(2026, 10, 24, 9, 30, 0),
});
