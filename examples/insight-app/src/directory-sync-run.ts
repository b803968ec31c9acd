import { randomUUID } from 'node:crypto';
import { type AuditLog, type Clock, type EndUser, QdeskError } from '@qdesk/core';
import {
  type DirectorySyncState,
  type DirectorySyncSummary,
  isEntraResyncRequired,
  type SyncTargetDirectory,
  syncDirectory,
} from '@qdesk/directory';
import type { DirectorySyncKey, DirectorySyncStateStore } from '@qdesk/store-postgres';
import { z } from 'zod';
import type { ConfiguredDirectorySource } from './directory-sources.js';
import { countsOfSummary, type DirectorySyncCounts } from './directory-sync-status.js';

// One run of one customer's source, from claiming its lease to recording its outcome. The lease is renewed while the
// run goes on and checked at every page saved, so a run that stalled past its lease and lost it to another instance
// stops instead of writing over that instance's state.

const HOUR = 3_600_000;

const stateSchema: z.ZodType<DirectorySyncState> = z.object({
  cursor: z.string().nullable(),
  full: z.boolean(),
  seen: z.array(z.string()),
});

/** What every run of a runner shares. */
export interface RunContext {
  tenantId: string;
  directory: SyncTargetDirectory;
  states: DirectorySyncStateStore;
  audit: Pick<AuditLog, 'append'>;
  clock: Clock;
  /** This instance, as the lease names it. */
  owner: string;
  leaseMs: number;
  customerIds?: () => Promise<readonly string[]>;
  /** Told about what failed besides the run itself (its outcome could not be recorded). */
  onError: (customerId: string, message: string) => void;
  /** True once the app is shutting down (the run then says it was stopped). */
  stopping: () => boolean;
  /** Tells the number a changed one replaced; absent: the change is audited as a notice owed. */
  tellOldNumber?: (user: EndUser, previous: string) => Promise<void>;
}

/** A run under way on this instance: the admin page's progress, and how to stop it. */
export interface LocalRun {
  since: number;
  progress: DirectorySyncCounts | null;
  controller: AbortController;
}

/** `+1•••0101`: enough for an administrator to recognise, not to use (as the sync's own audit records mask it). */
const maskPhone = (value: string | null) => (value ? `${value.slice(0, 2)}•••${value.slice(-4)}` : null);

export const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Claims the source's lease and starts its run: `null` when another run holds the lease. `run` is the run under way
 * (for the progress bar), `done` settles with what it did, or rejects with why it failed once that is recorded.
 * Without `full`, a full read under way is resumed, a full read is started when `fullEveryHours` have passed since the
 * last one, and otherwise the run reads what changed since the last.
 */
export async function startRun(
  context: RunContext,
  s: ConfiguredDirectorySource,
  options: {
    full: boolean;
    onProgress?: (counts: DirectorySyncCounts) => void;
    /** Called once the lease is held, before the run starts. */
    onStart?: (run: LocalRun) => void;
    /** Called as the run ends, before `done` settles. */
    onEnd?: () => void;
  },
): Promise<{ run: LocalRun; done: Promise<DirectorySyncCounts> } | null> {
  const { tenantId, states, clock, owner, leaseMs } = context;
  const key: DirectorySyncKey = { tenantId, customerId: s.customerId, sourceKind: s.kind };
  const claimed = await states.claim(key, { owner, now: clock.now(), leaseMs });
  if (!claimed) return null;
  const stored = options.full ? null : (stateSchema.safeParse(claimed.state).data ?? null);
  const fullDue = claimed.lastFullAt === null || clock.now() - claimed.lastFullAt >= s.fullEveryHours * HOUR;
  let start = stored?.full ? stored : fullDue ? null : stored;
  const run: LocalRun = { since: clock.now(), progress: null, controller: new AbortController() };
  s.warnings.clear();
  options.onStart?.(run);
  const heartbeat = setInterval(
    () => {
      states
        .renew(key, { owner, now: clock.now(), leaseMs })
        .then((held) => held || run.controller.abort(new Error('another instance took this sync over')))
        .catch(() => undefined); // the next renewal, or the next page's save, tries again
    },
    Math.max(1000, Math.floor(leaseMs / 3)),
  );
  heartbeat.unref();
  // The running summary: saved with each page's state (the page before's, as syncDirectory reports it after the save).
  let latest: DirectorySyncSummary | null = null;
  const counts = (summary: DirectorySyncSummary) =>
    countsOfSummary(summary, start === null || start.full, s.warnings);
  const once = () =>
    syncDirectory({
      source: s.source,
      directory: context.directory,
      tenantId,
      customerId: s.customerId,
      defaultRegion: s.defaultRegion,
      audit: context.audit,
      clock,
      state: start,
      signal: run.controller.signal,
      saveState: async (state) => {
        const progress = latest ? counts(latest) : null;
        if (!(await states.saveState(key, { owner, now: clock.now(), leaseMs, state, progress })))
          throw new QdeskError(
            'Another instance took this directory sync over (this one stalled past its lease); it resumes from the last page saved.',
            { code: 'conflict' },
          );
      },
      onProgress: (summary) => {
        latest = summary;
        run.progress = counts(summary);
        options.onProgress?.(run.progress);
      },
      // A changed number is a new authenticator (NIST SP 800-63B rev 4, 4.1.2.1): the old number is told. Where no
      // channel is at hand (the CLI), the audit trail records that a notice is owed.
      onPhoneChanged: ({ user, previous, next }) =>
        context.tellOldNumber
          ? context.tellOldNumber(user, previous)
          : context.audit.append({
              id: `au_dir_${randomUUID()}`,
              at: clock.now(),
              tenantId,
              sessionId: null,
              action: 'phone_change_notice_pending',
              actor: { type: 'system', id: `directory:${s.kind}` },
              ticketId: null,
              ticketNumber: null,
              endUserId: user.id,
              customerId: s.customerId,
              method: null,
              result: 'pending',
              status: null,
              detail: { previous: maskPhone(previous), next: maskPhone(next), source: s.kind },
            }),
    });
  const finish = (summary: DirectorySyncCounts | null, error: string | null, full: boolean) =>
    states
      .finish(key, { owner, now: clock.now(), summary, error, full })
      .catch((failure: unknown) =>
        context.onError(s.customerId, `its outcome was not recorded: ${messageOf(failure)}`),
      );
  const done = (async () => {
    try {
      const known = context.customerIds ? await context.customerIds() : null;
      if (known && !known.includes(s.customerId))
        throw new QdeskError(
          `Customer ${s.customerId} is not a QDesk customer: create it on the matching page, or fix customerId in QDESK_DIRECTORY_SOURCES_FILE.`,
          { code: 'config_invalid' },
        );
      let result: Awaited<ReturnType<typeof syncDirectory>>;
      try {
        result = await once();
      } catch (error) {
        // Graph no longer knows the delta link (it expires): read everything again, once.
        if (start === null || !isEntraResyncRequired(error)) throw error;
        start = null;
        latest = null;
        result = await once();
      }
      const outcome = counts(result.summary);
      await finish(outcome, null, outcome.full);
      return outcome;
    } catch (error) {
      const message = context.stopping()
        ? 'Stopped when the app shut down; the next run resumes after the last page saved.'
        : messageOf(error);
      await finish(latest ? counts(latest) : null, message, false);
      throw error;
    } finally {
      clearInterval(heartbeat);
      options.onEnd?.();
    }
  })();
  return { run, done };
}
