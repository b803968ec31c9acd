/**
 * `@qdesk/matching/testing`: the mapping store conformance kit. Run it from your own vitest suite against your
 * store; each rule is its own test, named after the rule, and a failure says what to fix. `vitest` is an optional
 * peer dependency, needed only for this entry point.
 *
 * @packageDocumentation
 */

export type { MappingStoreInspector } from '../mapping-store.js';
export type { MappingStoreConformanceOptions, MappingStoreSubject } from './mapping-store-conformance.js';
export { mappingStoreRules, runMappingStoreConformance } from './mapping-store-conformance.js';
