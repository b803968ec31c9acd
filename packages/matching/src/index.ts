/**
 * `@qdesk/matching`: match the companies and contacts of a PSA to QDesk's customers and end-users, so a ticket's
 * contact leads to the right account even when its email does not.
 *
 * - Suggestions, pure and linear: {@link suggestCompanyMatches}, {@link suggestContactMatches}, and the
 *   normalisation they compare by ({@link normalizeCompanyName}, {@link normalizeDomain}, ...).
 * - The {@link MappingStore} port (also core's `ContactLinks`), with {@link createMemoryMappingStore}.
 * - The admin's operations: {@link listMatches}, {@link confirmSuggestions}, {@link matchByHand},
 *   {@link unmatch}, {@link createCustomerFromCompany}; each link change is an audit record. A contact linked to an
 *   end-user of another customer than its company's needs the admin's confirmation ({@link crossCustomerLinkOf}).
 * - {@link createMatchingSync}: a resumable sync of the PSA's records, and webhook contact changes.
 * - `@qdesk/matching/testing`: the mapping store conformance kit (needs vitest).
 *
 * @packageDocumentation
 */

export type {
  ConfirmCompanySuggestionsInput,
  ConfirmContactSuggestionsInput,
  ConfirmResult,
  ConfirmSkipReason,
  SkippedSuggestion,
} from './confirm-suggestions.js';
export { confirmSuggestions } from './confirm-suggestions.js';
// The sync
export type { ContactChange, ContactChangeResult } from './contact-change.js';
export type { CreateCustomerFromCompanyInput, CustomerFromCompany } from './create-customer-from-company.js';
export { createCustomerFromCompany } from './create-customer-from-company.js';
export type { CrossCustomerLink, NamedRecord } from './cross-customer-link.js';
export { crossCustomerLinkOf } from './cross-customer-link.js';
// The admin's operations
export type {
  CompanyMatchQuery,
  CompanyMatchRow,
  ContactMatchQuery,
  ContactMatchRow,
  MatchFilter,
  MatchPage,
  MatchStatus,
} from './list-matches.js';
export { listMatches } from './list-matches.js';
// The store port and its memory implementation
export type {
  ContactLinkLookup,
  ContactLookup,
  ContactRemoval,
  CreatedCustomer,
  EndUserChanges,
  EndUserLookup,
  KeptSuggestions,
  LinkResult,
  MappingStore,
  MappingStoreInspector,
  MatchPageQuery,
  NewCompanyLink,
  NewContactLink,
  NewCustomer,
  StoredMatchPage,
  SuggestionLookup,
  SuggestionReplacement,
  SyncBatch,
  SyncPruneResult,
} from './mapping-store.js';
export { mappingStoreInput } from './mapping-store-input.js';
export type {
  MatchCompanyByHandInput,
  MatchContactByHandInput,
  UnmatchCompanyInput,
  UnmatchContactInput,
} from './match-by-hand.js';
export { matchByHand, unmatch } from './match-by-hand.js';
export type { CompanyKeys, ContactKeys, EndUserKeys, MatchSearch } from './match-keys.js';
export {
  companyKeys,
  compareOrderKeys,
  contactKeys,
  endUserKeys,
  matchEndUser,
  matchSearch,
  searchMatches,
} from './match-keys.js';
export type {
  EndUserChangeSet,
  EndUserSource,
  MatchingSync,
  MatchingSyncConfig,
  MatchingSyncProgress,
  MatchingSyncRunOptions,
  MatchingSyncSummary,
  SkippedRecord,
  SuggestionRebuild,
} from './matching-sync.js';
export { createMatchingSync } from './matching-sync.js';
export type { MemoryMappingStore, MemoryMappingStoreOptions } from './memory-mapping-store.js';
export { createMemoryMappingStore } from './memory-mapping-store.js';
// Normalisation
export {
  LEGAL_SUFFIXES,
  normalizeCompanyName,
  normalizeDomain,
  normalizeEmail,
  normalizePersonName,
} from './normalize.js';
export type { RebuildSuggestionsInput } from './rebuild-suggestions.js';
export { rebuildSuggestions } from './rebuild-suggestions.js';
// Suggestions
export type { CompanyPair } from './suggest-companies.js';
export { suggestCompanyMatches } from './suggest-companies.js';
export type { ContactPair, ContactSuggestionOptions } from './suggest-contacts.js';
export { suggestContactMatches } from './suggest-contacts.js';
// Domain
export type {
  CompanyLink,
  CompanyMatchReason,
  CompanyMatchSuggestion,
  ConfirmedBy,
  ContactLink,
  ContactMatchReason,
  ContactMatchSuggestion,
  Customer,
  LinkAuditAction,
  LinkChangeReason,
  MatchConflict,
  MatchEndUser,
  MatchStrength,
  MatchSuggestionBase,
  SyncCheckpoint,
  SyncPhase,
} from './types.js';
