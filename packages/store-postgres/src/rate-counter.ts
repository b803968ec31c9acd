import type { RateCounter } from '@qdesk/core';
import type { Queryable } from './database.js';

/** Options for {@link createPostgresRateCounter}. @public */
export interface PostgresRateCounterOptions {
  /**
   * How often, at most, `increment` also deletes the keys whose window passed more than a minute ago, in ms of the
   * counter's own clock (the `now` it is given; default 60,000). `Infinity` turns that off: call
   * {@link PostgresRateCounter.purge} yourself, from a sweeper.
   */
  purgeEveryMs?: number;
}

/** A {@link RateCounter} on PostgreSQL or PGlite, with {@link PostgresRateCounter.purge} for its cleanup. @public */
export interface PostgresRateCounter extends RateCounter {
  /**
   * Deletes every key (any tenant) whose newest hit left the window it was counted in at or before `now` (epoch
   * ms), and returns how many. Keys counted "until reset" (`windowMs: null`) are kept. `increment` calls it once a
   * minute, with `now` a minute back to allow for clocks that disagree between instances.
   */
  purge(now: number): Promise<number>;
}

/** How far apart the clocks of two app instances may be, for the purge `increment` runs. */
const CLOCK_SKEW_MS = 60_000;

// $1 tenant, $2 key, $3 now, $4 windowMs (null: until reset). The SET reads the row's latest committed version
// (an upsert locks the row it updates), so the count never misses a concurrent increment.
const INCREMENT = `
  INSERT INTO qdesk_rate_counters AS c (tenant_id, key, hits, expires_at)
  VALUES ($1, $2, ARRAY[$3::bigint], $3::bigint + $4::bigint)
  ON CONFLICT (tenant_id, key) DO UPDATE SET
    hits = ARRAY(
      SELECT h FROM unnest(c.hits) AS h WHERE $4::bigint IS NULL OR h > $3::bigint - $4::bigint
    ) || $3::bigint,
    expires_at = CASE WHEN $4::bigint IS NULL THEN NULL ELSE greatest(c.expires_at, $3::bigint + $4::bigint) END
  RETURNING cardinality(c.hits) AS count`;

// $1 tenant, $2 key, $3 the start of the window (exclusive; null: every hit).
const COUNT = `
  SELECT (SELECT count(*) FROM unnest(hits) AS h WHERE $3::bigint IS NULL OR h > $3::bigint)::integer AS count
  FROM qdesk_rate_counters WHERE tenant_id = $1 AND key = $2`;

// SKIP LOCKED: a key an increment holds right now is not expired any more (or is next time), and two instances
// purging at once share the work instead of waiting for (or deadlocking on) each other's rows.
const PURGE = `
  DELETE FROM qdesk_rate_counters WHERE (tenant_id, key) IN (
    SELECT tenant_id, key FROM qdesk_rate_counters WHERE expires_at <= $1 FOR UPDATE SKIP LOCKED
  )`;

/**
 * Rate counters in the `qdesk_rate_counters` table: one row per tenant and key with the times of its hits.
 * `increment` and `count` are one statement (one round trip) each.
 *
 * Note: `increment` is one upsert. PostgreSQL locks the key's row for it, so N concurrent increments on one key,
 * from any number of connections or app instances, queue on that lock and return N distinct counts; the same upsert
 * drops the key's hits that are outside the window, so a row holds at most one window of hits. A key counted with a
 * window is deleted by {@link PostgresRateCounter.purge} once that window has passed since its newest hit (it counts
 * 0 by then); a key counted "until reset" (`windowMs: null`) keeps its hits until `reset`. A key is meant to be
 * counted with one window, as the verifier does: an increment with a shorter window drops the older hits, as the
 * memory counter does.
 * @example
 * ```ts
 * const counters = createPostgresRateCounter(database);
 * const verifier = createVerifier({ ...config, counters });
 * ```
 * @public
 */
export function createPostgresRateCounter(
  database: Queryable,
  options: PostgresRateCounterOptions = {},
): PostgresRateCounter {
  const purgeEveryMs = options.purgeEveryMs ?? 60_000;
  let lastPurge = Number.NEGATIVE_INFINITY;

  const purge = async (now: number) => {
    const { rowCount } = await database.query(PURGE, [now]);
    return rowCount;
  };
  // Cleanup rides along with an increment, in parallel (another connection on PostgreSQL). It is best-effort: a
  // failure must not fail the increment whose hit is already stored, and the next increment tries again. It lags
  // CLOCK_SKEW_MS behind this instance's clock, so an instance whose clock runs ahead never deletes a key another
  // instance still counts.
  const purgeIfDue = (now: number) => {
    if (now - lastPurge < purgeEveryMs) return undefined;
    lastPurge = now;
    return purge(now - CLOCK_SKEW_MS).catch(() => {
      lastPurge = Number.NEGATIVE_INFINITY;
    });
  };

  return {
    specificationVersion: 'v1',
    purge,
    async increment(tenantId, key, { windowMs, now }) {
      const purging = purgeIfDue(now);
      const { rows } = await database.query<{ count: number }>(INCREMENT, [tenantId, key, now, windowMs]);
      await purging;
      return rows[0]!.count;
    },
    async count(tenantId, key, { windowMs, now }) {
      const { rows } = await database.query<{ count: number }>(COUNT, [
        tenantId,
        key,
        windowMs === null ? null : now - windowMs,
      ]);
      return rows[0]?.count ?? 0;
    },
    async reset(tenantId, key) {
      await database.query('DELETE FROM qdesk_rate_counters WHERE tenant_id = $1 AND key = $2', [
        tenantId,
        key,
      ]);
    },
  };
}
