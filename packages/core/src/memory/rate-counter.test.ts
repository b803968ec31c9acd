import { runRateCounterConformance } from '../testing/rate-counter-conformance.js';
import { createMemoryRateCounter, type MemoryRateCounter } from './rate-counter.js';

let counter: MemoryRateCounter;
runRateCounterConformance({
  name: 'memory',
  create: () => {
    counter = createMemoryRateCounter();
    return counter;
  },
  inspect: { hits: async (tenantId, key) => counter.peek(tenantId, key).length },
});
