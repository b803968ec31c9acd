import type { MappingStore } from '@qdesk/matching';
import { linkMethods } from './_mapping-links.js';
import { syncMethods } from './_mapping-sync.js';
import type { Database } from './database.js';

/** Options for {@link createPostgresMappingStore}. @public */
export interface PostgresMappingStoreOptions {
  /** Makes up customer ids when `createCustomer` is given none (default `cust_` + a random UUID). */
  newCustomerId?: () => string;
}

/**
 * `@qdesk/matching`'s {@link MappingStore} on PostgreSQL or PGlite: customers, the confirmed links, the PSA records a
 * sync read and its checkpoint, in seven `qdesk_` tables. It is also core's `ContactLinks`: pass it to
 * `createVerifier({ contactLinks })`.
 *
 * Note: a link is one to one through a unique index on each side. A link call inserts with `ON CONFLICT DO NOTHING`
 * and, when that stored nothing, reads what holds the two sides: the same pair answers `created: false`, anything
 * else a `QdeskError` with code `conflict`. Racing writers meet at the indexes, so exactly one wins on any number of
 * instances, and no driver error code is interpreted. `endUserForContact` and `customerForCompany` are one read by
 * primary key each. A sync batch is one statement per kind of record (the batch travels as one JSON array), inside
 * one transaction with its checkpoint; `completeSync` prunes and stores its checkpoint in one transaction too.
 * @example
 * ```ts
 * const store = createPostgresMappingStore(database);
 * const verifier = createVerifier({ secret, directory, psa, contactLinks: store });
 * const sync = createMatchingSync({ psa, store, tenantId: 'msp-1', audit });
 * ```
 * @public
 */
export function createPostgresMappingStore(
  database: Database,
  options: PostgresMappingStoreOptions = {},
): MappingStore {
  const newCustomerId = options.newCustomerId ?? (() => `cust_${globalThis.crypto.randomUUID()}`);
  return {
    specificationVersion: 'v1',
    ...linkMethods(database, newCustomerId),
    ...syncMethods(database),
  };
}
