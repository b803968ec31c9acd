import type { ContactSource } from '@qdesk/core';

// Where a contact point came from is core's `ContactSource` (`EndUser.provenance` keeps it), re-exported here.
export type { ContactSource };

/** A phone number as a source holds it (not yet normalised), with what it is and where it came from. @public */
export interface SourcePhone {
  /** The number as the source holds it (`+1 555 0100`, `(555) 010-0001`...); normalised to E.164 on import. */
  number: string;
  /** `mobile` (can take SMS), `business` (an office line), or `mfa` (an authentication method). */
  kind: 'mobile' | 'business' | 'mfa';
  /** Where the source says it came from. */
  source: ContactSource;
}

/** One person as a directory source reads them. @public */
export interface SourceRecord {
  /** Stable id of the person at the source (Entra object id, LDAP `entryUUID` or `objectGUID`, SCIM `id`). */
  externalId: string;
  /** The primary email (Entra `mail`, LDAP `mail`, SCIM primary `emails` value), or `null` when none. */
  email: string | null;
  /** Other emails the source holds (Entra `otherMails`, SCIM secondary `emails`). */
  otherEmails: string[];
  /** Name to show. */
  displayName: string;
  /** Every phone number the source holds for the person, raw. */
  phones: SourcePhone[];
  /** Whether the account is enabled at the source. A disabled account is dropped from verification. */
  active: boolean;
  /** When the source last changed the record (epoch ms; LDAP `whenChanged`), or `null` when it does not say. */
  changedAt: number | null;
}

/** What a source reports: a person created or changed, or removed. @public */
export type SourceChange = { type: 'upsert'; record: SourceRecord } | { type: 'delete'; externalId: string };

/** One page of changes, and where to resume after it. @public */
export interface SourcePage {
  /** The page's changes, in the source's order. */
  changes: SourceChange[];
  /**
   * Resumes the read after this page (a Graph `@odata.nextLink`, an LDAP paging cookie...), so a sync that fails
   * later starts again here rather than from the beginning. On the last page: where the next incremental read starts
   * (a Graph `@odata.deltaLink`, the highest `whenChanged` seen), or `null` when the source has no incremental read.
   */
  cursor: string | null;
  /** `true` on the last page of this read. */
  done: boolean;
}

/**
 * Where end-users come from, read on the MSP's schedule: Microsoft Entra ID (`createEntraSource`) or Active
 * Directory over LDAP (`createLdapSource`). SCIM is the other way round (the identity provider pushes changes) and
 * has its own handler.
 *
 * ## Rules every implementation follows
 * - `read({ cursor: null })` reads every person; `read({ cursor })` with the last page's cursor of an earlier read
 *   reads only what changed since, and with a page's cursor resumes after that page.
 * - Pages are yielded as they arrive; the caller stores each page's cursor once it has applied the page.
 * - Throttling and transient failures are retried inside (honouring `Retry-After`); a failure that persists rejects
 *   the iterator with a `QdeskError` (an `AdapterError` as a rule) whose message says what to fix, never a secret.
 * - `signal` stops the read before the next request.
 * @public
 */
export interface DirectorySource {
  /** Which kind of source: for logs, audit records and the admin page. */
  readonly kind: 'entra' | 'ldap';
  /** Reads people page by page: all of them, or what changed since `cursor`. */
  read(options: { cursor: string | null; signal?: AbortSignal }): AsyncIterable<SourcePage>;
}
