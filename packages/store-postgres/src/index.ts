/**
 * `@qdesk/store-postgres`: every stateful QDesk port on PostgreSQL or PGlite, one schema and one set of queries for
 * both. Open a database with `createPgDatabase` (`@qdesk/store-postgres/pg`) or `createPgliteDatabase`
 * (`@qdesk/store-postgres/pglite`), run {@link migrate}, then build the stores on it.
 *
 * @packageDocumentation
 */

export { auditGenesisHash, canonicalAuditRecord, hashAuditRecord } from './audit-canonical.js';
export type {
  AuditChainProblem,
  AuditChainProblemKind,
  AuditChainReport,
  AuditCheckpoint,
  AuditVerifyProgress,
  VerifyAllAuditChainsOptions,
  VerifyAuditChainOptions,
} from './audit-chain.js';
export { verifyAllAuditChains, verifyAuditChain } from './audit-chain.js';
export type {
  AuditExportLine,
  AuditExportSummary,
  ExportAuditOptions,
  VerifyExportedLinesOptions,
} from './audit-export.js';
export { exportAudit, verifyExportedLines } from './audit-export.js';
export type { PostgresAuditLog } from './audit-log.js';
export { createPostgresAuditLog } from './audit-log.js';
export type { Database, Queryable, QueryResult } from './database.js';
export type { PostgresDirectory } from './directory.js';
export { createPostgresDirectory } from './directory.js';
export type {
  DirectorySyncKey,
  DirectorySyncLease,
  DirectorySyncLeaseRequest,
  DirectorySyncRecord,
  DirectorySyncSourceKind,
  DirectorySyncStateStore,
} from './directory-sync-state.js';
export { createPostgresDirectorySyncStateStore } from './directory-sync-state.js';
export type { EventBus } from './event-bus.js';
export { createLocalEventBus, forwardVerifierEvents } from './event-bus.js';
export type { PostgresMappingStoreOptions } from './mapping-store.js';
export { createPostgresMappingStore } from './mapping-store.js';
export type { MigrateOptions, MigrationReport } from './migrate.js';
export { migrate, pendingMigrations } from './migrate.js';
export { createPostgresPolicyStore } from './policy-store.js';
export type { PostgresRateCounter, PostgresRateCounterOptions } from './rate-counter.js';
export { createPostgresRateCounter } from './rate-counter.js';
export type { PostgresSessionStore, PostgresSessionStoreOptions } from './session-store.js';
export { createPostgresSessionStore } from './session-store.js';
export type { SignInKind, SignInSession, SignInSessionStore } from './sign-in-sessions.js';
export { createPostgresSignInSessionStore } from './sign-in-sessions.js';
export { createMemorySignInSessionStore } from './sign-in-sessions-memory.js';
export type { PostgresStores, PostgresStoresOptions } from './stores.js';
export { createPostgresStores } from './stores.js';
