import { type KitHarness, type KitRule, registerRules } from '@qdesk/core/testing';
import type { MappingStore, MappingStoreInspector } from '../mapping-store.js';
import { customerRules } from './_customer-rules.js';
import { keptRules } from './_kept-rules.js';
import { linkRules } from './_link-rules.js';
import { recordRules } from './_record-rules.js';
import { scenarioRules } from './_scenario-rules.js';

/** What each mapping-store rule checks: the store, and direct reads of what it stored. @public */
export interface MappingStoreSubject {
  /** The store under test. */
  store: MappingStore;
  /** Direct reads of the backing system, bypassing the store's methods. */
  inspect: MappingStoreInspector;
}

/** Options for {@link runMappingStoreConformance}. @public */
export interface MappingStoreConformanceOptions<Store extends MappingStore = MappingStore> {
  /** Shown in the suite's title. */
  name: string;
  /**
   * A ready store, called once per rule. Each rule writes under tenant ids of its own, so one shared database is
   * fine; an empty one is not needed.
   */
  create: () => Store | Promise<Store>;
  /** Releases what `create` opened (connections, a schema). */
  cleanup?: (store: Store) => void | Promise<void>;
  /**
   * Reads the backing system directly, bypassing the store's own methods (as Auth.js's adapter tests do): plain
   * selects on your tables. Given the store `create` made, for stores whose rows live inside them (memory).
   */
  inspect: (store: Store) => MappingStoreInspector;
  /** Per-rule timeout in ms (default 20 s). */
  timeoutMs?: number;
}

/**
 * Every rule a {@link MappingStore} must follow, as data: {@link runMappingStoreConformance} registers each as a
 * test; `checkRules` from `@qdesk/core/testing` runs them anywhere. The port has no optional abilities, so no rule
 * is gated by `needs`.
 * @public
 */
export const mappingStoreRules: readonly KitRule<MappingStoreSubject>[] = [
  ...customerRules,
  ...linkRules,
  ...recordRules,
  ...keptRules,
  ...scenarioRules,
];

/**
 * The shared test suite every {@link MappingStore} must pass, one test per rule; a failure says what to fix. Call
 * it at the top level of a vitest file.
 * @example
 * ```ts
 * import { runMappingStoreConformance } from '@qdesk/matching/testing';
 * runMappingStoreConformance({
 *   name: 'postgres',
 *   create: () => createPostgresMappingStore(pool),
 *   inspect: () => ({ contactLink: (tenantId, contactId) => selectContactLink(pool, tenantId, contactId), ... }),
 * });
 * ```
 * @public
 */
export function runMappingStoreConformance<Store extends MappingStore>(
  options: MappingStoreConformanceOptions<Store>,
): void {
  const stores = new WeakMap<MappingStoreSubject, Store>();
  const harness: KitHarness<MappingStoreSubject> = {
    create: async () => {
      const store = await options.create();
      const subject = { store, inspect: options.inspect(store) };
      stores.set(subject, store);
      return subject;
    },
    cleanup: (subject) => options.cleanup?.(stores.get(subject)!),
  };
  registerRules(`MappingStore conformance: ${options.name}`, mappingStoreRules, harness, {
    timeoutMs: options.timeoutMs ?? 20_000,
  });
}
