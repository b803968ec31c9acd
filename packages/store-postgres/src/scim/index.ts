/**
 * `@qdesk/store-postgres/scim`: the SCIM user store of `@qdesk/directory` (an optional peer) on PostgreSQL or PGlite,
 * in the table migration `0009-scim-users` creates.
 *
 * @packageDocumentation
 */

export type { PostgresScimUserStore } from './scim-users.js';
export { createPostgresScimUserStore } from './scim-users.js';
