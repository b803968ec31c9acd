import { runSessionStoreConformance } from '../testing/session-store-conformance.js';
import { createMemorySessionStore, type MemorySessionStore } from './session-store.js';

let store: MemorySessionStore;
runSessionStoreConformance({
  name: 'memory',
  create: () => {
    store = createMemorySessionStore();
    return store;
  },
  inspect: { session: async (tenantId, sessionId) => store.peek(tenantId, sessionId) },
});
