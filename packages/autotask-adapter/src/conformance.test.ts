import { runPsaAdapterConformance } from '@qdesk/core/testing';
import { afterAll } from 'vitest';
import { fakeAdapter } from './test-support.js';
import { startAutotaskFake } from './testing/index.js';

// The shared PSA suite, against the adapter talking HTTP to the local Autotask fake (700 contacts: two pages).
const server = await startAutotaskFake({ contacts: 700 });
afterAll(() => server.close());

runPsaAdapterConformance({
  name: 'autotask (HTTP fake)',
  create: () => fakeAdapter(server),
  fixtures: server.state.fixtures(),
  inspect: { notes: async (ticketId) => server.state.notes(ticketId) },
});
