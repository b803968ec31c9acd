import { randomBytes, randomInt } from 'node:crypto';
import type { Clock, Random } from '../ports/runtime.js';

/** The real clock. @public */
export const systemClock: Clock = { now: () => Date.now() };

/** Node's CSPRNG (`crypto.randomInt`, `crypto.randomBytes`). @public */
export const cryptoRandom: Random = {
  int: (maxExclusive) => randomInt(0, maxExclusive),
  bytes: (size) => new Uint8Array(randomBytes(size)),
};

/** A clock that only moves when told: for tests and demos of timeouts. @public */
export interface ManualClock extends Clock {
  /** Moves time forward by `ms`. */
  advance(ms: number): void;
  /** Sets the time. */
  set(epochMs: number): void;
}

/** Creates a {@link ManualClock} starting at `start` (default 2026-01-01T00:00:00Z). @public */
export function createManualClock(start = Date.UTC(2026, 0, 1)): ManualClock {
  let t = start;
  return {
    now: () => t,
    advance(ms) {
      t += ms;
    },
    set(epochMs) {
      t = epochMs;
    },
  };
}
