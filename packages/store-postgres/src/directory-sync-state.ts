import { InputError } from '@qdesk/core';
import type { FieldIssue } from '@qdesk/core/ports';
import type { Queryable } from './database.js';

/** Which directory source a customer's people are read from: Microsoft Entra ID or Active Directory (LDAP). @public */
export type DirectorySyncSourceKind = 'entra' | 'ldap';

/** One customer's source in one tenant: what a {@link DirectorySyncStateStore} keeps one row for. @public */
export interface DirectorySyncKey {
  /** The MSP. */
  tenantId: string;
  /** The customer whose people the source holds. */
  customerId: string;
  /** The kind of source. */
  sourceKind: DirectorySyncSourceKind;
}

/** A run under way, held by one app instance until it ends or `expiresAt` passes. @public */
export interface DirectorySyncLease {
  /** Who holds it: an id of the app instance (host, process and a random part), never a secret. */
  owner: string;
  /** Epoch ms the run started. */
  since: number;
  /** Epoch ms after which the lease counts as abandoned (the holder crashed) and may be claimed again. */
  expiresAt: number;
}

/**
 * Where one customer's directory sync stands. The JSON fields are the sync engine's own (`@qdesk/directory`'s
 * `DirectorySyncState` and summaries); this store keeps them as given and reads them back parsed, unchecked: check
 * them where they are used.
 * @public
 */
export interface DirectorySyncRecord extends DirectorySyncKey {
  /** Where the next run resumes (JSON), or `null`: the next run reads everything. */
  state: unknown;
  /** The running count of the run under way (JSON), saved with each state; `null` when no run has saved one. */
  progress: unknown;
  /** What the last run that ended did (JSON), failed or not; `null` before the first. */
  summary: unknown;
  /** Epoch ms the last run started (claimed the lease), or `null`. */
  lastStartedAt: number | null;
  /** Epoch ms the last run ended, or `null`. */
  lastFinishedAt: number | null;
  /** Epoch ms the last full read ended without failing, or `null`: then the next run should read everything. */
  lastFullAt: number | null;
  /** Why the last run failed, in words (no secret), or `null` when it succeeded. */
  lastError: string | null;
  /** The run under way, or `null`. A lease whose `expiresAt` has passed was abandoned. */
  lease: DirectorySyncLease | null;
}

/** Who holds a lease, when, and for how long a claim or renewal makes it last. @public */
export interface DirectorySyncLeaseRequest {
  /** The app instance asking. */
  owner: string;
  /** Epoch ms now, by the caller's clock (every instance should agree on the time within a few seconds). */
  now: number;
  /** How long the lease lasts from `now`, in ms; renew it before then while the run goes on. */
  leaseMs: number;
}

/**
 * Where the reference app keeps each customer's directory sync between runs, so a sync resumes after a failure or a
 * restart, and so two app instances never run the same source at once.
 *
 * ## Rules every implementation follows
 * - `claim` is atomic: of any number of instances claiming one key at once, exactly one gets the record; the others
 *   get `null` until the holder calls `finish` or its lease expires. A claim starts a run: `lastStartedAt` is `now`
 *   and `progress` is cleared; the state, summary and error of earlier runs are kept.
 * - `saveState`, `renew` and `finish` act only for the lease's holder and return `false` (writing nothing) for
 *   anyone else, so an instance that lost its lease (it stalled past the expiry and another claimed the source)
 *   cannot overwrite the new holder's state. The holder keeps acting on its own lease past its expiry until another
 *   instance claims it.
 * - `finish` records the outcome and releases the lease in one step.
 * - Keys are kept apart by tenant, customer and source kind.
 * @public
 */
export interface DirectorySyncStateStore {
  /** The record of one key, or `null` before its first claim. */
  get(key: DirectorySyncKey): Promise<DirectorySyncRecord | null>;
  /** Every record of a tenant, by customer then kind. */
  list(tenantId: string): Promise<DirectorySyncRecord[]>;
  /** Starts a run: the record (with the state to resume from) when the lease is now the caller's, else `null`. */
  claim(key: DirectorySyncKey, request: DirectorySyncLeaseRequest): Promise<DirectorySyncRecord | null>;
  /** Extends the caller's lease to `now + leaseMs`; `false` when the caller does not hold it. */
  renew(key: DirectorySyncKey, request: DirectorySyncLeaseRequest): Promise<boolean>;
  /**
   * Stores where to resume (`state`, JSON; `null` for a full read next) and the running count (`progress`), and
   * extends the lease; `false` (nothing written) when the caller does not hold it.
   */
  saveState(
    key: DirectorySyncKey,
    request: DirectorySyncLeaseRequest & { state: unknown; progress: unknown },
  ): Promise<boolean>;
  /**
   * Ends the caller's run: its summary (JSON), its error in words (`null` when it succeeded), whether it was a full
   * read that completed (`full`: `lastFullAt` becomes `now`), and releases the lease. `false` (nothing written) when
   * the caller does not hold it.
   */
  finish(
    key: DirectorySyncKey,
    outcome: { owner: string; now: number; summary: unknown; error: string | null; full: boolean },
  ): Promise<boolean>;
}

interface SyncRow {
  tenant_id: string;
  customer_id: string;
  source_kind: DirectorySyncSourceKind;
  state: unknown;
  progress: unknown;
  summary: unknown;
  last_started_at: number | null;
  last_finished_at: number | null;
  last_full_at: number | null;
  last_error: string | null;
  lease_owner: string | null;
  running_since: number | null;
  lease_expires_at: number | null;
}

const COLUMNS =
  'tenant_id, customer_id, source_kind, state, progress, summary, last_started_at, last_finished_at, last_full_at, ' +
  'last_error, lease_owner, running_since, lease_expires_at';

const recordOf = (row: SyncRow): DirectorySyncRecord => ({
  tenantId: row.tenant_id,
  customerId: row.customer_id,
  sourceKind: row.source_kind,
  state: row.state ?? null,
  progress: row.progress ?? null,
  summary: row.summary ?? null,
  lastStartedAt: row.last_started_at,
  lastFinishedAt: row.last_finished_at,
  lastFullAt: row.last_full_at,
  lastError: row.last_error,
  lease:
    row.lease_owner !== null && row.running_since !== null && row.lease_expires_at !== null
      ? { owner: row.lease_owner, since: row.running_since, expiresAt: row.lease_expires_at }
      : null,
});

const text = (value: unknown, path: string, issues: FieldIssue[], max = 200) => {
  if (typeof value !== 'string' || value.length === 0 || value.length > max || value.includes('\u0000'))
    issues.push({ path, message: `must be a non-empty string of at most ${max} characters, without NUL` });
};
const epoch = (value: unknown, path: string, issues: FieldIssue[], positive = false) => {
  if (!Number.isSafeInteger(value) || (value as number) < (positive ? 1 : 0))
    issues.push({ path, message: positive ? 'must be a positive whole number of ms' : 'must be epoch ms' });
};

/** Checks a key (and a lease request, when given); an `InputError` naming every bad field. */
function check(operation: string, key: DirectorySyncKey, request?: Partial<DirectorySyncLeaseRequest>) {
  const issues: FieldIssue[] = [];
  text(key?.tenantId, 'key.tenantId', issues);
  text(key?.customerId, 'key.customerId', issues);
  if (key?.sourceKind !== 'entra' && key?.sourceKind !== 'ldap')
    issues.push({ path: 'key.sourceKind', message: "must be 'entra' or 'ldap'" });
  if (request) {
    text(request.owner, 'owner', issues);
    epoch(request.now, 'now', issues);
    if ('leaseMs' in request) epoch(request.leaseMs, 'leaseMs', issues, true);
  }
  if (issues.length) throw InputError.fromIssues(operation, issues);
}

/** JSON for a jsonb parameter: `null` stays SQL NULL (the driver sends the text `null` otherwise). */
function json(value: unknown, path: string, operation: string): string | null {
  if (value === null || value === undefined) return null;
  let encoded: string | undefined;
  try {
    encoded = JSON.stringify(value);
  } catch (error) {
    throw InputError.fromIssues(operation, [{ path, message: `must be JSON (${(error as Error).message})` }]);
  }
  if (encoded === undefined)
    throw InputError.fromIssues(operation, [{ path, message: 'must be a JSON value' }]);
  // PostgreSQL's jsonb holds no NUL character, escaped or not.
  if (encoded.includes('\\u0000'))
    throw InputError.fromIssues(operation, [{ path, message: 'must not contain the NUL character' }]);
  return encoded;
}

const KEY_WHERE = 'tenant_id = $1 AND customer_id = $2 AND source_kind = $3';
const keyParams = (key: DirectorySyncKey) => [key.tenantId, key.customerId, key.sourceKind];

/**
 * Directory sync state in the `qdesk_directory_syncs` table (migration `0008-directory-sync-state`), shared by every
 * app instance on the database. Each method is one statement.
 *
 * Note: `claim` is one `INSERT ... ON CONFLICT DO UPDATE ... WHERE` the lease is free or expired, so PostgreSQL's row
 * lock decides between instances claiming at once; the others' statements then see the new holder's lease and change
 * nothing. Expiry is read against the caller's `now`, so the instances' clocks should agree within a few seconds.
 * @example
 * ```ts
 * const syncs = createPostgresDirectorySyncStateStore(database);
 * const key = { tenantId: 'msp-1', customerId: 'cust-northwind', sourceKind: 'ldap' } as const;
 * const lease = { owner: 'app-1', now: Date.now(), leaseMs: 5 * 60_000 };
 * const claimed = await syncs.claim(key, lease);
 * if (claimed) {
 *   // run syncDirectory from claimed.state, saving each page's state with syncs.saveState(key, { ...lease, state, progress })
 *   await syncs.finish(key, { owner: 'app-1', now: Date.now(), summary, error: null, full: claimed.state === null });
 * }
 * ```
 * @public
 */
export function createPostgresDirectorySyncStateStore(database: Queryable): DirectorySyncStateStore {
  return {
    async get(key) {
      check('get', key);
      const { rows } = await database.query<SyncRow>(
        `SELECT ${COLUMNS} FROM qdesk_directory_syncs WHERE ${KEY_WHERE}`,
        keyParams(key),
      );
      return rows[0] ? recordOf(rows[0]) : null;
    },
    async list(tenantId) {
      const issues: FieldIssue[] = [];
      text(tenantId, 'tenantId', issues);
      if (issues.length) throw InputError.fromIssues('list', issues);
      const { rows } = await database.query<SyncRow>(
        `SELECT ${COLUMNS} FROM qdesk_directory_syncs WHERE tenant_id = $1 ORDER BY customer_id, source_kind`,
        [tenantId],
      );
      return rows.map(recordOf);
    },
    async claim(key, request) {
      check('claim', key, request);
      const { rows } = await database.query<SyncRow>(
        `INSERT INTO qdesk_directory_syncs
           (tenant_id, customer_id, source_kind, lease_owner, running_since, lease_expires_at, last_started_at)
         VALUES ($1, $2, $3, $4, $5, $6, $5)
         ON CONFLICT (tenant_id, customer_id, source_kind) DO UPDATE SET
           lease_owner = EXCLUDED.lease_owner, running_since = EXCLUDED.running_since,
           lease_expires_at = EXCLUDED.lease_expires_at, last_started_at = EXCLUDED.last_started_at, progress = NULL
         WHERE qdesk_directory_syncs.lease_owner IS NULL OR qdesk_directory_syncs.lease_expires_at <= $5
         RETURNING ${COLUMNS}`,
        [...keyParams(key), request.owner, request.now, request.now + request.leaseMs],
      );
      return rows[0] ? recordOf(rows[0]) : null;
    },
    async renew(key, request) {
      check('renew', key, request);
      const { rowCount } = await database.query(
        `UPDATE qdesk_directory_syncs SET lease_expires_at = $5 WHERE ${KEY_WHERE} AND lease_owner = $4`,
        [...keyParams(key), request.owner, request.now + request.leaseMs],
      );
      return rowCount === 1;
    },
    async saveState(key, request) {
      check('saveState', key, request);
      const state = json(request.state, 'state', 'saveState');
      const progress = json(request.progress, 'progress', 'saveState');
      const { rowCount } = await database.query(
        `UPDATE qdesk_directory_syncs SET state = $5::jsonb, progress = $6::jsonb, lease_expires_at = $7
         WHERE ${KEY_WHERE} AND lease_owner = $4`,
        [...keyParams(key), request.owner, state, progress, request.now + request.leaseMs],
      );
      return rowCount === 1;
    },
    async finish(key, outcome) {
      check('finish', key, outcome);
      if (outcome.error !== null && typeof outcome.error !== 'string')
        throw InputError.fromIssues('finish', [{ path: 'error', message: 'must be a string or null' }]);
      const summary = json(outcome.summary, 'summary', 'finish');
      const { rowCount } = await database.query(
        `UPDATE qdesk_directory_syncs SET summary = $5::jsonb, last_error = $6, last_finished_at = $7,
           last_full_at = CASE WHEN $8::boolean THEN $7 ELSE last_full_at END,
           progress = NULL, lease_owner = NULL, running_since = NULL, lease_expires_at = NULL
         WHERE ${KEY_WHERE} AND lease_owner = $4`,
        [
          ...keyParams(key),
          outcome.owner,
          summary,
          outcome.error === null ? null : outcome.error.replaceAll('\u0000', ''),
          outcome.now,
          outcome.full === true,
        ],
      );
      return rowCount === 1;
    },
  };
}
