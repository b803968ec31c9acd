/**
 * Deliberately broken rate counters, one mistake each, to show that every rate-counter rule can fail and says what to
 * fix. Not exported from the package.
 */
import type { RateCounter, RateWindow } from '../../ports/rate-counter.js';

/** The mistake a broken counter makes. @internal */
export type RateCounterFlaw =
  | 'declares v0'
  | 'count adds a hit'
  | 'increment returns the count before the hit'
  | 'keeps a hit at the window edge'
  | 'reads windowMs null as 0'
  | 'joins tenant and key without a separator'
  | 'reads and writes in two steps'
  | 'reset forgets every key';

/** A broken counter with a raw read for the kit's `inspect`. @internal */
export interface BrokenRateCounter extends RateCounter {
  /** How many hits the key holds. */
  peek(tenantId: string, key: string): number;
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A counter that makes `flaw` and is otherwise correct. @internal */
export function createBrokenRateCounter(flaw: RateCounterFlaw): BrokenRateCounter {
  const hits = new Map<string, number[]>();
  const slot = (tenantId: string, key: string) =>
    flaw === 'joins tenant and key without a separator' ? `${tenantId}${key}` : `${tenantId}\u0000${key}`;
  const inWindow = (t: number, { windowMs, now }: RateWindow) => {
    const length = windowMs ?? (flaw === 'reads windowMs null as 0' ? 0 : Number.POSITIVE_INFINITY);
    return flaw === 'keeps a hit at the window edge' ? t >= now - length : t > now - length;
  };
  const counter: BrokenRateCounter = {
    specificationVersion: (flaw === 'declares v0' ? 'v0' : 'v1') as 'v1',
    peek: (tenantId, key) => hits.get(slot(tenantId, key))?.length ?? 0,
    async increment(tenantId, key, window) {
      const before = [...(hits.get(slot(tenantId, key)) ?? [])];
      if (flaw === 'reads and writes in two steps') await tick();
      hits.set(slot(tenantId, key), [...before, window.now]);
      const counted = before.filter((t) => inWindow(t, window)).length + 1;
      return flaw === 'increment returns the count before the hit' ? counted - 1 : counted;
    },
    async count(tenantId, key, window) {
      if (flaw === 'count adds a hit') return counter.increment(tenantId, key, window);
      return (hits.get(slot(tenantId, key)) ?? []).filter((t) => inWindow(t, window)).length;
    },
    async reset(tenantId, key) {
      if (flaw === 'reset forgets every key') hits.clear();
      else hits.delete(slot(tenantId, key));
    },
  };
  return counter;
}
