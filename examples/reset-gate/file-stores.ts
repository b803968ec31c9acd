// The reset tool's stores, kept in a folder: a RateCounter (where QDesk records a spent grant, so a second run with
// the same grant is refused) and an append-only AuditLog (where `grant_used` and `grant_refused` land). Every run of
// the tool on this machine must use the same folder. In production, give the tool the same stores as the app
// instead (its database): then a grant spent by any tool, on any machine, is spent for all of them.
import { createHash } from 'node:crypto';
import { appendFile, mkdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuditLog, RateCounter } from '@qdesk/core';

const LOCK_STALE_MS = 10_000;

/** A RateCounter over one JSON file of hit times per key; an increment holds the key's lock (a directory). */
export function createFileRateCounter(dir: string): RateCounter {
  const file = (tenantId: string, key: string) =>
    join(
      dir,
      'counters',
      createHash('sha256')
        .update(JSON.stringify([tenantId, key]))
        .digest('hex'),
    );
  const read = async (path: string): Promise<number[]> => {
    try {
      return JSON.parse(await readFile(`${path}.json`, 'utf8')) as number[];
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  };
  const locked = async <T>(path: string, run: () => Promise<T>): Promise<T> => {
    await mkdir(join(dir, 'counters'), { recursive: true });
    for (;;) {
      try {
        await mkdir(`${path}.lock`); // atomic: exactly one caller creates it
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const since = await stat(`${path}.lock`).then(
          (s) => Date.now() - s.mtimeMs,
          () => 0,
        );
        if (since > LOCK_STALE_MS) await rmdir(`${path}.lock`).catch(() => undefined); // a crashed holder
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    }
    try {
      return await run();
    } finally {
      await rmdir(`${path}.lock`);
    }
  };
  const inWindow = (hits: number[], windowMs: number | null, now: number) =>
    windowMs === null ? hits : hits.filter((t) => t > now - windowMs);
  return {
    specificationVersion: 'v1',
    async increment(tenantId, key, { windowMs, now }) {
      const path = file(tenantId, key);
      return locked(path, async () => {
        const hits = [...inWindow(await read(path), windowMs, now), now];
        await writeFile(`${path}.tmp`, JSON.stringify(hits));
        await rename(`${path}.tmp`, `${path}.json`); // a reader sees the old list or the new one, never half
        return hits.length;
      });
    },
    async count(tenantId, key, { windowMs, now }) {
      return inWindow(await read(file(tenantId, key)), windowMs, now).length;
    },
    async reset(tenantId, key) {
      const path = file(tenantId, key);
      await locked(path, () => rm(`${path}.json`, { force: true }));
    },
  };
}

/** An append-only AuditLog: one JSON line per record in `audit.jsonl`. */
export function createFileAuditLog(dir: string): AuditLog {
  return {
    specificationVersion: 'v1',
    capabilities: { query: false },
    async append(record) {
      await mkdir(dir, { recursive: true });
      await appendFile(join(dir, 'audit.jsonl'), `${JSON.stringify(record)}\n`);
    },
  };
}
