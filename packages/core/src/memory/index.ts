/**
 * `@qdesk/core/memory`: in-process implementations of every port. They are the embedded defaults `createVerifier`
 * uses when a port is not given, and the reference each conformance kit runs against. Single process only: for
 * several app instances or state that survives a restart, use `@qdesk/store-postgres`.
 *
 * @packageDocumentation
 */

export type { DemoCustomer, DemoData } from '../demo/data.js';
export { createDemoData } from '../demo/data.js';
export { freezeCopy } from '../internal/immutable.js';
export type { MemoryAuditLog } from './audit-log.js';
export { createMemoryAuditLog } from './audit-log.js';
export type { MemoryDirectory } from './directory.js';
export { createMemoryDirectory } from './directory.js';
export type { OutboxChannel, OutboxEntry } from './outbox-channel.js';
export { createOutboxChannel } from './outbox-channel.js';
export { createMemoryPolicyStore } from './policy-store.js';
export type { MemoryNote, MemoryPsa, MemoryPsaData, MemoryPsaFault, MemoryTicket } from './psa.js';
export { createMemoryPsa } from './psa.js';
export type { MemoryRateCounter } from './rate-counter.js';
export { createMemoryRateCounter } from './rate-counter.js';
export type { ManualClock } from './runtime.js';
export { createManualClock, cryptoRandom, systemClock } from './runtime.js';
export type { MemorySessionStore, MemorySessionStoreOptions } from './session-store.js';
export { createMemorySessionStore } from './session-store.js';
