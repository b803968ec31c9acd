// What the directory benchmark measures with, for both sources: a deadline, time and memory around one piece of
// work, a source wrapper that watches its pages, and an in-memory end-user directory for syncDirectory.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { EndUser } from '@qdesk/core';
import type { DirectorySource, SourcePage, SyncTargetDirectory } from '../src/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const MiB = 1024 * 1024;
const oneDecimal = (bytes: number) => Math.round((bytes / MiB) * 10) / 10;

/** A point in time after which every measurement refuses to start and every read stops: the bench is bounded. */
export interface Deadline {
  check(): void;
}

/** A deadline `ms` from now. */
export function deadlineIn(ms: number): Deadline {
  const at = Date.now() + ms;
  return {
    check() {
      if (Date.now() > at) throw new Error(`benchmark deadline passed (${Math.round(ms / 1000)} s)`);
    },
  };
}

/** Time and memory around one piece of work. */
export interface Measured<T> {
  value: T;
  ms: number;
  peakRssMiB: number;
  peakHeapMiB: number;
  /** Heap in use after the work and a full GC, less before it: what the work kept. */
  keptHeapMiB: number;
}

/**
 * Runs `work` after a full GC, sampling memory every 10 ms and whenever `work` calls `sample` (the sources call it
 * on every page), and measures what it kept after another full GC.
 */
export async function measured<T>(work: (sample: () => void) => Promise<T>): Promise<Measured<T>> {
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  let peakRss = 0;
  let peakHeap = 0;
  const sample = () => {
    const { rss, heapUsed } = process.memoryUsage();
    peakRss = Math.max(peakRss, rss);
    peakHeap = Math.max(peakHeap, heapUsed);
  };
  const sampler = setInterval(sample, 10);
  const started = performance.now();
  let value: T;
  try {
    value = await work(sample);
    sample();
  } finally {
    clearInterval(sampler);
  }
  const ms = Math.round(performance.now() - started);
  gc();
  return {
    value,
    ms,
    peakRssMiB: oneDecimal(peakRss),
    peakHeapMiB: oneDecimal(peakHeap),
    keptHeapMiB: oneDecimal(process.memoryUsage().heapUsed - heapBefore),
  };
}

/** Pages and changes a watched source handed out. */
export interface Watched {
  pages: number;
  changes: number;
}

/**
 * `source` with each page counted, handed to `onPage`, and checked against the deadline; a read of more than
 * `maxPages` pages fails (a read that does not end is a fault, not a directory).
 */
export function watched(
  source: DirectorySource,
  options: { maxPages: number; deadline: Deadline; onPage: (page: SourcePage) => void },
): { source: DirectorySource; seen: Watched } {
  const seen: Watched = { pages: 0, changes: 0 };
  return {
    seen,
    source: {
      kind: source.kind,
      async *read(readOptions) {
        let pages = 0;
        for await (const page of source.read(readOptions)) {
          options.deadline.check();
          pages += 1;
          if (pages > options.maxPages) {
            throw new Error(`the ${source.kind} read does not end: more than ${options.maxPages} pages`);
          }
          seen.pages += 1;
          seen.changes += page.changes.length;
          options.onPage(page);
          yield page;
        }
      },
    },
  };
}

/** An end-user directory in a Map, as the PostgreSQL one behaves for a sync (put replaces, remove says if stored). */
export function mapDirectory(users = new Map<string, EndUser>()): SyncTargetDirectory & {
  users: Map<string, EndUser>;
} {
  return {
    users,
    getById: async (_tenant, id) => structuredClone(users.get(id) ?? null),
    put: async (user) => {
      users.set(user.id, structuredClone(user));
    },
    remove: async (_tenant, id) => users.delete(id),
    list: async () => [...users.values()].map((user) => structuredClone(user)),
  };
}
