/** Caps concurrent work per key (an Autotask endpoint); waiters are served first come, first served. */
export interface KeyedLimiter {
  /** Resolves with a release function once a slot for `key` is free. */
  acquire(key: string, signal?: AbortSignal): Promise<() => void>;
  /** Slots in use for `key` right now. */
  active(key: string): number;
}

interface Lane {
  active: number;
  waiters: Array<{ grant: () => void }>;
}

export function createKeyedLimiter(max: number): KeyedLimiter {
  const lanes = new Map<string, Lane>();
  const lane = (key: string): Lane => {
    let found = lanes.get(key);
    if (!found) {
      found = { active: 0, waiters: [] };
      lanes.set(key, found);
    }
    return found;
  };

  const releaser = (key: string, l: Lane) => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = l.waiters.shift();
      // Hand the slot straight to the next waiter so a newcomer cannot jump the queue.
      if (next) next.grant();
      else {
        l.active -= 1;
        if (l.active === 0) lanes.delete(key);
      }
    };
  };

  return {
    active: (key) => lanes.get(key)?.active ?? 0,
    acquire(key, signal) {
      signal?.throwIfAborted();
      const l = lane(key);
      if (l.active < max) {
        l.active += 1;
        return Promise.resolve(releaser(key, l));
      }
      return new Promise((resolve, reject) => {
        const waiter = {
          grant: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve(releaser(key, l));
          },
        };
        const onAbort = () => {
          const index = l.waiters.indexOf(waiter);
          if (index >= 0) l.waiters.splice(index, 1);
          reject(signal?.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        l.waiters.push(waiter);
      });
    },
  };
}
