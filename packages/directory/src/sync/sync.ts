import { createHash } from 'node:crypto';
import {
  type AuditLog,
  type AuditRecord,
  type Clock,
  ConfigError,
  type ContactProvenance,
  type EndUser,
} from '@qdesk/core';
import type { CountryCode } from 'libphonenumber-js';
import { isSupportedCountry } from 'libphonenumber-js';
import type { DirectorySource, SourceChange, SourceRecord } from '../types.js';
import { pickMobile } from './phone.js';

/** The end-user directory a sync writes: the reads and writes of `@qdesk/store-postgres`'s directory. @public */
export interface SyncTargetDirectory {
  /** The end-user with that id, or `null`. */
  getById(tenantId: string, endUserId: string): Promise<EndUser | null>;
  /** Stores an end-user (replacing the profile; devices enrolled since are the directory's to keep). */
  put(user: EndUser): Promise<void>;
  /** Removes an end-user; `true` when it was stored. */
  remove(tenantId: string, endUserId: string): Promise<boolean>;
  /** Every end-user of the tenant. */
  list(tenantId: string): Promise<EndUser[]>;
}

/** How a sync writes one customer's end-users from one source. @public */
export interface DirectorySyncOptions {
  /** The source to read. */
  source: DirectorySource;
  /** Where the end-users go. */
  directory: SyncTargetDirectory;
  /** The MSP. */
  tenantId: string;
  /** The customer (client company) whose people the source holds; every end-user it creates belongs to it. */
  customerId: string;
  /** Where numbers without a country code are read (ISO 3166 alpha-2, `US`, `GB`, `DE`...). */
  defaultRegion: string;
  /** Every change to an end-user's contact points is recorded here. */
  audit: Pick<AuditLog, 'append'>;
  clock: Clock;
  /**
   * Called when a sync sees an end-user's mobile number change, after the change is stored: tell the old number
   * (NIST SP 800-63B rev 4, 4.1.2.1: binding a new authenticator notifies through an independent channel). A failure
   * here is the caller's to record; it does not stop the sync.
   */
  onPhoneChanged?: (change: { user: EndUser; previous: string; next: string | null }) => void | Promise<void>;
}

/** Where a sync stands, to resume it: the cursor to read from and whether the read under way is a full one. @public */
export interface DirectorySyncState {
  /** The cursor to read from (`null`: a full read from the start). */
  cursor: string | null;
  /** `true` while a full read is under way: at its end, end-users it did not see are removed. */
  full: boolean;
  /** The source's end-user ids a full read under way has seen (to find who was removed at its end). */
  seen: string[];
}

/** What a sync did. @public */
export interface DirectorySyncSummary {
  created: number;
  updated: number;
  unchanged: number;
  /** Accounts disabled at the source, or gone from it: dropped from verification. */
  disabled: number;
  /** Records that could not be used, with why (no email, no valid number...). */
  skipped: { externalId: string; reason: string }[];
  /** Pages read. */
  pages: number;
}

/** The end-user id a source's person gets: stable per customer and source id, and within the stores' 128 characters. */
export function endUserIdFor(customerId: string, externalId: string): string {
  const id = `${customerId}:${externalId}`;
  return id.length <= 128
    ? id
    : `${customerId.slice(0, 60)}:${createHash('sha256').update(externalId).digest('hex')}`;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Reads one customer's people from a source into the end-user directory, page by page, and returns the state to
 * resume from. Each page is applied before its cursor is given to `saveState`, so a sync that fails resumes after
 * the last page it applied, without duplicating or missing anyone.
 *
 * - A person is created as `<customerId>:<source id>` with the customer set, their email lower-cased and their
 *   mobile number in E.164: an MFA phone method first, then the account's mobile attribute (office lines take no
 *   SMS). Each contact point keeps where it came from and when a sync saw it change (`EndUser.provenance`): a number
 *   first imported has `changedAt: null`; a changed one, the time of the sync, and `onPhoneChanged` is called.
 * - A disabled account, or one the source deleted, is removed from the directory: it can no longer be verified.
 * - A full read (from a `null` cursor) removes, at its end, the customer's end-users from this source it did not see.
 * - Every create, contact point change and removal is an audit record (`directory_sync`), with masked values.
 * @public
 */
export async function syncDirectory(
  options: DirectorySyncOptions & {
    /** Where to start: the state a previous sync saved, or `null` for a full read. */
    state: DirectorySyncState | null;
    /** Called after each page is applied, with the state to resume from. */
    saveState?: (state: DirectorySyncState) => void | Promise<void>;
    /** Called after each page with the running summary. */
    onProgress?: (summary: DirectorySyncSummary) => void;
    signal?: AbortSignal;
  },
): Promise<{ summary: DirectorySyncSummary; state: DirectorySyncState }> {
  const { source, directory, tenantId, customerId } = options;
  const writer = createDirectoryWriter({ ...options, sourceKind: source.kind });
  const { summary } = writer;
  const prefix = `${customerId}:`;
  let state: DirectorySyncState = options.state ?? { cursor: null, full: true, seen: [] };
  const seen = new Set(state.seen);
  for await (const page of source.read({
    cursor: state.cursor,
    ...(options.signal ? { signal: options.signal } : {}),
  })) {
    for (const change of page.changes) {
      if (change.type === 'upsert') seen.add(endUserIdFor(customerId, change.record.externalId));
      await writer.apply(change);
    }
    summary.pages++;
    if (page.done && state.full) {
      // What a full read did not see is gone from the source (LDAP reports no deletions at all).
      for (const user of await directory.list(tenantId)) {
        if (user.customerId === customerId && user.id.startsWith(prefix) && !seen.has(user.id)) {
          await writer.drop(user.id, 'no longer at the source');
        }
      }
    }
    state = page.done
      ? { cursor: page.cursor, full: false, seen: [] }
      : { cursor: page.cursor, full: state.full, seen: state.full ? [...seen] : [] };
    await options.saveState?.(state);
    options.onProgress?.({ ...summary, skipped: [...summary.skipped] });
  }
  return { summary, state };
}

/** What {@link createDirectoryWriter} gives: one change applied at a time, and the running count. @public */
export interface DirectoryWriter {
  /** Applies one change (create, update, disable or delete), audited. */
  apply(change: SourceChange): Promise<void>;
  /** Removes an end-user of this source from the directory (audited with `why`), when stored. */
  drop(endUserId: string, why: string): Promise<void>;
  /** What it did so far. */
  readonly summary: DirectorySyncSummary;
}

/**
 * Applies a source's changes to the end-user directory one at a time, with the rules of {@link syncDirectory}: for a
 * source that pushes instead of being read (a SCIM handler's `onChange`).
 * @public
 */
export function createDirectoryWriter(
  options: Omit<DirectorySyncOptions, 'source'> & { sourceKind: 'entra' | 'ldap' | 'scim' },
): DirectoryWriter {
  if (!isSupportedCountry(options.defaultRegion)) {
    throw new ConfigError(
      `defaultRegion "${options.defaultRegion}" is not a country code libphonenumber knows; give the customer's ISO 3166 code, such as US, GB or DE.`,
      { issues: [{ path: 'defaultRegion', message: 'must be an ISO 3166-1 alpha-2 country code' }] },
    );
  }
  const region = options.defaultRegion as CountryCode;
  const { sourceKind, directory, tenantId, customerId, clock } = options;
  const summary: DirectorySyncSummary = {
    created: 0,
    updated: 0,
    unchanged: 0,
    disabled: 0,
    skipped: [],
    pages: 0,
  };

  const audit = (record: Pick<AuditRecord, 'endUserId' | 'result'> & { detail: AuditRecord['detail'] }) =>
    options.audit.append({
      id: `au_dir_${crypto.randomUUID()}`,
      at: clock.now(),
      tenantId,
      sessionId: null,
      action: 'directory_sync',
      actor: { type: 'system', id: `directory:${sourceKind}` },
      ticketId: null,
      ticketNumber: null,
      customerId,
      method: null,
      status: null,
      ...record,
    });

  const drop = async (endUserId: string, why: string) => {
    if (await directory.remove(tenantId, endUserId)) {
      summary.disabled++;
      await audit({ endUserId, result: 'removed', detail: { reason: why, source: sourceKind } });
    }
  };

  const apply = async (change: SourceChange) => {
    if (change.type === 'delete')
      return drop(endUserIdFor(customerId, change.externalId), 'deleted at the source');
    const record: SourceRecord = change.record;
    const id = endUserIdFor(customerId, record.externalId);
    if (!record.active) return drop(id, 'disabled at the source');
    const email = record.email?.trim().toLowerCase() ?? '';
    if (!EMAIL.test(email)) {
      summary.skipped.push({ externalId: record.externalId, reason: 'no valid email' });
      return;
    }
    const mobile = pickMobile(record.phones, region);
    if (mobile.number === null && mobile.invalid.length > 0) {
      summary.skipped.push({
        externalId: record.externalId,
        reason: `mobile number not valid for ${region} (kept without one)`,
      });
    }
    const stored = await directory.getById(tenantId, id);
    const now = clock.now();
    const point = (
      kind: 'email' | 'mobilePhone',
      value: string | null,
      from: ContactProvenance['source'],
    ): ContactProvenance | undefined => {
      if (value === null) return undefined;
      const before = stored?.[kind] ?? null;
      if (stored && before === value) return stored.provenance?.[kind] ?? { source: from, changedAt: null };
      return { source: from, changedAt: stored ? now : null };
    };
    const emailPoint = point('email', email, sourceKind === 'scim' ? 'scim' : 'directory')!;
    const phonePoint = point(
      'mobilePhone',
      mobile.number,
      mobile.number === null ? 'directory' : mobile.source,
    );
    const provenance = { email: emailPoint, ...(phonePoint ? { mobilePhone: phonePoint } : {}) };
    const user: EndUser = {
      id,
      tenantId,
      customerId,
      email,
      displayName: record.displayName.trim() || email,
      mobilePhone: mobile.number,
      devices: stored?.devices ?? [],
      provenance,
    };
    if (stored && sameProfile(stored, user)) {
      summary.unchanged++;
      return;
    }
    await directory.put(user);
    if (!stored) {
      summary.created++;
      await audit({
        endUserId: id,
        result: 'created',
        detail: { source: sourceKind, hasPhone: user.mobilePhone !== null },
      });
      return;
    }
    summary.updated++;
    for (const field of ['email', 'mobilePhone'] as const) {
      if (stored[field] === user[field]) continue;
      await audit({
        endUserId: id,
        result: 'contact_changed',
        detail: {
          field,
          source: user.provenance?.[field]?.source ?? null,
          before: mask(stored[field]),
          after: mask(user[field]),
        },
      });
    }
    if (stored.mobilePhone && stored.mobilePhone !== user.mobilePhone) {
      await options.onPhoneChanged?.({ user, previous: stored.mobilePhone, next: user.mobilePhone });
    }
  };

  return { apply, drop, summary };
}

/** `+1•••0001`, `a•••@contoso.example`: enough for an administrator to recognise, not to use. */
function mask(value: string | null): string | null {
  if (value === null) return null;
  const at = value.indexOf('@');
  if (at > 0) return `${value[0]}•••${value.slice(at)}`;
  return `${value.slice(0, 2)}•••${value.slice(-4)}`;
}

function sameProfile(a: EndUser, b: EndUser): boolean {
  return (
    a.email === b.email &&
    a.displayName === b.displayName &&
    a.mobilePhone === b.mobilePhone &&
    a.customerId === b.customerId &&
    JSON.stringify(a.provenance ?? {}) === JSON.stringify(b.provenance ?? {})
  );
}
