/**
 * `@qdesk/directory`: where end-users really live. Sources read people from Microsoft Entra ID (Microsoft Graph) and
 * Active Directory (LDAP); a SCIM 2.0 handler takes what an identity provider pushes. Every phone number and email
 * carries its source and when it last changed.
 *
 * @packageDocumentation
 */

// Microsoft Entra ID (Microsoft Graph): createEntraSource
export type {
  EntraFailureReason,
  EntraFetch,
  EntraRetryConfig,
  EntraSource,
  EntraSourceConfig,
  EntraWarning,
} from './entra/index.js';
export { createEntraSource, isEntraResyncRequired } from './entra/index.js';
// Active Directory (or any LDAP directory) over LDAP, with ldapts: createLdapSource
export type { LdapSkippedEntry, LdapSourceConfig } from './ldap/ldap-config.js';
export { AD_USER_FILTER } from './ldap/ldap-config.js';
export type { LdapAttributeNames } from './ldap/ldap-entry.js';
export { AD_ATTRIBUTE_NAMES } from './ldap/ldap-entry.js';
export type { LdapSource } from './ldap/ldap-source.js';
export { createLdapSource } from './ldap/ldap-source.js';
// SCIM 2.0 provisioning (RFC 7643 / 7644): createScimHandler, the ScimUserStore port and its memory implementation
export type { MemoryScimUserStore } from './scim/memory-scim-user-store.js';
export { createMemoryScimUserStore } from './scim/memory-scim-user-store.js';
export type { ScimErrorOptions, ScimErrorType } from './scim/scim-error.js';
export { isScimError, ScimError } from './scim/scim-error.js';
export type {
  ScimAuthenticationContext,
  ScimFailureContext,
  ScimHandlerOptions,
} from './scim/scim-handler.js';
export { createScimHandler } from './scim/scim-handler.js';
export type {
  ScimContactValue,
  ScimJsonValue,
  ScimName,
  ScimUserData,
  ScimUserRecord,
} from './scim/scim-user.js';
export { SCIM_ENTERPRISE_USER_SCHEMA, SCIM_USER_SCHEMA } from './scim/scim-user.js';
export type {
  NewScimUser,
  ScimUserCondition,
  ScimUserList,
  ScimUserQuery,
  ScimUserReplacement,
  ScimUserStore,
  ScimUserStoreInspector,
} from './scim/scim-user-store.js';
export { scimUserToSourceRecord } from './scim/to-source-record.js';
// ---- the sync engine
export { normalizePhone } from './sync/phone.js';
export type {
  DirectorySyncOptions,
  DirectorySyncState,
  DirectorySyncSummary,
  DirectoryWriter,
  SyncTargetDirectory,
} from './sync/sync.js';
export { createDirectoryWriter, endUserIdFor, syncDirectory } from './sync/sync.js';
export type {
  ContactSource,
  DirectorySource,
  SourceChange,
  SourcePage,
  SourcePhone,
  SourceRecord,
} from './types.js';
