/**
 * Deliberately broken policy stores, one mistake each, to show that every policy-store rule can fail and says what
 * to fix. Not exported from the package.
 */
import type { PolicyRecord, PolicyStore } from '../../ports/policy-store.js';

/** The mistake a broken store makes. @internal */
export type PolicyStoreFlaw =
  | 'declares v0'
  | 'answers undefined for a missing layer'
  | 'drops the acceptances'
  | 'skips the version check'
  | 'checks and writes in two steps'
  | 'ignores the customer'
  | 'keeps the caller object';

/** A broken store with a raw read for the kit's `inspect`. @internal */
export interface BrokenPolicyStore extends PolicyStore {
  /** The stored value itself. */
  peek(tenantId: string, customerId: string | null): PolicyRecord | null;
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A store that makes `flaw` and is otherwise correct. @internal */
export function createBrokenPolicyStore(flaw: PolicyStoreFlaw): BrokenPolicyStore {
  const rows = new Map<string, PolicyRecord>();
  const key = (tenantId: string, customerId: string | null) =>
    flaw === 'ignores the customer' ? tenantId : `${tenantId}\u0000${customerId ?? '\u0000tenant'}`;
  return {
    specificationVersion: (flaw === 'declares v0' ? 'v0' : 'v1') as 'v1',
    peek: (tenantId, customerId) => rows.get(key(tenantId, customerId)) ?? null,
    async get(tenantId, customerId) {
      const found = rows.get(key(tenantId, customerId));
      if (!found) return flaw === 'answers undefined for a missing layer' ? (undefined as never) : null;
      return structuredClone(found);
    },
    async put(record, expectedVersion) {
      const stored = rows.get(key(record.tenantId, record.customerId))?.version ?? 0;
      const ok = stored === expectedVersion && record.version === expectedVersion + 1;
      if (!ok && flaw !== 'skips the version check') return false;
      if (flaw === 'checks and writes in two steps') await tick();
      let copy = flaw === 'keeps the caller object' ? record : structuredClone(record);
      if (flaw === 'drops the acceptances')
        copy = { ...copy, settings: { ...copy.settings, riskAcceptances: [] } };
      rows.set(key(record.tenantId, record.customerId), copy);
      return true;
    },
    async list(tenantId) {
      return [...rows.values()].filter((r) => r.tenantId === tenantId).map((r) => structuredClone(r));
    },
  };
}
