import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { type AuditLog, type Clock, type EndUser, QdeskError } from '@qdesk/core';
import type { SyncTargetDirectory } from '@qdesk/directory';
import {
  createPostgresDirectorySyncStateStore,
  type DirectorySyncKey,
  type DirectorySyncStateStore,
} from '@qdesk/store-postgres';
import { EnvError } from './config.js';
import type { ConfiguredDirectorySource, DirectorySourceSettings } from './directory-sources.js';
import { type LocalRun, messageOf, type RunContext, startRun } from './directory-sync-run.js';
import {
  type DirectorySourceStatus,
  type DirectorySyncCounts,
  nextRunOf,
  statusOf,
} from './directory-sync-status.js';
import type { AppStores } from './stores.js';

// Each customer's directory source, read into the end-user directory on its schedule: an incremental read every
// `everyMinutes`, a full read every `fullEveryHours` (so removals an incremental read cannot see are noticed). Each
// run holds a lease in the shared store, so two app instances (or the app and `pnpm qdesk directory sync`) never run
// one source at once; each page's state is saved as it is applied, so a run that fails, or an instance that dies,
// resumes after the last page applied. Every change to an end-user is audited by the sync's writer.

/** What {@link DirectorySync.run} came to. */
export type DirectorySyncOutcome =
  | { ran: true; counts: DirectorySyncCounts }
  | { ran: false; runningSince: number | null };

export interface DirectorySyncOptions {
  tenantId: string;
  sources: readonly ConfiguredDirectorySource[];
  directory: SyncTargetDirectory;
  /** Where the runs' state and leases live (shared by every instance); `null` only when there are no sources. */
  states: DirectorySyncStateStore | null;
  audit: Pick<AuditLog, 'append'>;
  clock: Clock;
  /** The customers that exist: a source naming another fails its run, saying so. */
  customerIds?: () => Promise<readonly string[]>;
  /** How long a lease lasts without renewal (default 5 minutes); renewed every third of it while a run goes on. */
  leaseMs?: number;
  /** How often the schedule looks for due sources (default 30 s). */
  intervalMs?: number;
  /** Told about a scheduled run that failed (the message only; default: one line on stderr). */
  onError?: (customerId: string, message: string) => void;
  /**
   * Tells the number a changed one replaced (and the email on file) that it changed; without it (the CLI), an audit
   * record `phone_change_notice_pending` says a notice is owed.
   */
  tellOldNumber?: (user: EndUser, previous: string) => Promise<void>;
}

/** The runner of every configured source. */
export interface DirectorySync {
  readonly sources: readonly DirectorySourceSettings[];
  /** Each source's status, for the admin page. */
  list(): Promise<DirectorySourceStatus[]>;
  /**
   * Runs one customer's source now and waits for it (the CLI): a full read with `full`, else whatever is due. Rejects
   * with the run's error (recorded first); `{ ran: false }` when another run of it holds the lease.
   */
  run(
    customerId: string,
    options?: { full?: boolean; onProgress?: (counts: DirectorySyncCounts) => void },
  ): Promise<DirectorySyncOutcome>;
  /** Starts one customer's source in the background ("Sync now"): `running` when a run of it holds the lease. */
  start(customerId: string, options?: { full?: boolean }): Promise<'started' | 'running'>;
  /** Runs every due source, one after another (the schedule calls it; tests too). */
  tick(): Promise<void>;
  /** Starts the schedule (an unref'd timer). */
  startSchedule(): void;
  /** Stops the schedule, stops runs under way after their current page, and waits for them. */
  stop(): Promise<void>;
  /** Resolves when every run this instance started has ended. */
  settled(): Promise<void>;
}

const MINUTE = 60_000;

/** The runner of every configured directory source; its schedule starts with `startSchedule`. */
export function createDirectorySync(options: DirectorySyncOptions): DirectorySync {
  const { tenantId, sources, directory, states, audit, clock } = options;
  if (sources.length > 0 && !states)
    throw new Error(
      'Directory sources keep their state in the database: give createDirectorySync its store.',
    );
  const leaseMs = options.leaseMs ?? 5 * MINUTE;
  const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const onError =
    options.onError ??
    ((customerId: string, message: string) =>
      console.error(`QDesk directory sync of ${customerId} failed: ${message}`));
  const byCustomer = new Map(sources.map((s) => [s.customerId, s]));
  const keyOf = (s: ConfiguredDirectorySource): DirectorySyncKey => ({
    tenantId,
    customerId: s.customerId,
    sourceKind: s.kind,
  });
  /** Runs under way on this instance. */
  const local = new Map<string, LocalRun & { done: Promise<unknown> }>();
  let stopping = false;
  let timer: ReturnType<typeof setInterval> | null = null;
  let ticking: Promise<void> | null = null;
  const context: RunContext | null = states && {
    tenantId,
    directory,
    states,
    audit,
    clock,
    owner,
    leaseMs,
    ...(options.customerIds ? { customerIds: options.customerIds } : {}),
    ...(options.tellOldNumber ? { tellOldNumber: options.tellOldNumber } : {}),
    onError,
    stopping: () => stopping,
  };

  const sourceOf = (customerId: string) => {
    const source = byCustomer.get(customerId);
    if (!source)
      throw new QdeskError(
        `No directory source for customer ${customerId}: add it to QDESK_DIRECTORY_SOURCES_FILE.`,
        { code: 'input_invalid' },
      );
    return source;
  };

  /** Starts a run here unless one of the source runs (here or elsewhere); `done` settles with it. */
  async function begin(
    s: ConfiguredDirectorySource,
    full: boolean,
    onProgress?: (counts: DirectorySyncCounts) => void,
  ): Promise<{ done: Promise<DirectorySyncCounts> } | null> {
    if (local.has(s.customerId) || stopping || !context) return null;
    let entry: (LocalRun & { done: Promise<unknown> }) | null = null;
    const started = await startRun(context, s, {
      full,
      ...(onProgress ? { onProgress } : {}),
      onStart: (run) => {
        // The app began shutting down while the lease was being claimed: the run ends at once, releasing it.
        if (stopping) run.controller.abort(new Error('the app is shutting down'));
        entry = Object.assign(run, { done: Promise.resolve() as Promise<unknown> });
        local.set(s.customerId, entry);
      },
      onEnd: () => local.delete(s.customerId),
    });
    if (!started) return null;
    entry!.done = started.done.catch(() => undefined);
    return { done: started.done };
  }

  async function tick() {
    if (ticking || stopping || !states) return ticking ?? undefined;
    ticking = (async () => {
      for (const s of sources) {
        if (stopping) break;
        try {
          if (local.has(s.customerId) || nextRunOf(s, await states.get(keyOf(s)), clock.now()) > clock.now())
            continue;
          await (await begin(s, false))?.done.catch((error: unknown) =>
            onError(s.customerId, messageOf(error)),
          );
        } catch (error) {
          onError(s.customerId, messageOf(error));
        }
      }
    })().finally(() => {
      ticking = null;
    });
    return ticking;
  }

  return {
    sources: sources.map(({ customerId, kind, defaultRegion, everyMinutes, fullEveryHours }) => ({
      customerId,
      kind,
      defaultRegion,
      everyMinutes,
      fullEveryHours,
    })),
    async list() {
      const records = new Map(
        (states ? await states.list(tenantId) : []).map((r) => [`${r.customerId}/${r.sourceKind}`, r]),
      );
      const now = clock.now();
      return sources.map((s) =>
        statusOf(s, records.get(`${s.customerId}/${s.kind}`) ?? null, local.get(s.customerId) ?? null, now),
      );
    },
    async run(customerId, runOptions = {}) {
      const s = sourceOf(customerId);
      const running = await begin(s, runOptions.full === true, runOptions.onProgress);
      if (!running) {
        const lease = (await states!.get(keyOf(s)))?.lease;
        return { ran: false, runningSince: lease?.since ?? local.get(customerId)?.since ?? null };
      }
      return { ran: true, counts: await running.done };
    },
    async start(customerId, startOptions = {}) {
      const running = await begin(sourceOf(customerId), startOptions.full === true);
      if (!running) return 'running';
      running.done.catch((error: unknown) => onError(customerId, messageOf(error)));
      return 'started';
    },
    tick,
    startSchedule() {
      if (timer || sources.length === 0) return;
      timer = setInterval(() => void tick(), options.intervalMs ?? 30_000);
      timer.unref();
    },
    async stop() {
      stopping = true;
      if (timer) clearInterval(timer);
      for (const run of local.values()) run.controller.abort(new Error('the app is shutting down'));
      await ticking;
      await Promise.all([...local.values()].map((run) => run.done));
    },
    async settled() {
      await ticking;
      await Promise.all([...local.values()].map((run) => run.done));
    },
  };
}

/**
 * The runner of the configured sources on the app's stores: its end-user directory, the sync state in its database
 * (the table every instance shares), the customers of its mapping store. Memory stores (the app's own tests) take no
 * sources: their state would not be shared.
 */
export function appDirectorySync(
  stores: AppStores,
  sources: readonly ConfiguredDirectorySource[],
  options: Pick<DirectorySyncOptions, 'tenantId' | 'clock' | 'tellOldNumber'>,
): DirectorySync {
  const { database } = stores;
  if (sources.length > 0 && !database)
    throw new EnvError(
      'QDESK_DIRECTORY_SOURCES_FILE: directory sources keep their state in the database; run on PostgreSQL or PGlite.',
    );
  return createDirectorySync({
    ...options,
    sources,
    directory: stores.directory,
    states: database ? createPostgresDirectorySyncStateStore(database) : null,
    audit: stores.audit,
    customerIds: async () => (await stores.mappings.listCustomers(options.tenantId)).map((c) => c.id),
  });
}
