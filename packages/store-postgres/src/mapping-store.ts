import type { MappingStore } from '@qdesk/matching';
import { linkMethods } from './_mapping-links.js';
import { matchMethods } from './_mapping-matches.js';
import { pageMethods } from './_mapping-pages.js';
import { syncMethods } from './_mapping-sync.js';
import type { Database } from './database.js';

/** Options for {@link createPostgresMappingStore}. @public */
export interface PostgresMappingStoreOptions {
  /** Makes up customer ids when `createCustomer` is given none (default `cust_` + a random UUID). */
  newCustomerId?: () => string;
}

/**
 * `@qdesk/matching`'s {@link MappingStore} on PostgreSQL or PGlite: customers, the confirmed links, the PSA records a
 * sync read (with their match keys, status and kept suggestions) and its checkpoint, the end-users kept for matching,
 * and the counts of the matching lists, in nine `qdesk_` tables. It is also core's `ContactLinks`: pass it to
 * `createVerifier({ contactLinks })`.
 *
 * Note: a link is one to one through a unique index on each side. A link call inserts with `ON CONFLICT DO NOTHING`
 * and, when that stored nothing, reads what holds the two sides: the same pair answers `created: false`, anything
 * else a `QdeskError` with code `conflict`. Racing writers meet at the indexes, so exactly one wins on any number of
 * instances, and no driver error code is interpreted. The same statement marks the linked record matched (an unlink,
 * suggested or unmatched again). `endUserForContact` and `customerForCompany` are one read by primary key each. A
 * sync batch is one statement per kind of record (the batch travels as one JSON array, with the keys computed in
 * JS), inside one transaction with its checkpoint; `completeSync` prunes and stores its checkpoint in one
 * transaction too; `replaceSuggestions` is one statement per kind however many suggestions. A page of the matching
 * lists is a keyset read on the order key (`COLLATE "C"`); its counts come from `qdesk_match_counts`, which
 * statement-level triggers keep with one grouped upsert per statement.
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
    ...matchMethods(database),
    ...pageMethods(database),
  };
}
