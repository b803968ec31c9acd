/**
 * `@qdesk/autotask-adapter`: QDesk's `PsaAdapter` (v1) for Datto Autotask PSA, on a small REST client (ky) with
 * zone discovery, paging that follows `nextPageUrl`, per-endpoint thread limits, a shared hourly budget, retries
 * with backoff, typed errors, idempotent ticket notes and webhook verification. A local Autotask fake lives at
 * `@qdesk/autotask-adapter/testing` (msw handlers for it at `@qdesk/autotask-adapter/testing/msw`).
 *
 * @packageDocumentation
 */

export type { AutotaskAdapter } from './adapter.js';
// The PSA port
export { createAutotaskAdapter } from './adapter.js';
export type { BudgetDecision, RequestBudget, RequestBudgetOptions } from './client/budget.js';
// Limits
export { createRequestBudget } from './client/budget.js';
export type { AutotaskClient, CreateOptions, QueryPage, RequestOptions } from './client/client.js';
// The REST client
export { createAutotaskClient } from './client/client.js';
export type { AutotaskZone, ZoneCache, ZoneCacheOptions } from './client/zone.js';
export { createZoneCache, zoneFromUrl } from './client/zone.js';
export type {
  AutotaskAdapterConfig,
  AutotaskClientConfig,
  AutotaskNotesConfig,
  AutotaskRequestEvent,
  AutotaskRetryConfig,
  NoteAuthorFallback,
  NoteAuthorFallbackReason,
} from './config.js';
export { DEFAULT_ZONE_DISCOVERY_URL } from './config.js';
export type { AutotaskErrorKind, AutotaskErrorOptions } from './errors.js';
// Errors
export { AutotaskError, isAutotaskError } from './errors.js';
export type { BuildQueryOptions } from './query/build-query.js';
// The query language
export { buildQuery, MAX_PAGE_SIZE, validateQuery } from './query/build-query.js';
export type {
  AutotaskFilter,
  AutotaskQuery,
  ComparisonOperator,
  FieldCondition,
  FieldOperator,
  FilterBuilder,
  FilterGroup,
  FilterValue,
  KnownFields,
  ListOperator,
  PresenceOperator,
  TextOperator,
} from './query/filter.js';
export { where, whereFields } from './query/filter.js';
export type {
  AutotaskEntity,
  AutotaskEntityRecords,
  AutotaskRecord,
  CompanyRecord,
  ContactRecord,
  EntityRecord,
  ResourceRecord,
  TicketNoteRecord,
  TicketRecord,
} from './records.js';
// Records
export {
  anyRecordSchema,
  companyRecordSchema,
  contactRecordSchema,
  resourceRecordSchema,
  ticketNoteRecordSchema,
  ticketRecordSchema,
  zoneInformationSchema,
} from './records.js';
export type {
  ResourceDirectory,
  ResourceDirectoryOptions,
  ResourceLookup,
  ResourceMissReason,
  TechnicianResource,
} from './resources.js';
// Technicians' resources (notes written as the technician)
export { createResourceDirectory } from './resources.js';
export type { AutotaskWebhookPayload } from './webhook.js';
// Webhooks
export {
  AUTOTASK_SIGNATURE_HEADER,
  autotaskWebhookSchema,
  parseAutotaskWebhook,
  readAutotaskWebhook,
  signAutotaskWebhook,
  verifyAutotaskWebhook,
} from './webhook.js';
