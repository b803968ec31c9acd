/**
 * `@qdesk/core/testing`: the conformance kit of every port. Run a kit from your own vitest suite against your
 * implementation; each rule is its own test, named after the rule, and a failure says what to fix. `vitest` is an
 * optional peer dependency of `@qdesk/core`, needed only for this entry point.
 *
 * @packageDocumentation
 */

export { sampleSession } from './fixtures.js';
export type { KitHarness, KitRule, RuleResult } from './kit.js';
export { checkRules, must, RuleViolation, registerRules } from './kit.js';
export type { SessionStoreConformanceOptions, SessionStoreSubject } from './session-store-conformance.js';
export { runSessionStoreConformance, sessionStoreRules } from './session-store-conformance.js';
