import type { PolicySettings } from '../verifier/policy.js';

/**
 * One stored policy layer: the tenant's default for every customer (`customerId: null`) or one customer's own.
 * @public
 */
export interface PolicyRecord {
  /** The MSP the layer belongs to. */
  tenantId: string;
  /** The customer it applies to, or `null` for the tenant's default layer. */
  customerId: string | null;
  /** 1 for the first write, then incremented on every change; the store's compare-and-set checks it. */
  version: number;
  /** The fields this layer sets (validated by the verifier before it is stored). */
  settings: PolicySettings;
  /** Epoch milliseconds of the last change. */
  updatedAt: number;
  /** The administrator who made the last change. */
  updatedBy: { id: string; name: string };
}

/**
 * Where per-customer verification policies live. The memory store is the default; `@qdesk/store-postgres` keeps
 * them durable. The verifier resolves a session's policy as: its configuration, then the tenant's layer
 * (`customerId: null`), then the customer's layer. Only the verifier's `setPolicy` (an administrator, audited with
 * before and after) should write here.
 *
 * ## Partner guide: write a policy store
 *
 * Declare `specificationVersion: 'v1'`, implement three methods, and run `runPolicyStoreConformance` from
 * `@qdesk/core/testing`.
 * - Tenancy: every method is scoped by `tenantId`; a layer of another tenant reads as missing.
 * - `put` writes only when the stored version equals `expectedVersion` (0: no layer stored yet) and the record's
 *   `version` is `expectedVersion + 1`, atomically; otherwise it returns `false` and changes nothing.
 * - What `get` and `list` return are copies (or frozen).
 * @public
 */
export interface PolicyStore {
  /** The version of this port the implementation follows. */
  readonly specificationVersion: 'v1';
  /** The layer for that customer (or the tenant's default layer for `null`), or `null` when none is stored. */
  get(tenantId: string, customerId: string | null): Promise<PolicyRecord | null>;
  /** Stores a layer with compare-and-set on its version; `false` when another change came first. */
  put(record: PolicyRecord, expectedVersion: number): Promise<boolean>;
  /** Every stored layer of the tenant (any order). */
  list(tenantId: string): Promise<PolicyRecord[]>;
}
