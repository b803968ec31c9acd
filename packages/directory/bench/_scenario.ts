// The one scenario both sources run: a full read and a full sync of the whole directory, then rounds of changes,
// each followed by an incremental read and an incremental sync; at one round, the alternative a user would pick
// instead (a plain full read, and a full re-sync) beside them, and a check that both syncs leave the same directory.
import { isDeepStrictEqual } from 'node:util';
import {
  type DirectorySource,
  type DirectorySyncState,
  type DirectorySyncSummary,
  type SourcePage,
  syncDirectory,
} from '../src/index.js';
import { type Deadline, mapDirectory, measured, type Watched, watched } from './_measure.js';

/** What crossed the wire so far (cumulative counters of the subject). */
export interface Traffic {
  /** Requests sent (for LDAP: bind, one search request per page, unbind). */
  requests: number;
  /** Requests inside JSON batches (each counts against Graph's throttling like a request of its own). */
  subRequests: number;
  /** Bytes the server sent. */
  bytes: number;
}

/** A directory to benchmark: its source, its counters, and how to change it and read it the plain way. */
export interface BenchSubject {
  /** `LDAP` or `Entra`. */
  name: string;
  /** People in the directory at the start. */
  people: number;
  /** Pages a full read takes at most (a read beyond it fails). */
  maxPages: number;
  /** What the plain full read is, for the table. */
  alternative: string;
  /** A new source on the directory. */
  createSource(): DirectorySource;
  traffic(): Traffic;
  /**
   * Makes `count` changes, each reported once by the next incremental read; `round` (from 1) makes them differ from
   * those of earlier rounds.
   */
  change(count: number, round: number): Promise<void>;
  /** The alternative: every entry, read without this package; `onPage` is called on each page. */
  plainRead(onPage: () => void): Promise<{ entries: number; pages: number }>;
}

/** One line of the table. */
export interface Row {
  source: string;
  step: 'read' | 'sync';
  run: string;
  changes: number | null;
  /** People the read reported (changes handed to the sync), or entries the plain read returned. */
  people: number;
  ms: number;
  requests: number;
  subRequests: number;
  pages: number;
  bytes: number;
  peakRssMiB: number;
  peakHeapMiB: number;
  keptHeapMiB: number;
  result: string;
}

/** The incremental read and sync after one round of changes. */
export interface Round {
  changes: number;
  read: Row;
  sync: Row;
}

export interface ScenarioResult {
  /** Rows for the table: full read, incremental read at the shown round, plain read, and the same for syncs. */
  rows: Row[];
  fullRead: Row;
  rounds: Round[];
  /** At the shown round: the incremental sync, and the full re-sync a user would run instead. */
  shown: { sync: Row; resync: Row };
  /** The incremental syncs and a full re-sync left the same end-users, field for field. */
  sameDirectory: boolean;
}

const TENANT = 'msp-bench';
const CUSTOMER = 'cust-bench';
/** A fixed clock, so that the incrementally synced and the re-synced directories can be compared field for field. */
const SYNC_TIME = Date.UTC(2026, 10, 30, 9);

const fmt = (n: number) => n.toLocaleString('en-US');

function describeSync(summary: DirectorySyncSummary, audits: number): string {
  const parts = [
    `created ${fmt(summary.created)}`,
    `updated ${fmt(summary.updated)}`,
    `unchanged ${fmt(summary.unchanged)}`,
    `dropped ${fmt(summary.disabled)}`,
  ];
  if (summary.skipped.length > 0) parts.push(`skipped ${fmt(summary.skipped.length)}`);
  return `${parts.join(', ')}; ${fmt(audits)} audit records`;
}

/** Runs the scenario on `subject`: rounds of `rounds` changes, the alternative beside the round of `shown`. */
export async function runScenario(
  subject: BenchSubject,
  options: { rounds: readonly number[]; shown: number; deadline: Deadline },
): Promise<ScenarioResult> {
  const { deadline } = options;
  let audits = 0;
  const syncSettings = {
    tenantId: TENANT,
    customerId: CUSTOMER,
    defaultRegion: 'US',
    audit: { append: async () => void audits++ },
    clock: { now: () => SYNC_TIME },
  };

  /** Measures `work` (given a fresh, watched source on demand): time, memory and the traffic it caused. */
  async function measure<T>(
    meta: Pick<Row, 'step' | 'run' | 'changes'>,
    work: (open: () => DirectorySource, sample: () => void) => Promise<T>,
    describe: (value: T, seen: Watched) => { people: number; pages?: number; result: string },
  ): Promise<{ row: Row; value: T }> {
    deadline.check();
    const before = subject.traffic();
    audits = 0;
    let seen: Watched = { pages: 0, changes: 0 };
    const m = await measured((sample) =>
      work(() => {
        const watch = watched(subject.createSource(), {
          maxPages: subject.maxPages,
          deadline,
          onPage: sample,
        });
        seen = watch.seen;
        return watch.source;
      }, sample),
    );
    const after = subject.traffic();
    const { people, pages, result } = describe(m.value, seen);
    const row: Row = {
      source: subject.name,
      ...meta,
      people,
      ms: m.ms,
      requests: after.requests - before.requests,
      subRequests: after.subRequests - before.subRequests,
      pages: pages ?? seen.pages,
      bytes: after.bytes - before.bytes,
      peakRssMiB: m.peakRssMiB,
      peakHeapMiB: m.peakHeapMiB,
      keptHeapMiB: m.keptHeapMiB,
      result,
    };
    return { row, value: m.value };
  }

  /** Reads to the end, counting the records, keeping none; the last page's cursor. */
  const read = (meta: Pick<Row, 'run' | 'changes'>, cursor: string | null) =>
    measure(
      { step: 'read', ...meta },
      async (open) => {
        let last: SourcePage | undefined;
        for await (const page of open().read({ cursor })) last = page;
        return last?.cursor ?? null;
      },
      (_cursor, seen) => ({ people: seen.changes, result: '' }),
    );

  const sync = (
    meta: Pick<Row, 'run' | 'changes'>,
    directory: ReturnType<typeof mapDirectory>,
    state: DirectorySyncState | null,
  ) =>
    measure(
      { step: 'sync', ...meta },
      (open) => syncDirectory({ ...syncSettings, source: open(), directory, state }),
      ({ summary }, seen) => ({ people: seen.changes, result: describeSync(summary, audits) }),
    );

  const plain = () =>
    measure(
      { step: 'read', run: `alternative: ${subject.alternative}`, changes: options.shown },
      (_open, sample) => subject.plainRead(sample),
      ({ entries, pages }) => ({ people: entries, pages, result: 'entries counted, nothing mapped or kept' }),
    );

  // Warms the server's caches and the JIT for every measure below (not measured).
  await subject.plainRead(() => undefined);

  const fullRead = await read({ run: 'full read', changes: null }, null);
  let cursor = fullRead.value;
  const incremental = mapDirectory();
  const fullSync = await sync({ run: 'full sync', changes: null }, incremental, null);
  fullSync.row.result += `; ${fmt(incremental.users.size)} end-users stored`;
  let state = fullSync.value.state;
  // Entries are replaced, never changed in place, so a shallow copy is a directory of its own.
  const resynced = mapDirectory(new Map(incremental.users));

  const rounds: Round[] = [];
  let rows: Row[] | null = null;
  let shown: ScenarioResult['shown'] | null = null;
  let sameDirectory = false;
  for (const [round, count] of options.rounds.entries()) {
    if (count > 0) await subject.change(count, round + 1);
    const next = await read({ run: 'incremental read', changes: count }, cursor);
    if (next.row.people !== count) {
      throw new Error(
        `${subject.name}: the incremental read after ${count} changes reported ${next.row.people} people`,
      );
    }
    cursor = next.value;
    const synced = await sync({ run: 'incremental sync', changes: count }, incremental, state);
    state = synced.value.state;
    rounds.push({ changes: count, read: next.row, sync: synced.row });
    if (count !== options.shown) continue;
    const alternative = await plain();
    const again = await sync({ run: 'alternative: full re-sync', changes: count }, resynced, null);
    sameDirectory = isDeepStrictEqual(incremental.users, resynced.users);
    again.row.result += sameDirectory
      ? '; same end-users as the incremental syncs'
      : '; DIFFERS from the incremental syncs';
    rows = [fullRead.row, next.row, alternative.row, fullSync.row, synced.row, again.row];
    shown = { sync: synced.row, resync: again.row };
  }
  if (!rows || !shown)
    throw new Error(`no round of ${options.shown} changes in ${options.rounds.join(', ')}`);
  return { rows, fullRead: fullRead.row, rounds, shown, sameDirectory };
}

/**
 * Whether the incremental cost follows the number of changes and not the directory's size: at `shown` changes it
 * moves at most 5% of the full read's bytes and 10% of its requests, and ten times the changes cost 5 to 20 times
 * the bytes (not the same, as a re-read would; not the directory's size).
 */
export function followsChanges(
  result: ScenarioResult,
  shown: number,
): { ok: boolean; byteShare: number; requestShare: number; growth: number; at: Round; tenfold: Round } {
  const at = result.rounds.find((r) => r.changes === shown);
  const tenfold = result.rounds.find((r) => r.changes === shown * 10);
  if (!at || !tenfold) throw new Error(`the rounds need ${shown} and ${shown * 10} changes`);
  const full = result.fullRead;
  const all = (row: Row) => row.requests + row.subRequests;
  const byteShare = at.read.bytes / full.bytes;
  const requestShare = all(at.read) / all(full);
  const growth = tenfold.read.bytes / at.read.bytes;
  const ok = byteShare <= 0.05 && requestShare <= 0.1 && growth >= 5 && growth <= 20;
  return { ok, byteShare, requestShare, growth, at, tenfold };
}
