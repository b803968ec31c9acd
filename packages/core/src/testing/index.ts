/**
 * `@qdesk/core/testing`: the conformance kit of every port. Run a kit from your own vitest suite against your
 * implementation; each rule is its own test, named after the rule, and a failure says what to fix. Each kit's rules
 * are also exported as data (`sessionStoreRules`...), to run with {@link checkRules} anywhere. `vitest` is an
 * optional peer dependency of `@qdesk/core`, needed only for this entry point.
 *
 * @packageDocumentation
 */

export type { AuditLogConformanceOptions, AuditLogSubject } from './audit-log-conformance.js';
export { auditLogRules, runAuditLogConformance } from './audit-log-conformance.js';
export type { ChannelConformanceOptions, ChannelSubject } from './channel-conformance.js';
export { channelRules, runChannelConformance } from './channel-conformance.js';
export type { DirectoryConformanceOptions, DirectorySubject } from './directory-conformance.js';
export { directoryRules, runDirectoryConformance } from './directory-conformance.js';
export { sampleSession } from './fixtures.js';
export type { KitHarness, KitRule, RuleResult } from './kit.js';
export { checkRules, must, RuleViolation, registerRules } from './kit.js';
export {
  sampleAccountNoticeContext,
  sampleAccountNoticeEmail,
  sampleAccountNoticeSms,
  sampleCodeContext,
  sampleDevice,
  sampleEmailMessage,
  samplePushMessage,
  sampleSmsMessage,
} from './messages.js';
export type { PolicyStoreConformanceOptions, PolicyStoreSubject } from './policy-store-conformance.js';
export { policyStoreRules, runPolicyStoreConformance } from './policy-store-conformance.js';
export type {
  PsaAdapterConformanceOptions,
  PsaAdapterSubject,
  PsaConformanceFixtures,
  PsaFaultHooks,
  PsaStoredNote,
} from './psa-adapter-conformance.js';
export { psaAdapterRules, runPsaAdapterConformance } from './psa-adapter-conformance.js';
export type { RateCounterConformanceOptions, RateCounterSubject } from './rate-counter-conformance.js';
export { rateCounterRules, runRateCounterConformance } from './rate-counter-conformance.js';
export type { SessionStoreConformanceOptions, SessionStoreSubject } from './session-store-conformance.js';
export { runSessionStoreConformance, sessionStoreRules } from './session-store-conformance.js';
