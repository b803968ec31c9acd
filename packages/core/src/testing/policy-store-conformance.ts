import type { PolicyRecord, PolicyStore } from '../ports/policy-store.js';
import { firstDifference, unique } from './_helpers.js';
import { type KitHarness, type KitRule, must, registerRules } from './kit.js';

/** Options for {@link runPolicyStoreConformance}. @public */
export interface PolicyStoreConformanceOptions {
  /** Shown in the suite's title. */
  name: string;
  /** A ready store (called once per rule). Rules use fresh tenant ids, so a shared backend needs no wiping. */
  create: () => PolicyStore | Promise<PolicyStore>;
  /** Releases the store (close connections). */
  cleanup?: (store: PolicyStore) => void | Promise<void>;
  /** Reads the backing system directly, bypassing the store's own methods. */
  inspect: {
    /** The layer as stored (its version and settings), or `null`. */
    layer(tenantId: string, customerId: string | null): Promise<PolicyRecord | null>;
  };
  /** Per-rule timeout in ms (default 20 s). */
  timeoutMs?: number;
}

/** The subject each policy-store rule checks. @public */
export interface PolicyStoreSubject {
  /** The store under test. */
  store: PolicyStore;
  /** Direct reads of the backing system. */
  inspect: PolicyStoreConformanceOptions['inspect'];
}

const AT = Date.UTC(2026, 0, 1);
const layer = (tenantId: string, customerId: string | null, version = 1, maxAttempts = 3): PolicyRecord => ({
  tenantId,
  customerId,
  version,
  settings: {
    maxAttempts,
    methods: ['number_match', 'push', 'sms'],
    riskAcceptances: [
      {
        choice: 'push',
        acceptedBy: { id: 'admin-kit', name: 'Kit Admin' },
        acceptedAt: AT,
        reason: 'kit sample',
      },
    ],
  },
  updatedAt: AT,
  updatedBy: { id: 'admin-kit', name: 'Kit Admin' },
});

/**
 * Every rule a {@link PolicyStore} must follow, as data: {@link runPolicyStoreConformance} registers each as a test;
 * `checkRules` runs them anywhere.
 * @public
 */
export const policyStoreRules: readonly KitRule<PolicyStoreSubject>[] = [
  {
    name: 'declares specificationVersion v1',
    async check({ store }) {
      must(
        store.specificationVersion === 'v1',
        `specificationVersion is ${JSON.stringify(store.specificationVersion)}; set it to 'v1'.`,
      );
    },
  },
  {
    name: 'reads null for a layer never stored',
    async check({ store }) {
      const tenant = unique('tenant');
      for (const customerId of [null, 'cust-1']) {
        const read = await store.get(tenant, customerId);
        must(read === null, `get() of a layer never stored returned ${JSON.stringify(read)}; return null.`);
      }
      const listed = await store.list(tenant);
      must(Array.isArray(listed) && listed.length === 0, 'list() of a new tenant must return [].');
    },
  },
  {
    name: 'put on version 0 stores the layer exactly as given, and get and list read it back',
    async check({ store, inspect }) {
      const tenant = unique('tenant');
      const record = layer(tenant, 'cust-1');
      must(
        (await store.put(record, 0)) === true,
        'put() of a new layer with expectedVersion 0 must return true.',
      );
      const difference = firstDifference(record, await store.get(tenant, 'cust-1'));
      must(difference === null, `get() must return the layer as stored, every field equal; ${difference}.`);
      must(
        (await inspect.layer(tenant, 'cust-1'))?.version === 1,
        'the backing system must hold the stored layer (inspect found none, or another version).',
      );
      const listed = await store.list(tenant);
      must(
        listed.length === 1 && firstDifference(record, listed[0]) === null,
        `list() returned ${listed.length} layers after one put(); list each stored layer once, as stored.`,
      );
    },
  },
  {
    name: 'put writes only on the expected version, and only the next version',
    async check({ store, inspect }) {
      const tenant = unique('tenant');
      await store.put(layer(tenant, null), 0);
      const stale = await store.put(layer(tenant, null, 1, 7), 0);
      must(
        stale === false,
        'put() with expectedVersion 0 over a stored layer must return false (a lost update).',
      );
      const skipped = await store.put(layer(tenant, null, 3, 7), 1);
      must(
        skipped === false,
        'put() of version 3 on expected version 1 must return false; the next version is 2.',
      );
      must(
        (await inspect.layer(tenant, null))?.settings.maxAttempts === 3,
        'a refused put() changed the stored layer; leave it as it was.',
      );
      must(
        (await store.put(layer(tenant, null, 2, 7), 1)) === true,
        'put() of version 2 on version 1 must succeed.',
      );
    },
  },
  {
    name: 'exactly one of many racing writers on one version wins',
    async check({ store, inspect }) {
      const tenant = unique('tenant');
      await store.put(layer(tenant, 'cust-1'), 0);
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) => store.put(layer(tenant, 'cust-1', 2, i + 1), 1)),
      );
      const winners = results.filter(Boolean).length;
      must(
        winners === 1,
        `${winners} of 30 concurrent put() calls on version 1 won; make the version check and the write one atomic step.`,
      );
      must(
        (await inspect.layer(tenant, 'cust-1'))?.settings.maxAttempts === results.indexOf(true) + 1,
        'the stored layer is not the one whose put() won.',
      );
    },
  },
  {
    name: "the tenant's layer, each customer's layer and each tenant are kept apart",
    async check({ store }) {
      const a = unique('tenant-a');
      const b = unique('tenant-b');
      await store.put(layer(a, null, 1, 2), 0);
      await store.put(layer(a, 'cust-1', 1, 4), 0);
      must(
        (await store.get(a, null))?.settings.maxAttempts === 2 &&
          (await store.get(a, 'cust-1'))?.settings.maxAttempts === 4,
        "the tenant's layer and a customer's layer read back mixed up; key a layer by tenant and customer (null for the tenant).",
      );
      must(
        (await store.get(b, 'cust-1')) === null,
        "another tenant's layer read as this tenant's; scope by tenant.",
      );
      must((await store.list(b)).length === 0, "list() of another tenant listed this tenant's layers.");
      must(
        (await store.get(a, '')) === null,
        'a customer id of "" read the tenant layer; null and "" are different.',
      );
    },
  },
  {
    name: 'a read is a copy, and a write is a copy',
    async check({ store, inspect }) {
      const tenant = unique('tenant');
      const record = layer(tenant, 'cust-1');
      await store.put(record, 0);
      record.settings.maxAttempts = 9;
      must(
        (await inspect.layer(tenant, 'cust-1'))?.settings.maxAttempts === 3,
        'changing the object given to put() changed the stored layer; copy it when writing.',
      );
      const read = await store.get(tenant, 'cust-1');
      try {
        if (read) read.settings.maxAttempts = 8;
      } catch {
        // A frozen read is fine.
      }
      must(
        (await store.get(tenant, 'cust-1'))?.settings.maxAttempts === 3,
        'changing what get() returned changed the store; hand out a copy (or a frozen value).',
      );
    },
  },
];

/**
 * The shared test suite every {@link PolicyStore} must pass, one test per rule. Call it at the top level of a vitest
 * file.
 * @example
 * ```ts
 * import { runPolicyStoreConformance } from '@qdesk/core/testing';
 * runPolicyStoreConformance({
 *   name: 'postgres',
 *   create: () => createPostgresPolicyStore(pool),
 *   inspect: { layer: (tenantId, customerId) => readPolicyRow(pool, tenantId, customerId) },
 * });
 * ```
 * @public
 */
export function runPolicyStoreConformance(options: PolicyStoreConformanceOptions): void {
  registerRules(`PolicyStore conformance: ${options.name}`, policyStoreRules, policyStoreHarness(options), {
    timeoutMs: options.timeoutMs ?? 20_000,
  });
}

/** The harness {@link runPolicyStoreConformance} runs the rules with: one fresh store per rule. @internal */
export function policyStoreHarness(options: PolicyStoreConformanceOptions): KitHarness<PolicyStoreSubject> {
  return {
    create: async () => ({ store: await options.create(), inspect: options.inspect }),
    cleanup: (subject) => options.cleanup?.(subject.store),
  };
}
