import { type KitHarness, type KitRule, registerRules } from '@qdesk/core/testing';
import type { ScimUserStore, ScimUserStoreInspector } from '../scim-user-store.js';
import { readRules } from './_read-rules.js';
import { writeRules } from './_write-rules.js';

/** What each SCIM user store rule checks: the store, and direct reads of what it stored. @public */
export interface ScimUserStoreSubject {
  /** The store under test. */
  store: ScimUserStore;
  /** Direct reads of the backing system, bypassing the store's methods. */
  inspect: ScimUserStoreInspector;
}

/** Options for {@link runScimUserStoreConformance}. @public */
export interface ScimUserStoreConformanceOptions<Store extends ScimUserStore = ScimUserStore> {
  /** Shown in the suite's title. */
  name: string;
  /** A ready store, called once per rule. Each rule writes under customer ids of its own, so a shared database is fine. */
  create: () => Store | Promise<Store>;
  /** Releases what `create` opened (connections, a schema). */
  cleanup?: (store: Store) => void | Promise<void>;
  /** Reads the backing system directly (plain selects on your table), given the store `create` made. */
  inspect: (store: Store) => ScimUserStoreInspector;
  /** Per-rule timeout in ms (default 20 s). */
  timeoutMs?: number;
}

/**
 * Every rule a {@link ScimUserStore} must follow, as data: {@link runScimUserStoreConformance} registers each as a
 * test; `checkRules` from `@qdesk/core/testing` runs them anywhere. The port has no optional abilities, so no rule is
 * gated by `needs`.
 * @public
 */
export const scimUserStoreRules: readonly KitRule<ScimUserStoreSubject>[] = [...readRules, ...writeRules];

/**
 * The shared test suite every {@link ScimUserStore} must pass, one test per rule; a failure says what to fix. Call it
 * at the top level of a vitest file.
 * @example
 * ```ts
 * runScimUserStoreConformance({
 *   name: 'postgres',
 *   create: () => createPostgresScimUserStore(pool),
 *   inspect: () => ({ user: (c, id) => selectScimUser(pool, c, id), count: (c) => countScimUsers(pool, c) }),
 * });
 * ```
 * @public
 */
export function runScimUserStoreConformance<Store extends ScimUserStore>(
  options: ScimUserStoreConformanceOptions<Store>,
): void {
  const stores = new WeakMap<ScimUserStoreSubject, Store>();
  const harness: KitHarness<ScimUserStoreSubject> = {
    create: async () => {
      const store = await options.create();
      const subject = { store, inspect: options.inspect(store) };
      stores.set(subject, store);
      return subject;
    },
    cleanup: (subject) => options.cleanup?.(stores.get(subject)!),
  };
  registerRules(`ScimUserStore conformance: ${options.name}`, scimUserStoreRules, harness, {
    timeoutMs: options.timeoutMs ?? 20_000,
  });
}
