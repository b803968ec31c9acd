import { ConfigError } from '@qdesk/core';

/** Options for {@link createRequestBudget}. @public */
export interface RequestBudgetOptions {
  /** Requests allowed in any rolling window (Autotask allows 10,000 an hour per database, for all integrations). */
  perHour: number;
  /** Length of the rolling window in ms (default one hour; shorter in tests). */
  windowMs?: number;
  /** Clock in epoch ms (default `Date.now`). */
  now?: () => number;
}

/** The answer of {@link RequestBudget.take}. @public */
export type BudgetDecision = { ok: true } | { ok: false; retryAfterMs: number };

/**
 * A rolling-window request allowance shared by every adapter or client it is given to, so that one app takes at most
 * its share of the tenant's hourly Autotask limit. Each HTTP attempt (retries included) takes one unit.
 * @public
 */
export interface RequestBudget {
  /** Takes one request from the budget, or says how long until one is free. */
  take(): BudgetDecision;
  /** Requests taken in the current window. */
  used(): number;
  /** Requests still allowed in the current window. */
  remaining(): number;
  /** The configured allowance per window. */
  readonly perHour: number;
}

/**
 * Creates a {@link RequestBudget}. Pass the same object to several adapters to cap them together.
 *
 * Note: the budget is per process. Several app instances need their own shares (for example `perHour: 2000` each).
 *
 * @example
 * ```ts
 * const budget = createRequestBudget({ perHour: 3000 });
 * const a = createAutotaskAdapter({ ...credentialsA, budget });
 * const b = createAutotaskAdapter({ ...credentialsB, budget });
 * ```
 * @public
 */
export function createRequestBudget(options: RequestBudgetOptions): RequestBudget {
  const perHour = options.perHour;
  const windowMs = options.windowMs ?? 3_600_000;
  if (!Number.isInteger(perHour) || perHour < 1) {
    throw ConfigError.fromIssues('createRequestBudget options', [
      { path: 'perHour', message: 'must be a positive integer' },
    ]);
  }
  if (!Number.isFinite(windowMs) || windowMs <= 0) {
    throw ConfigError.fromIssues('createRequestBudget options', [
      { path: 'windowMs', message: 'must be a positive number of milliseconds' },
    ]);
  }
  const now = options.now ?? Date.now;
  // Timestamps of taken requests, oldest first; `head` skips expired ones without shifting the array each time.
  let stamps: number[] = [];
  let head = 0;

  const prune = (at: number) => {
    while (head < stamps.length && stamps[head]! <= at - windowMs) head += 1;
    if (head > 1024 && head * 2 > stamps.length) {
      stamps = stamps.slice(head);
      head = 0;
    }
  };

  return {
    perHour,
    take() {
      const at = now();
      prune(at);
      if (stamps.length - head < perHour) {
        stamps.push(at);
        return { ok: true };
      }
      return { ok: false, retryAfterMs: Math.max(1, stamps[head]! + windowMs - at) };
    },
    used() {
      prune(now());
      return stamps.length - head;
    },
    remaining() {
      prune(now());
      return perHour - (stamps.length - head);
    },
  };
}
