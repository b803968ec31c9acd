import type { RateCounter } from '../ports/rate-counter.js';

/**
 * In-process {@link RateCounter}: the embedded default and the reference for `runRateCounterConformance`. Each key
 * keeps the times of its hits; a count drops the hits older than its window.
 * @public
 */
export function createMemoryRateCounter(): RateCounter {
  const hits = new Map<string, number[]>();
  const within = (tenantId: string, key: string, windowMs: number | null, now: number) => {
    const id = `${tenantId}\u0000${key}`;
    const all = hits.get(id) ?? [];
    const kept = windowMs === null ? all : all.filter((t) => t > now - windowMs);
    hits.set(id, kept);
    return kept;
  };
  return {
    specificationVersion: 'v1',
    async increment(tenantId, key, { windowMs, now }) {
      const kept = within(tenantId, key, windowMs, now);
      kept.push(now);
      return kept.length;
    },
    async count(tenantId, key, { windowMs, now }) {
      return within(tenantId, key, windowMs, now).length;
    },
    async reset(tenantId, key) {
      hits.delete(`${tenantId}\u0000${key}`);
    },
  };
}
