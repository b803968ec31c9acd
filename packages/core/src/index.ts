/**
 * `@qdesk/core`: prove that the caller on a helpdesk ticket is the end-user named on it.
 *
 * The root entry holds what an app needs: {@link createVerifier} and its results, the port interfaces it is
 * composed from, the domain types, the errors and the events. The rest lives on subpaths:
 * - `@qdesk/core/ports`: everything a port implementation needs (each port is a partner guide), with the records
 *   and messages they exchange and helpers for writing one;
 * - `@qdesk/core/machine`: the pure state machine (`transition`) and the session states;
 * - `@qdesk/core/memory`: memory implementations of every port (the embedded defaults), clocks and demo data;
 * - `@qdesk/core/testing`: the conformance kit of every port (needs vitest).
 *
 * @packageDocumentation
 */

// Account notices (no code): a sign-in link, a device added
export { accountNoticeEmail, accountNoticeMessages, accountNoticeSms } from './account-notice.js';
// Errors
export type { FieldIssue, QdeskErrorCode } from './errors.js';
export {
  AdapterError,
  AuthenticationError,
  ConfigError,
  ForbiddenError,
  InputError,
  isQdeskError,
  NotFoundError,
  PreconditionError,
  QdeskError,
  RateLimitError,
  TransitionError,
} from './errors.js';
// Events
export type { VerifierEvent, VerifierEventMap, VerifierEventName, VerifierEvents } from './events.js';
export { VERIFIER_EVENT_NAMES } from './events.js';
export {
  OUTCOME_REASON_TEXT,
  OUTCOME_TEXT,
  type OutcomeReason,
  outcomeReasonOf,
  REVERSE_OUTCOME_TEXT,
} from './note.js';
// Ports
export type { AuditLog, AuditRecord } from './ports/audit-log.js';
export type { AccountNoticeContext, Channel, DeliveryStatusReport } from './ports/channel.js';
export type { ContactLinks } from './ports/contact-links.js';
export type { EndUserDirectory } from './ports/directory.js';
export type { PolicyRecord, PolicyStore } from './ports/policy-store.js';
export type { PsaAdapter } from './ports/psa.js';
export type { RateCounter } from './ports/rate-counter.js';
export type { Clock, Random } from './ports/runtime.js';
export type { SessionStore } from './ports/session-store.js';
// Domain
export type {
  Actor,
  CodeMode,
  ContactProvenance,
  ContactSource,
  Device,
  EndUser,
  Method,
  Outcome,
  Route,
  TicketRef,
} from './types.js';
export { CONTACT_SOURCES, METHODS } from './types.js';
// The verifier
export type { VerifierConfig } from './verifier/config.js';
export type { Verifier } from './verifier/create-verifier.js';
export { createVerifier } from './verifier/create-verifier.js';
export type { PolicyChange, PolicyView } from './verifier/operations/admin.js';
export type { DeviceAnswer, DeviceAnswerResult } from './verifier/operations/answer-from-device.js';
export type { CheckCodeResult } from './verifier/operations/check-code.js';
export type { GrantCheck, GrantRequest, ResetGrant } from './verifier/operations/grants.js';
export type { ChallengeState, PendingChallenge } from './verifier/operations/pending-challenges.js';
export type { SendResult } from './verifier/operations/send.js';
export type { EndUserSummary, StartOptions, StartResult, TicketLookup } from './verifier/operations/start.js';
export type { SweepResult } from './verifier/operations/sweep.js';
export type {
  PolicySettings,
  RiskAcceptance,
  VerificationPolicy,
  WeakerChoice,
} from './verifier/policy.js';
export { DEFAULT_POLICY, WEAKER_CHOICES, weakerChoiceText } from './verifier/policy.js';
export type { MethodAvailability } from './verifier/routes.js';
export { contactSourceText } from './verifier/routes.js';
export type { SessionSnapshot } from './verifier/snapshot.js';
