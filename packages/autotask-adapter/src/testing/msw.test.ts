import { runPsaAdapterConformance } from '@qdesk/core/testing';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll } from 'vitest';
import { createAutotaskAdapter } from '../adapter.js';
import { fastRetries } from '../test-support.js';
import { createAutotaskFake, createAutotaskMswHandlers, FAKE_CREDENTIALS } from './index.js';

// The same fake behind msw, on Autotask's real host names: the suite passes there too.
const fake = createAutotaskFake({ contacts: 600, seed: 3 });
const msw = setupServer(...createAutotaskMswHandlers(fake));
beforeAll(() => msw.listen({ onUnhandledRequest: 'error' }));
afterAll(() => msw.close());

runPsaAdapterConformance({
  name: 'autotask (msw fake)',
  create: () => createAutotaskAdapter({ ...FAKE_CREDENTIALS, ...fastRetries() }),
  fixtures: fake.fixtures(),
  inspect: { notes: async (ticketId) => fake.notes(ticketId) },
});
