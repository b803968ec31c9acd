/**
 * Windowed counters with an atomic increment: sends per end-user, pushes per end-user, consecutive failures.
 *
 * ## Partner guide: write a rate counter
 *
 * Declare `specificationVersion: 'v1'` and implement three methods; run `runRateCounterConformance` from
 * `@qdesk/core/testing`. A SQL table (`tenant_id, key, hit_at`), Redis sorted sets or a library such as
 * rate-limiter-flexible (one limiter per window length) can back it.
 * - Tenancy: every key lives inside its `tenantId`; the same key in two tenants is two counters.
 * - A hit at time `t` counts in a window `{ windowMs, now }` when `t > now - windowMs`; `windowMs: null` means "until
 *   reset" (the consecutive-failure counter).
 * - `increment` is atomic: N concurrent calls on one key return N distinct counts.
 * - `reset` drops every hit of the key.
 * @public
 */
export interface RateCounter {
  /** The version of this port the implementation follows. */
  readonly specificationVersion: 'v1';
  /** Adds one hit at `window.now` and returns the hits in the window, this one included. */
  increment(tenantId: string, key: string, window: RateWindow): Promise<number>;
  /** Hits in the window (0 when none). */
  count(tenantId: string, key: string, window: RateWindow): Promise<number>;
  /** Forgets every hit of the key. */
  reset(tenantId: string, key: string): Promise<void>;
}

/** The window a count covers. @public */
export interface RateWindow {
  /** Length of the window in ms, or `null` for "every hit since the last reset". */
  windowMs: number | null;
  /** Epoch milliseconds: the end of the window (and the time of an increment's hit). */
  now: number;
}
