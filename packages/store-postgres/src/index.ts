/**
 * `@qdesk/store-postgres`: every stateful QDesk port on PostgreSQL or PGlite, one schema and one set of queries for
 * both. Open a database with `createPgDatabase` (`@qdesk/store-postgres/pg`) or `createPgliteDatabase`
 * (`@qdesk/store-postgres/pglite`), run {@link migrate}, then build the stores on it.
 *
 * @packageDocumentation
 */

export type { Database, Queryable, QueryResult } from './database.js';
export type { EventBus } from './event-bus.js';
export { createLocalEventBus, forwardVerifierEvents } from './event-bus.js';
export type { MigrateOptions, MigrationReport } from './migrate.js';
export { migrate, pendingMigrations } from './migrate.js';
export type { PostgresSessionStore, PostgresSessionStoreOptions } from './session-store.js';
export { createPostgresSessionStore } from './session-store.js';
export { createPostgresPolicyStore } from './policy-store.js';
export type { PostgresRateCounter, PostgresRateCounterOptions } from './rate-counter.js';
export { createPostgresRateCounter } from './rate-counter.js';
export type { SignInKind, SignInSession, SignInSessionStore } from './sign-in-sessions.js';
export { createPostgresSignInSessionStore } from './sign-in-sessions.js';
export { createMemorySignInSessionStore } from './sign-in-sessions-memory.js';
