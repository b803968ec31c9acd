import { randomUUID } from 'node:crypto';
import {
  AdapterError,
  type AuditLog,
  type Clock,
  ConfigError,
  type EndUser,
  type FieldIssue,
  type PsaAdapter,
  QdeskError,
} from '@qdesk/core';
import { systemClock } from '@qdesk/core/memory';
import { auditLogIssues, checkRecords, idSchema, mappingStoreIssues, SHAPES } from './_inputs.js';
import { endUserSeed, rebuildAll, refreshContactSuggestions } from './_kept-suggestions.js';
import { auditLinkChange, SYSTEM } from './_link-audit.js';
import { type PhaseContext, readPhase } from './_sync-phase.js';
import { applyContactChange, type ContactChange, type ContactChangeResult } from './contact-change.js';
import type { MappingStore, SyncPruneResult } from './mapping-store.js';
import { matchEndUser } from './match-keys.js';
import type { SyncCheckpoint } from './types.js';

/**
 * Where the matching sync reads the end-users: any directory that can list a tenant's end-users (the app's own
 * directory, `createPostgresDirectory`, or a function over an identity provider's export).
 * @public
 */
export interface EndUserSource {
  /** Every end-user of the tenant (a promise, or the list itself for an in-process directory). */
  list(tenantId: string): Promise<readonly EndUser[]> | readonly EndUser[];
}

/**
 * End-users the directory changed between syncs (`MatchingSync.applyEndUserChanges`): added or changed, and removed.
 * @public
 */
export interface EndUserChangeSet {
  /** End-users added or changed, as the directory now holds them. */
  put?: readonly EndUser[];
  /** Ids of end-users removed from the directory. */
  remove?: readonly string[];
}

/** What {@link MatchingSync.rebuildSuggestions} (and a completed run) kept. @public */
export interface SuggestionRebuild {
  /** Company suggestions kept. */
  companySuggestions: number;
  /** Contact suggestions kept. */
  contactSuggestions: number;
}

/** Configuration for {@link createMatchingSync}. @public */
export interface MatchingSyncConfig {
  /** The PSA to read; it must declare `capabilities.listRecords`. */
  psa: PsaAdapter;
  /**
   * The end-users contacts are matched to. Each run copies them into the store (what suggestions compare and the
   * lists show); between runs, report changes with `applyEndUserChanges`.
   */
  directory: EndUserSource;
  /** Where records, links and the checkpoint are kept. */
  store: MappingStore;
  /** The tenant (MSP) the PSA belongs to. */
  tenantId: string;
  /** Clock for checkpoint times (default: system). */
  clock?: Clock;
  /** Most records written per checkpoint (default 1000); a page boundary of the PSA also ends a batch. */
  batchSize?: number;
  /**
   * Where the links a sync drops are recorded: `unlink_company` / `unlink_contact` by QDesk itself, with `via`
   * `removed_from_psa` (a completed run no longer saw the record) or `contact_deleted` (a webhook).
   */
  audit?: AuditLog;
}

/** Where a run stands: records stored so far in a phase, and the total the PSA reported (`null` when unknown). @public */
export interface MatchingSyncProgress {
  /** Companies are read first, then contacts. */
  phase: 'companies' | 'contacts';
  /** Records of this phase stored by this run, including before a resume. Never decreases. */
  done: number;
  /** Records the phase will have, when the PSA can count them. */
  total: number | null;
}

/** Options for one {@link MatchingSync.run}. @public */
export interface MatchingSyncRunOptions {
  /** Called after each stored batch, and at the start and end of each phase. */
  onProgress?: (progress: MatchingSyncProgress) => void;
  /** Stops the run; what was stored stays and the next run resumes from it. */
  signal?: AbortSignal;
  /** Start a new run even when the last one did not complete (default false: resume it). */
  restart?: boolean;
  /**
   * Complete even when more than half of the stored records (and more than 20) would be removed as no longer in
   * the PSA (default false: such a run stops before removing anything, since a PSA that lists almost nothing more
   * often lost permissions than customers).
   */
  allowMassRemoval?: boolean;
}

/** A PSA record a run left out because it was malformed, with the first problem found. @public */
export interface SkippedRecord {
  /** Phase that read it. */
  phase: 'companies' | 'contacts';
  /** Its id. */
  id: string;
  /** What is wrong with it. */
  issue: FieldIssue;
}

/** What a completed run did. @public */
export interface MatchingSyncSummary extends SyncPruneResult, SuggestionRebuild {
  /** Id of the run (also in the checkpoint). */
  runId: string;
  /** True when this call resumed a run that had stopped. */
  resumed: boolean;
  /** Companies stored by the run (all its calls). */
  companies: number;
  /** Contacts stored by the run (all its calls). */
  contacts: number;
  /** Malformed records left out by this call. */
  skipped: SkippedRecord[];
  /** Epoch milliseconds the run started. */
  startedAt: number;
  /** Epoch milliseconds it completed. */
  completedAt: number;
  /** End-users copied from the directory. */
  endUsers: number;
}

/** Reads a PSA's companies and contacts into a {@link MappingStore}, resumably, and applies webhook changes. @public */
export interface MatchingSync {
  /**
   * Reads every company, then every contact, through the PSA's paged listings, storing them batch by batch with a
   * checkpoint (the last id stored). After a failure the next call resumes after that id, so no record is stored
   * twice; a completed run removes the records it did not see (and their links). A call made while a run is in
   * progress joins it: its `onProgress` is added, its other options are ignored.
   */
  run(options?: MatchingSyncRunOptions): Promise<MatchingSyncSummary>;
  /**
   * Applies one contact change a PSA webhook reported, and recomputes the suggestions it can affect: the contact's,
   * and those of the contacts sharing one of its emails (before or after the change).
   */
  applyContactChange(change: ContactChange): Promise<ContactChangeResult>;
  /**
   * Applies end-user changes the directory made between runs, and recomputes the suggestions they can affect: the
   * contacts holding their emails (before or after), and those of their customer with their name. Returns how many
   * contacts were recomputed. More than 5,000 changes at once rebuild every suggestion instead (it costs less).
   */
  applyEndUserChanges(changes: EndUserChangeSet): Promise<number>;
  /** Recomputes every suggestion from what the store holds (a completed run does it too). */
  rebuildSuggestions(): Promise<SuggestionRebuild>;
}

/** Above this many end-user changes, a full rebuild costs less than recomputing contact by contact. */
const REBUILD_ABOVE = 5000;

const MASS_REMOVAL_MIN = 20;

/**
 * Creates the sync that keeps a tenant's PSA companies and contacts in the mapping store, for suggestions and the
 * admin's lists.
 * @example
 * ```ts
 * const sync = createMatchingSync({ psa, store, tenantId: 'msp-1' });
 * const summary = await sync.run({ onProgress: ({ phase, done, total }) => bar.update(phase, done, total) });
 * ```
 * @throws `ConfigError` listing every missing or bad field (PSA methods, store methods, audit log, tenant id).
 * @public
 */
export function createMatchingSync(config: MatchingSyncConfig): MatchingSync {
  const issues: FieldIssue[] = [];
  const psa = config?.psa;
  if (typeof psa !== 'object' || psa === null) issues.push({ path: 'psa', message: 'must be a PsaAdapter' });
  else {
    if (psa.specificationVersion !== 'v1') {
      issues.push({ path: 'psa.specificationVersion', message: "must be 'v1'" });
    }
    if (psa.capabilities?.listRecords !== true) {
      issues.push({
        path: 'psa.capabilities.listRecords',
        message: 'must be true: this PSA cannot list companies and contacts',
      });
    }
    const missing = (['listCompanies', 'listContacts', 'getContact'] as const).filter(
      (method) => typeof psa[method] !== 'function',
    );
    if (missing.length > 0) issues.push({ path: 'psa', message: `missing method(s): ${missing.join(', ')}` });
  }
  issues.push(...mappingStoreIssues(config?.store), ...auditLogIssues(config?.audit));
  if (typeof config?.directory?.list !== 'function') {
    issues.push({
      path: 'directory',
      message:
        'must have list(tenantId): the end-users contacts are matched to (for example the app directory)',
    });
  }
  const tenant = idSchema.safeParse(config?.tenantId);
  if (!tenant.success) issues.push({ path: 'tenantId', message: tenant.error.issues[0]!.message });
  const batchSize = config?.batchSize ?? 1000;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000) {
    issues.push({ path: 'batchSize', message: 'must be a whole number from 1 to 100000' });
  }
  if (issues.length > 0) throw ConfigError.fromIssues('matching sync configuration', issues);
  const { store, audit, directory } = config;
  const tenantId = tenant.data!;
  const clock = config.clock ?? systemClock;
  const storeCall = <T>(operation: string, run: () => Promise<T>) =>
    AdapterError.wrap('mapping store', operation, run);

  let running: Promise<MatchingSyncSummary> | null = null;
  const listeners = new Set<(progress: MatchingSyncProgress) => void>();
  const emit = (progress: MatchingSyncProgress) => {
    for (const listener of listeners) listener(progress);
  };
  const context: PhaseContext = { psa, store, tenantId, clock, batchSize, emit };

  async function runOnce(options: MatchingSyncRunOptions): Promise<MatchingSyncSummary> {
    const signal = options.signal;
    signal?.throwIfAborted();
    let checkpoint = await storeCall('getSyncCheckpoint', () => store.getSyncCheckpoint(tenantId));
    const resumed = checkpoint !== null && checkpoint.phase !== 'completed' && options.restart !== true;
    if (!resumed || checkpoint === null) {
      const now = clock.now();
      checkpoint = {
        runId: `run_${randomUUID()}`,
        phase: 'companies',
        afterId: null,
        companiesDone: 0,
        contactsDone: 0,
        startedAt: now,
        updatedAt: now,
        completedAt: null,
      };
      const fresh = checkpoint;
      await storeCall('saveSyncBatch', () => store.saveSyncBatch(tenantId, { checkpoint: fresh }));
    }
    const skipped: SkippedRecord[] = [];
    if (checkpoint.phase === 'companies') {
      checkpoint = await readPhase(context, 'companies', checkpoint, skipped, signal);
      const next: SyncCheckpoint = {
        ...checkpoint,
        phase: 'contacts',
        afterId: null,
        updatedAt: clock.now(),
      };
      await storeCall('saveSyncBatch', () => store.saveSyncBatch(tenantId, { checkpoint: next }));
      checkpoint = next;
    }
    checkpoint = await readPhase(context, 'contacts', checkpoint, skipped, signal);
    signal?.throwIfAborted();

    if (options.allowMassRemoval !== true) await refuseMassRemoval(checkpoint);
    const now = clock.now();
    const completed: SyncCheckpoint = {
      ...checkpoint,
      phase: 'completed',
      afterId: null,
      updatedAt: now,
      completedAt: now,
    };
    const pruned = await storeCall('completeSync', () => store.completeSync(tenantId, completed));
    // The end-users as the directory holds them now, then every suggestion, computed once over everything.
    const endUsers = await readDirectory();
    await storeCall('saveEndUsers', () =>
      store.saveEndUsers(tenantId, { put: endUsers.map(matchEndUser), replaceAll: true }),
    );
    const kept = await rebuildAll(store, tenantId);
    // The records are gone from the PSA, so their links cannot be put back; each drop is recorded.
    const change = { actor: SYSTEM, at: now, via: 'removed_from_psa' as const, after: null };
    for (const link of pruned.unlinkedCompanies) {
      await auditLinkChange(audit, { ...change, kind: 'company', before: link });
    }
    for (const link of pruned.unlinkedContacts) {
      await auditLinkChange(audit, { ...change, kind: 'contact', before: link });
    }
    return {
      runId: completed.runId,
      resumed,
      companies: completed.companiesDone,
      contacts: completed.contactsDone,
      ...pruned,
      skipped,
      startedAt: completed.startedAt,
      completedAt: now,
      endUsers: endUsers.length,
      ...kept,
    };
  }

  async function readDirectory(): Promise<readonly EndUser[]> {
    const users = await AdapterError.wrap('directory', 'list', async () => directory.list(tenantId));
    checkRecords('MatchingSync.run', 'directory.list()', users, SHAPES.endUser);
    return users.filter((u) => u.tenantId === tenantId);
  }

  async function applyEndUserChanges(changes: EndUserChangeSet): Promise<number> {
    const operation = 'applyEndUserChanges';
    const put = changes?.put ?? [];
    const remove = changes?.remove ?? [];
    checkRecords(operation, 'put', put, SHAPES.endUser);
    const ids = [...put.map((u) => u.id), ...remove];
    if (ids.length === 0) return 0;
    const before = await storeCall('findEndUsers', () => store.findEndUsers(tenantId, { ids }));
    const after = put.filter((u) => u.tenantId === tenantId).map(matchEndUser);
    await storeCall('saveEndUsers', () => store.saveEndUsers(tenantId, { put: after, remove }));
    if (ids.length > REBUILD_ABOVE) {
      await rebuildAll(store, tenantId);
      return (await storeCall('listContacts', () => store.listContacts(tenantId))).length;
    }
    const was = endUserSeed(before);
    const now = endUserSeed(after);
    return refreshContactSuggestions(store, tenantId, {
      emails: [...was.emails!, ...now.emails!],
      names: [...was.names!, ...now.names!],
    });
  }

  async function refuseMassRemoval(checkpoint: SyncCheckpoint) {
    const [companies, contacts] = await Promise.all([
      storeCall('listCompanies', () => store.listCompanies(tenantId)),
      storeCall('listContacts', () => store.listContacts(tenantId)),
    ]);
    const checks = [
      { kind: 'companies', stored: companies.length, seen: checkpoint.companiesDone },
      { kind: 'contacts', stored: contacts.length, seen: checkpoint.contactsDone },
    ];
    for (const { kind, stored, seen } of checks) {
      const removing = stored - seen;
      if (removing > MASS_REMOVAL_MIN && removing * 2 > stored) {
        throw new QdeskError(
          `The PSA (${psa.name}) listed ${seen} ${kind} but ${stored} are stored: completing would remove ` +
            `${removing} and their links. Check that the PSA account can still see every ${kind.slice(0, -1)}, ` +
            'then run again with allowMassRemoval: true if the removal is real.',
          { code: 'conflict', details: { kind, stored, seen } },
        );
      }
    }
  }

  return {
    run(options = {}) {
      if (options.onProgress) listeners.add(options.onProgress);
      if (!running) {
        running = runOnce(options).finally(() => {
          running = null;
          listeners.clear();
        });
      }
      return running;
    },
    applyContactChange: (change) => applyContactChange({ psa, store, tenantId, clock, audit }, change),
    applyEndUserChanges,
    rebuildSuggestions: () => rebuildAll(store, tenantId),
  };
}
