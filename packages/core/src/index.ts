/**
 * `@qdesk/core`: prove that the caller on a helpdesk ticket is the end-user named on it.
 *
 * The root entry holds what an app and a port author need: {@link createVerifier} and its results, the ports
 * (each a partner guide), the domain types, the errors and the events. The rest lives on subpaths:
 * - `@qdesk/core/machine`: the pure state machine (`transition`) and the session states;
 * - `@qdesk/core/memory`: memory implementations of every port (the embedded defaults), clocks and demo data;
 * - `@qdesk/core/testing`: the conformance kit of every port (needs vitest).
 *
 * @packageDocumentation
 */

// Errors
export type { FieldIssue, QdeskErrorCode } from './errors.js';
export {
  AdapterError,
  AuthenticationError,
  ConfigError,
  fieldIssues,
  InputError,
  isQdeskError,
  NotFoundError,
  PreconditionError,
  QdeskError,
  RateLimitError,
  TransitionError,
} from './errors.js';
// Events
export type { VerifierEventMap, VerifierEventName, VerifierEvents } from './events.js';
export { VERIFIER_EVENT_NAMES } from './events.js';
export type { VerificationNote } from './note.js';
export { formatVerificationNote, OUTCOME_TEXT, verificationNoteMarker } from './note.js';
// Ports
export type { AuditLog, AuditQuery, AuditRecord } from './ports/audit-log.js';
export type {
  Channel,
  CodeMessageContext,
  DeliveryResult,
  DeliveryStatusReport,
  EmailMessage,
  FailureScope,
  OutboundMessage,
  PushMessage,
  SmsMessage,
} from './ports/channel.js';
export type { ContactLinks } from './ports/contact-links.js';
export type { EndUserDirectory } from './ports/directory.js';
export type { ListOptions, PsaAdapter, PsaCompany, PsaContact, TicketContext } from './ports/psa.js';
export type { RateCounter } from './ports/rate-counter.js';
export type { Clock, Random } from './ports/runtime.js';
export type { SessionStore } from './ports/session-store.js';
// Helpers for port implementations
export { parseRetryAfter } from './retry-after.js';
// Domain
export type {
  Actor,
  CodeMode,
  Device,
  DevicePlatform,
  EndUser,
  Method,
  NotificationPermission,
  Outcome,
  Route,
  TicketRef,
} from './types.js';
export { METHODS } from './types.js';
// The verifier
export type { VerificationPolicy, VerifierConfig } from './verifier/config.js';
export type { Verifier } from './verifier/create-verifier.js';
export { createVerifier } from './verifier/create-verifier.js';
export type { DeviceAnswer, DeviceAnswerResult } from './verifier/operations/answer-from-device.js';
export type { CheckCodeResult } from './verifier/operations/check-code.js';
export type { PendingChallenge } from './verifier/operations/pending-challenges.js';
export type { SendResult } from './verifier/operations/send.js';
export type { EndUserSummary, StartResult, TicketLookup } from './verifier/operations/start.js';
export type { MethodAvailability } from './verifier/routes.js';
export type { SessionSnapshot } from './verifier/snapshot.js';
