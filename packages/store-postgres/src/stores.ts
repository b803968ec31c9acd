import type { PolicyStore } from '@qdesk/core';
import type { MappingStore } from '@qdesk/matching';
import { createPostgresAuditLog, type PostgresAuditLog } from './audit-log.js';
import type { Database } from './database.js';
import { createPostgresDirectory, type PostgresDirectory } from './directory.js';
import {
  createPostgresDirectorySyncStateStore,
  type DirectorySyncStateStore,
} from './directory-sync-state.js';
import { createPostgresMappingStore } from './mapping-store.js';
import { createPostgresPolicyStore } from './policy-store.js';
import { createPostgresRateCounter, type PostgresRateCounter } from './rate-counter.js';
import { createPostgresSessionStore, type PostgresSessionStore } from './session-store.js';
import { createPostgresSignInSessionStore, type SignInSessionStore } from './sign-in-sessions.js';

/** Every store of this package on one database: what {@link createPostgresStores} returns. @public */
export interface PostgresStores {
  /** Verification sessions (`createVerifier({ store })`). */
  sessions: PostgresSessionStore;
  /** Send, push and failure limits (`createVerifier({ counters })`). */
  counters: PostgresRateCounter;
  /** The hash-chained audit trail (`createVerifier({ audit })`). */
  audit: PostgresAuditLog;
  /** Per-customer policies (`createVerifier({ policies })`). */
  policies: PolicyStore;
  /** End-users and their devices (`createVerifier({ directory })`). */
  directory: PostgresDirectory;
  /** Customers and confirmed links (`createVerifier({ contactLinks })`, and `@qdesk/matching`'s operations). */
  mappings: MappingStore;
  /** Sign-in sessions of an app's technicians and end-users. */
  signIns: SignInSessionStore;
  /** Where each customer's directory sync (Entra ID, Active Directory) stands, and who is running it. */
  directorySyncs: DirectorySyncStateStore;
}

/** Options for {@link createPostgresStores}. @public */
export interface PostgresStoresOptions {
  /** The clock retention is read against (default `Date.now`); give the verifier's clock when tests move it. */
  now?: () => number;
}

/**
 * Every store on one database, migrated or not (run {@link migrate} first). Hand them to `createVerifier` and to
 * `@qdesk/matching`'s operations; several app instances on one PostgreSQL database share everything they hold.
 * @example
 * ```ts
 * const database = createPgDatabase({ connectionString: process.env.DATABASE_URL! });
 * await migrate(database);
 * const { sessions, counters, audit, policies, directory, mappings } = createPostgresStores(database);
 * const verifier = createVerifier({
 *   secret, psa, directory, contactLinks: mappings, store: sessions, counters, audit, policies,
 * });
 * ```
 * @public
 */
export function createPostgresStores(
  database: Database,
  options: PostgresStoresOptions = {},
): PostgresStores {
  return {
    sessions: createPostgresSessionStore(database, options.now ? { now: options.now } : {}),
    counters: createPostgresRateCounter(database),
    audit: createPostgresAuditLog(database),
    policies: createPostgresPolicyStore(database),
    directory: createPostgresDirectory(database),
    mappings: createPostgresMappingStore(database),
    signIns: createPostgresSignInSessionStore(database),
    directorySyncs: createPostgresDirectorySyncStateStore(database),
  };
}
