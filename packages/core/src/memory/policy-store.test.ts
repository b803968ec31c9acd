import { runPolicyStoreConformance } from '../testing/policy-store-conformance.js';
import { createMemoryPolicyStore } from './policy-store.js';

let store = createMemoryPolicyStore();
runPolicyStoreConformance({
  name: 'memory',
  create: () => {
    store = createMemoryPolicyStore();
    return store;
  },
  // The memory store has no backing system beyond its own map: its get() is the raw read.
  inspect: { layer: (tenantId, customerId) => store.get(tenantId, customerId) },
});
