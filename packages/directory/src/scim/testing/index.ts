/**
 * `@qdesk/directory/testing`: the conformance kit of the `ScimUserStore` port (needs vitest). Run
 * {@link runScimUserStoreConformance} against a database-backed store; the rules are also data
 * ({@link scimUserStoreRules}) for `checkRules`.
 * @packageDocumentation
 */
export type { ScimUserStoreConformanceOptions, ScimUserStoreSubject } from './scim-user-store-conformance.js';
export { runScimUserStoreConformance, scimUserStoreRules } from './scim-user-store-conformance.js';
