import type { RateCounter } from '../ports/rate-counter.js';
import { unique } from './_helpers.js';
import { type KitHarness, type KitRule, must, registerRules } from './kit.js';

/** Options for {@link runRateCounterConformance}. @public */
export interface RateCounterConformanceOptions {
  /** Shown in the suite's title. */
  name: string;
  /** A ready counter (called once per rule). Rules use fresh tenant ids, so a shared backend needs no wiping. */
  create: () => RateCounter | Promise<RateCounter>;
  /** Releases the counter (close connections). */
  cleanup?: (counter: RateCounter) => void | Promise<void>;
  /** Reads the backing system directly, bypassing the counter's own methods. */
  inspect: {
    /**
     * How many hits the key holds now in that tenant: every hit since the last reset, less any your implementation
     * already pruned as older than its window.
     */
    hits(tenantId: string, key: string): Promise<number>;
  };
  /** Per-rule timeout in ms (default 20 s). */
  timeoutMs?: number;
}

/** The subject each rate-counter rule checks. @public */
export interface RateCounterSubject {
  /** The counter under test. */
  counter: RateCounter;
  /** Direct reads of the backing system. */
  inspect: RateCounterConformanceOptions['inspect'];
}

const T0 = Date.UTC(2026, 0, 1);
const MINUTE = { windowMs: 60_000, now: T0 };
const DAY = 86_400_000;
/** Separators an implementation might join tenant and key with; each gives a pair of ids that collide under it. */
const SEPARATORS = ['', ':', '|', '/', '.', '-', '_', '#', ' '];

/**
 * Every rule a {@link RateCounter} must follow, as data: {@link runRateCounterConformance} registers each as a test;
 * `checkRules` runs them anywhere.
 * @public
 */
export const rateCounterRules: readonly KitRule<RateCounterSubject>[] = [
  {
    name: 'declares specificationVersion v1',
    async check({ counter }) {
      must(
        counter.specificationVersion === 'v1',
        `specificationVersion is ${JSON.stringify(counter.specificationVersion)}; set it to 'v1'.`,
      );
    },
  },
  {
    name: 'counts 0 for a key that has no hits',
    async check({ counter, inspect }) {
      const tenant = unique('tenant');
      const windowed = await counter.count(tenant, 'sends', MINUTE);
      const untilReset = await counter.count(tenant, 'sends', { windowMs: null, now: T0 });
      must(
        windowed === 0 && untilReset === 0,
        `count() of a key never incremented returned ${windowed} (window) and ${untilReset} (until reset); return 0.`,
      );
      must(
        (await inspect.hits(tenant, 'sends')) === 0,
        'count() of an unknown key stored a hit; only increment() adds hits.',
      );
    },
  },
  {
    name: 'increment returns the hits in the window, this one included, and stores one hit per call',
    async check({ counter, inspect }) {
      const tenant = unique('tenant');
      const counts: number[] = [];
      for (let i = 0; i < 3; i++)
        counts.push(await counter.increment(tenant, 'sends', { ...MINUTE, now: T0 + i }));
      must(
        counts.join() === '1,2,3',
        `three increment() calls returned ${counts.join(', ')}; return the hits in the window including this one (1, 2, 3).`,
      );
      const stored = await inspect.hits(tenant, 'sends');
      must(
        stored === 3,
        `three increment() calls left ${stored} hits in the backing system; store exactly one per call.`,
      );
      const counted = await counter.count(tenant, 'sends', { ...MINUTE, now: T0 + 3 });
      must(
        counted === 3,
        `count() after three increment() calls returned ${counted}; it must see all three.`,
      );
    },
  },
  {
    name: 'count only reads: it adds no hit',
    async check({ counter, inspect }) {
      const tenant = unique('tenant');
      await counter.increment(tenant, 'sends', MINUTE);
      const counts = [];
      for (let i = 0; i < 3; i++) counts.push(await counter.count(tenant, 'sends', MINUTE));
      must(
        counts.every((n) => n === 1),
        `count() after one increment() returned ${counts.join(', ')}; count() must read without adding a hit.`,
      );
      const stored = await inspect.hits(tenant, 'sends');
      must(
        stored === 1,
        `the backing system holds ${stored} hits after one increment() and three count() calls; expected 1.`,
      );
    },
  },
  {
    name: 'a hit counts while it is inside the window (t > now - windowMs) and drops out after',
    async check({ counter }) {
      const tenant = unique('tenant');
      const window = (now: number) => ({ windowMs: 1000, now });
      await counter.increment(tenant, 'k', window(T0));
      const inside = await counter.count(tenant, 'k', window(T0 + 999));
      must(inside === 1, `a hit 999 ms old counted ${inside} in a 1000 ms window; it is inside, count it.`);
      const edge = await counter.count(tenant, 'k', window(T0 + 1000));
      must(
        edge === 0,
        `a hit exactly 1000 ms old counted ${edge} in a 1000 ms window; a hit at t counts only while t > now - windowMs.`,
      );
      const a = await counter.increment(tenant, 'k', window(T0 + 1500));
      const b = await counter.increment(tenant, 'k', window(T0 + 2000));
      must(
        a === 1 && b === 2,
        `increments at +1500 ms and +2000 ms in a 1000 ms window returned ${a} and ${b}; expected 1 and 2 (the hit at 0 has left the window).`,
      );
    },
  },
  {
    name: 'windowMs null counts every hit since the last reset, however old',
    async check({ counter }) {
      const tenant = unique('tenant');
      const counts = [];
      for (const at of [T0, T0 + DAY, T0 + 400 * DAY]) {
        counts.push(await counter.increment(tenant, 'failures', { windowMs: null, now: at }));
      }
      must(
        counts.join() === '1,2,3',
        `increments with windowMs null returned ${counts.join(', ')}; null means "since the last reset": expected 1, 2, 3.`,
      );
      const later = await counter.count(tenant, 'failures', { windowMs: null, now: T0 + 3650 * DAY });
      must(
        later === 3,
        `count() with windowMs null ten years later returned ${later}; null hits never expire (expected 3).`,
      );
    },
  },
  {
    name: 'the same key in two tenants, and two keys in one tenant, are separate counters',
    async check({ counter, inspect }) {
      const a = unique('tenant-a');
      const b = unique('tenant-b');
      for (let i = 0; i < 3; i++) await counter.increment(a, 'sends', MINUTE);
      await counter.increment(b, 'sends', MINUTE);
      const [inA, inB] = [await counter.count(a, 'sends', MINUTE), await counter.count(b, 'sends', MINUTE)];
      must(
        inA === 3 && inB === 1,
        `the key "sends" counted ${inA} in tenant A and ${inB} in tenant B after 3 and 1 hits; keep every key inside its tenant.`,
      );
      must(
        (await inspect.hits(b, 'sends')) === 1,
        "the backing system holds tenant A's hits under tenant B's key.",
      );
      for (const sep of SEPARATORS) {
        await counter.increment(`${a}${sep}x`, 'y', MINUTE);
        const other = await counter.count(a, `x${sep}y`, MINUTE);
        must(
          other === 0,
          `a hit on tenant "${a}${sep}x" key "y" counted on tenant "${a}" key "x${sep}y"; keep tenant and key apart (two columns, or a separator that cannot occur in either).`,
        );
      }
    },
  },
  {
    name: '100 concurrent increments on one key return 100 distinct counts',
    async check({ counter, inspect }) {
      const tenant = unique('tenant');
      const counts = await Promise.all(
        Array.from({ length: 100 }, () => counter.increment(tenant, 'push', MINUTE)),
      );
      const distinct = new Set(counts);
      const sorted = [...counts].sort((x, y) => x - y);
      must(
        distinct.size === 100 && sorted[0] === 1 && sorted[99] === 100,
        `100 concurrent increment() calls returned ${distinct.size} distinct counts from ${sorted[0]} to ${sorted[99]}; make add-and-count one atomic step (a transaction, a Lua script, INSERT ... RETURNING).`,
      );
      const counted = await counter.count(tenant, 'push', MINUTE);
      const stored = await inspect.hits(tenant, 'push');
      must(
        counted === 100 && stored === 100,
        `after 100 concurrent increment() calls count() says ${counted} and the backing system holds ${stored}; a hit was lost.`,
      );
    },
  },
  {
    name: 'reset forgets every hit of the key, and only of that key',
    async check({ counter, inspect }) {
      const tenant = unique('tenant');
      const other = unique('tenant');
      for (let i = 0; i < 3; i++)
        await counter.increment(tenant, 'failures', { windowMs: null, now: T0 + i });
      for (let i = 0; i < 2; i++) await counter.increment(tenant, 'sends', MINUTE);
      await counter.increment(other, 'failures', { windowMs: null, now: T0 });
      await counter.reset(tenant, 'failures');
      const after = await counter.count(tenant, 'failures', { windowMs: null, now: T0 + 10 });
      must(after === 0, `count() after reset() returned ${after}; reset must drop every hit of the key.`);
      must(
        (await inspect.hits(tenant, 'failures')) === 0,
        'the backing system still holds hits of a reset key.',
      );
      const kept = [
        await counter.count(tenant, 'sends', MINUTE),
        await counter.count(other, 'failures', { windowMs: null, now: T0 }),
      ];
      must(
        kept[0] === 2 && kept[1] === 1,
        `reset() of one key changed others: another key counts ${kept[0]} (expected 2), the same key in another tenant ${kept[1]} (expected 1).`,
      );
      const again = await counter.increment(tenant, 'failures', { windowMs: null, now: T0 + 20 });
      must(again === 1, `the first increment() after reset() returned ${again}; counting starts again at 1.`);
    },
  },
];

/**
 * The shared test suite every {@link RateCounter} must pass, one test per rule. Call it at the top level of a vitest
 * file.
 * @example
 * ```ts
 * import { runRateCounterConformance } from '@qdesk/core/testing';
 * runRateCounterConformance({
 *   name: 'redis',
 *   create: () => createRedisRateCounter(redis),
 *   inspect: { hits: (tenantId, key) => redis.zcard(`qdesk:${tenantId}:${key}`) },
 * });
 * ```
 * @public
 */
export function runRateCounterConformance(options: RateCounterConformanceOptions): void {
  registerRules(`RateCounter conformance: ${options.name}`, rateCounterRules, rateCounterHarness(options), {
    timeoutMs: options.timeoutMs ?? 20_000,
  });
}

/**
 * The harness {@link runRateCounterConformance} runs the rules with: one counter per rule. For `checkRules`.
 * @internal
 */
export function rateCounterHarness(options: RateCounterConformanceOptions): KitHarness<RateCounterSubject> {
  return {
    create: async () => ({ counter: await options.create(), inspect: options.inspect }),
    cleanup: (subject) => options.cleanup?.(subject.counter),
  };
}
