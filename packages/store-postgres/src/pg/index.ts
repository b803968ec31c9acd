/**
 * `@qdesk/store-postgres/pg`: the stores on PostgreSQL through node-postgres (`pg`, an optional peer dependency),
 * and the event bus that carries verifier events between app instances with LISTEN/NOTIFY.
 *
 * @packageDocumentation
 */

export type { PgDatabaseSettings } from './database.js';
export { createPgDatabase } from './database.js';
export type { PgEventBusSettings } from './event-bus.js';
export { createPgEventBus } from './event-bus.js';
