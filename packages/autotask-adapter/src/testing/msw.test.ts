import { runPsaAdapterConformance } from '@qdesk/core/testing';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll } from 'vitest';
import { createAutotaskAdapter } from '../adapter.js';
import { fastRetries } from '../test-support.js';
import { createAutotaskFake, FAKE_CREDENTIALS } from './index.js';
import { createAutotaskMswHandlers } from './msw.js';

// The same fake behind msw, on Autotask's real host names: the suite passes there too, faults included (a dropped
// connection is msw's network error).
const fake = createAutotaskFake({ contacts: 600, seed: 3 });
const msw = setupServer(...createAutotaskMswHandlers(fake));
beforeAll(() => msw.listen({ onUnhandledRequest: 'error' }));
afterAll(() => msw.close());

runPsaAdapterConformance({
  name: 'autotask (msw fake)',
  create: () => createAutotaskAdapter({ ...FAKE_CREDENTIALS, ...fastRetries() }),
  capabilities: { writeNotes: true, listRecords: true },
  fixtures: fake.fixtures(),
  inspect: { notes: async (ticketId) => fake.notes(ticketId) },
  faults: fake.psaFaults,
});
