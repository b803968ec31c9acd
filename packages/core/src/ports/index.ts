/**
 * `@qdesk/core/ports`: what a port implementation needs. Each port's interface is its partner guide (what is
 * required, what each capability flag promises, the tenancy rule); here with the records and messages the ports
 * exchange and a few helpers for writing one. Run the port's kit from `@qdesk/core/testing` to check your work.
 *
 * Tenancy, for every port: a port that keeps state takes `tenantId` as its first argument and its records carry
 * `tenantId`; a PSA adapter or a channel is one connection to an outside system and takes none.
 *
 * @packageDocumentation
 */

export { accountNoticeEmail, accountNoticeMessages, accountNoticeSms } from '../account-notice.js';
export type { FieldIssue, SchemaIssues } from '../errors.js';
export { fieldIssues } from '../errors.js';
export type { SessionTechnician } from '../machine/session.js';
export type { VerificationNote } from '../note.js';
export {
  formatVerificationNote,
  OUTCOME_TEXT,
  REVERSE_OUTCOME_TEXT,
  verificationNoteMarker,
} from '../note.js';
export { parseRetryAfter } from '../retry-after.js';
export type { Device, DevicePlatform, EndUser, NotificationPermission, Route } from '../types.js';
export type { PolicySettings, RiskAcceptance, WeakerChoice } from '../verifier/policy.js';
export type { AuditAction, AuditActor, AuditLog, AuditQuery, AuditRecord } from './audit-log.js';
export type {
  AccountNoticeContext,
  Channel,
  CodeMessageContext,
  DeliveryResult,
  DeliveryStatusReport,
  EmailMessage,
  FailureScope,
  NoticeMessageContext,
  OutboundMessage,
  PushMessage,
  SmsMessage,
} from './channel.js';
export type { ContactLinks } from './contact-links.js';
export type { EndUserDirectory } from './directory.js';
export type { PolicyRecord, PolicyStore } from './policy-store.js';
export type {
  ListOptions,
  ListProgress,
  PsaAdapter,
  PsaCapabilities,
  PsaCompany,
  PsaContact,
  TicketContext,
} from './psa.js';
export type { RateCounter, RateWindow } from './rate-counter.js';
export type { Clock, Random } from './runtime.js';
export type { SessionStore, SessionWriteOptions } from './session-store.js';
