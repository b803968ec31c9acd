/**
 * Conformance kits for partners writing QDesk ports: run them from your own vitest suite against your adapter.
 * `vitest` is an optional peer dependency of `@qdesk/core`, needed only for this entry point.
 *
 * @packageDocumentation
 */

export type { ChannelConformanceOptions } from './channel-conformance.js';
export { runChannelConformance } from './channel-conformance.js';
export { sampleSession } from './fixtures.js';
export type { MappingStoreConformanceOptions } from './mapping-store-conformance.js';
export { runMappingStoreConformance } from './mapping-store-conformance.js';
export type { PsaAdapterConformanceOptions, PsaConformanceFixtures } from './psa-adapter-conformance.js';
export { runPsaAdapterConformance } from './psa-adapter-conformance.js';
export type { SessionStoreConformanceOptions } from './session-store-conformance.js';
export { runSessionStoreConformance } from './session-store-conformance.js';
