import { createAutotaskAdapter } from '@qdesk/autotask-adapter';
import { FAKE_CREDENTIALS, startAutotaskFake } from '@qdesk/autotask-adapter/testing';
import { runPsaAdapterConformance } from '@qdesk/core/testing';
import { afterAll } from 'vitest';

// Core's PSA suite against the adapter talking HTTP to the local Autotask fake (700 contacts: two pages).
const server = await startAutotaskFake({ contacts: 700 });
afterAll(() => server.close());

runPsaAdapterConformance({
  name: 'autotask',
  create: () => createAutotaskAdapter({ ...FAKE_CREDENTIALS, zoneDiscoveryUrl: server.url }),
  capabilities: { writeNotes: true, listRecords: true },
  fixtures: server.state.fixtures(),
  inspect: { notes: async (ticketId) => server.state.notes(ticketId) },
  faults: server.state.psaFaults,
});

export {};
