/**
 * `@qdesk/core`: prove that the caller on a helpdesk ticket is the end-user named on it.
 *
 * A pure state machine ({@link transition}), a verifier service ({@link createVerifier}) that runs it over pluggable
 * ports, memory defaults for every port, and demo data so a newcomer can run a complete verification with no account
 * anywhere.
 *
 * @packageDocumentation
 */

export type { DemoData } from './demo/data.js';
// Demo data
export { createDemoData } from './demo/data.js';
export type { FieldIssue, QdeskErrorCode, QdeskErrorOptions } from './errors.js';
// Errors
export {
  AdapterError,
  AuthenticationError,
  ConfigError,
  InputError,
  isQdeskError,
  NotFoundError,
  PreconditionError,
  QdeskError,
  RateLimitError,
  TransitionError,
} from './errors.js';
export type {
  EmittedEvent,
  VerifierEventBase,
  VerifierEventMap,
  VerifierEventName,
  VerifierEvents,
} from './events.js';
// Events
export { VERIFIER_EVENT_NAMES } from './events.js';
export type { Effect, RejectionCode, SessionEvent, SessionEventType } from './machine/events.js';
export type {
  ActiveSession,
  ApprovedSession,
  AwaitingCodeSession,
  AwaitingPushSession,
  CancelledSession,
  ClosedSession,
  DeniedSession,
  ExpiredSession,
  FailedSession,
  FallbackRecord,
  IdleSession,
  SentSession,
  SessionBase,
  SessionStatus,
  VerificationSession,
} from './machine/session.js';
// Sessions and the pure machine
export { isTerminalStatus, readSession, TERMINAL_STATUSES } from './machine/session.js';
export type { TransitionResult } from './machine/transition.js';
// The pure machine
export { transition } from './machine/transition.js';
// Matching
export type {
  ConfirmCompanySuggestionsInput,
  ConfirmContactSuggestionsInput,
  ConfirmResult,
  ConfirmSkipReason,
  SkippedSuggestion,
} from './matching/confirm-suggestions.js';
export { confirmSuggestions } from './matching/confirm-suggestions.js';
export type { ContactChange, ContactChangeResult } from './matching/contact-change.js';
export type {
  CompanyMatchQuery,
  CompanyMatchRow,
  ContactMatchQuery,
  ContactMatchRow,
  MatchFilter,
  MatchPage,
  MatchStatus,
} from './matching/list-matches.js';
export { listMatches } from './matching/list-matches.js';
export type {
  ContactRemoval,
  CreateCustomerFromCompanyOptions,
  CustomerFromCompany,
  MappingStore,
  NewCustomer,
  SyncBatch,
  SyncPruneResult,
} from './matching/mapping-store.js';
export type {
  MatchingSync,
  MatchingSyncConfig,
  MatchingSyncProgress,
  MatchingSyncRunOptions,
  MatchingSyncSummary,
  SkippedRecord,
} from './matching/matching-sync.js';
export { createMatchingSync } from './matching/matching-sync.js';
export type { MemoryMappingStoreOptions } from './matching/memory-mapping-store.js';
export { createMemoryMappingStore } from './matching/memory-mapping-store.js';
export {
  LEGAL_SUFFIXES,
  normalizeCompanyName,
  normalizeDomain,
  normalizeEmail,
  normalizePersonName,
} from './matching/normalize.js';
export type { CompanyPair } from './matching/suggest-companies.js';
export { suggestCompanyMatches } from './matching/suggest-companies.js';
export type { ContactPair, ContactSuggestionOptions } from './matching/suggest-contacts.js';
export { suggestContactMatches } from './matching/suggest-contacts.js';
export type {
  CompanyLink,
  CompanyMatchReason,
  CompanyMatchSuggestion,
  ConfirmedBy,
  ContactLink,
  ContactMatchReason,
  ContactMatchSuggestion,
  Customer,
  MatchConflict,
  MatchStrength,
  MatchSuggestionBase,
  SyncCheckpoint,
  SyncPhase,
} from './matching/types.js';
export type { MemoryAuditLog } from './memory/audit-log.js';
// Memory defaults
export { createMemoryAuditLog } from './memory/audit-log.js';
export type { MemoryDirectory } from './memory/directory.js';
export { createMemoryDirectory } from './memory/directory.js';
export type { OutboxChannel, OutboxEntry } from './memory/outbox-channel.js';
export { createOutboxChannel } from './memory/outbox-channel.js';
export type { MemoryNote, MemoryPsa, MemoryPsaData, MemoryTicket } from './memory/psa.js';
export { createMemoryPsa, formatVerificationNote } from './memory/psa.js';
export type { ManualClock } from './memory/runtime.js';
export { createManualClock, cryptoRandom, systemClock } from './memory/runtime.js';
export type { MemorySessionStoreOptions } from './memory/session-store.js';
export { createMemorySessionStore } from './memory/session-store.js';
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
export type { EndUserDirectory } from './ports/directory.js';
export type {
  ListOptions,
  ListProgress,
  PsaAdapter,
  PsaCapabilities,
  PsaCompany,
  PsaContact,
  TicketContext,
  VerificationNote,
} from './ports/psa.js';
export type { Clock, Random } from './ports/runtime.js';
export type { SessionStore } from './ports/session-store.js';
export type {
  Actor,
  ChangedBy,
  ChannelKind,
  CodeMode,
  DenyReason,
  Device,
  DevicePlatform,
  EndUser,
  FallbackReason,
  Method,
  NotificationPermission,
  Outcome,
  TicketRef,
} from './types.js';
// Domain types
export { isPushMethod, METHODS, PUSH_METHODS } from './types.js';
export type { PushChannels, VerificationPolicy, VerifierConfig } from './verifier/config.js';
export type {
  CheckCodeResult,
  DeviceResponse,
  DeviceResponseResult,
  PendingChallenge,
  Verifier,
} from './verifier/create-verifier.js';
// The verifier service
export { createVerifier } from './verifier/create-verifier.js';
export { OUTCOME_TEXT } from './verifier/outcome-text.js';
export type { MethodAvailability } from './verifier/routes.js';
export type { SendResult } from './verifier/send.js';
export type { SessionSnapshot } from './verifier/snapshot.js';
export type { EndUserSummary, StartResult, TicketLookup } from './verifier/start.js';
