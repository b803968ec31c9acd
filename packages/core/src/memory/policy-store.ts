import { freezeCopy } from '../internal/immutable.js';
import type { PolicyRecord, PolicyStore } from '../ports/policy-store.js';

/**
 * In-process {@link PolicyStore}: the embedded default and the reference for `runPolicyStoreConformance`. Records
 * are copied once when written and handed out deeply frozen.
 * @public
 */
export function createMemoryPolicyStore(): PolicyStore {
  const layers = new Map<string, PolicyRecord>();
  const key = (tenantId: string, customerId: string | null) =>
    `${tenantId}\u0000${customerId === null ? '' : `c:${customerId}`}`;
  return {
    specificationVersion: 'v1',
    async get(tenantId, customerId) {
      return layers.get(key(tenantId, customerId)) ?? null;
    },
    async put(record, expectedVersion) {
      const id = key(record.tenantId, record.customerId);
      const stored = layers.get(id)?.version ?? 0;
      if (stored !== expectedVersion || record.version !== expectedVersion + 1) return false;
      layers.set(id, freezeCopy(record));
      return true;
    },
    async list(tenantId) {
      return [...layers.values()].filter((r) => r.tenantId === tenantId);
    },
  };
}
