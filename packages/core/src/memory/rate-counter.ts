import type { RateCounter } from '../ports/rate-counter.js';

/** A {@link RateCounter} in memory, whose stored hits a test can read directly. @public */
export interface MemoryRateCounter extends RateCounter {
  /** The hit times the key holds now, oldest first (hits a count already dropped are gone). */
  peek(tenantId: string, key: string): readonly number[];
}

/**
 * In-process {@link RateCounter}: the embedded default and the reference for `runRateCounterConformance`. Each key
 * keeps the times of its hits; a count drops the hits older than its window.
 * @public
 */
export function createMemoryRateCounter(): MemoryRateCounter {
  const hits = new Map<string, number[]>();
  const slot = (tenantId: string, key: string) => `${tenantId}\u0000${key}`;
  const within = (tenantId: string, key: string, windowMs: number | null, now: number) => {
    const id = slot(tenantId, key);
    const all = hits.get(id) ?? [];
    const kept = windowMs === null ? all : all.filter((t) => t > now - windowMs);
    hits.set(id, kept);
    return kept;
  };
  return {
    specificationVersion: 'v1',
    peek: (tenantId, key) => [...(hits.get(slot(tenantId, key)) ?? [])],
    async increment(tenantId, key, { windowMs, now }) {
      const kept = within(tenantId, key, windowMs, now);
      kept.push(now);
      return kept.length;
    },
    async count(tenantId, key, { windowMs, now }) {
      return within(tenantId, key, windowMs, now).length;
    },
    async reset(tenantId, key) {
      hits.delete(slot(tenantId, key));
    },
  };
}
