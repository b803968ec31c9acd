export type { EntraFetch, EntraRetryConfig, EntraSourceConfig, EntraWarning } from './entra-config.js';
export type { EntraSource } from './entra-source.js';
export { createEntraSource } from './entra-source.js';
export type { EntraFailureReason } from './graph-errors.js';
export { isEntraResyncRequired } from './graph-errors.js';
