/**
 * `@qdesk/store-postgres/pglite`: the stores on PGlite (`@electric-sql/pglite`, an optional peer dependency):
 * PostgreSQL in this process, persisting to a folder. The embedded default.
 *
 * @packageDocumentation
 */

export type {
  PgliteDatabaseSettings,
  PgliteInstance,
  PgliteQueryable,
  PgliteResults,
} from './database.js';
export { createPgliteDatabase } from './database.js';
