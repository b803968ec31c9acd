import type { DirectorySyncSummary } from '@qdesk/directory';
import type { DirectorySyncRecord } from '@qdesk/store-postgres';
import { z } from 'zod';
import type { DirectorySourceSettings } from './directory-sources.js';

// What a directory sync did, and where each source stands: what the shared store keeps between runs, read back
// for the admin page, the API and the CLI.

const MINUTE = 60_000;

/** What a run did, as the store keeps it and the admin page shows it: counts, and skipped records by reason. */
export interface DirectorySyncCounts {
  /** A full read (everyone), or only the changes since the last run. */
  full: boolean;
  pages: number;
  created: number;
  updated: number;
  unchanged: number;
  disabled: number;
  skipped: number;
  skippedReasons: { reason: string; count: number }[];
  /** What the source read on without (Entra ID without permission to read MFA phone methods). */
  warnings: string[];
}

const countsSchema: z.ZodType<DirectorySyncCounts> = z.object({
  full: z.boolean(),
  pages: z.number(),
  created: z.number(),
  updated: z.number(),
  unchanged: z.number(),
  disabled: z.number(),
  skipped: z.number(),
  skippedReasons: z.array(z.object({ reason: z.string(), count: z.number() })),
  warnings: z.array(z.string()),
});
/** Counts as the store gave them back, or `null` when they are not (an older format). */
export const countsOf = (value: unknown) => countsSchema.safeParse(value).data ?? null;

/** A summary of `syncDirectory`, counted: skipped records by reason, not one by one (a directory can skip thousands). */
export function countsOfSummary(
  summary: DirectorySyncSummary,
  full: boolean,
  warnings: Set<string>,
): DirectorySyncCounts {
  const reasons = new Map<string, number>();
  for (const { reason } of summary.skipped) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  const { pages, created, updated, unchanged, disabled } = summary;
  return {
    full,
    pages,
    created,
    updated,
    unchanged,
    disabled,
    skipped: summary.skipped.length,
    skippedReasons: [...reasons].map(([reason, count]) => ({ reason, count })),
    warnings: [...warnings],
  };
}

/** One source as the admin page shows it: its settings, the run under way, the last run, the next. */
export interface DirectorySourceStatus extends DirectorySourceSettings {
  /** The run under way, on this instance or another (`here`), with its running counts. */
  running: { since: number; here: boolean; progress: DirectorySyncCounts | null } | null;
  /** The last run that ended: when it started (unknown once a newer run has started) and ended, what it did. */
  lastRun: {
    startedAt: number | null;
    finishedAt: number;
    counts: DirectorySyncCounts | null;
    error: string | null;
  } | null;
  /** A run that started and never ended: its instance stopped; the next run resumes after its last saved page. */
  interruptedAt: number | null;
  lastFullAt: number | null;
  /** When the schedule runs it next (epoch ms; at once when due). */
  nextRunAt: number;
}

/** When the schedule runs a source next: at once before its first run or after an abandoned one. */
export function nextRunOf(
  settings: Pick<DirectorySourceSettings, 'everyMinutes'>,
  record: DirectorySyncRecord | null,
  now: number,
): number {
  if (!record || (record.lease && record.lease.expiresAt <= now)) return now;
  const last = Math.max(record.lastStartedAt ?? 0, record.lastFinishedAt ?? 0);
  return last + settings.everyMinutes * MINUTE;
}

/** One source's status from its stored record and the run under way on this instance (if any). */
export function statusOf(
  source: DirectorySourceSettings,
  record: DirectorySyncRecord | null,
  here: { since: number; progress: DirectorySyncCounts | null } | null,
  now: number,
): DirectorySourceStatus {
  const { customerId, kind, defaultRegion, everyMinutes, fullEveryHours } = source;
  const lease = record?.lease && record.lease.expiresAt > now ? record.lease : null;
  return {
    customerId,
    kind,
    defaultRegion,
    everyMinutes,
    fullEveryHours,
    running: here
      ? { since: here.since, here: true, progress: here.progress }
      : lease
        ? { since: lease.since, here: false, progress: countsOf(record?.progress) }
        : null,
    lastRun:
      record?.lastFinishedAt != null
        ? {
            // A claim moves the start time to the newer run's.
            startedAt:
              record.lastStartedAt !== null && record.lastStartedAt <= record.lastFinishedAt
                ? record.lastStartedAt
                : null,
            finishedAt: record.lastFinishedAt,
            counts: countsOf(record.summary),
            error: record.lastError,
          }
        : null,
    interruptedAt: record?.lease && !lease && !here ? record.lease.since : null,
    lastFullAt: record?.lastFullAt ?? null,
    nextRunAt: Math.max(now, nextRunOf(source, record, now)),
  };
}
