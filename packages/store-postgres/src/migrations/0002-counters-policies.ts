import type { Migration } from './index.js';

// Rate counters: one row per (tenant, key) holding the times of its hits. The row is what makes `increment` atomic
// in one statement: an upsert locks it, so concurrent increments of one key queue on that lock and each reads the
// hits the one before it wrote (a table of one row per hit would need a lock of its own: under READ COMMITTED two
// inserts cannot see each other). `expires_at` is the newest hit plus the window it was counted in: past it the row
// counts 0 and the purge deletes it; null for a key counted "until reset", which only `reset` deletes.
//
// Policies: one row per layer; the tenant's default layer has no customer (NULL), and NULLS NOT DISTINCT (PostgreSQL
// 15 and later, PGlite included) keeps it to one per tenant like any customer's. Times are epoch milliseconds.
export const countersPoliciesMigration: Migration = {
  name: '0002-counters-policies',
  statements: [
    `CREATE TABLE qdesk_rate_counters (
      tenant_id text NOT NULL,
      key text NOT NULL,
      hits bigint[] NOT NULL,
      expires_at bigint,
      PRIMARY KEY (tenant_id, key)
    )`,
    `CREATE INDEX qdesk_rate_counters_expiry ON qdesk_rate_counters (expires_at)
      WHERE expires_at IS NOT NULL`,
    `CREATE TABLE qdesk_policies (
      tenant_id text NOT NULL,
      customer_id text,
      version integer NOT NULL CHECK (version > 0),
      settings jsonb NOT NULL,
      updated_at bigint NOT NULL,
      updated_by_id text NOT NULL,
      updated_by_name text NOT NULL,
      CONSTRAINT qdesk_policies_layer UNIQUE NULLS NOT DISTINCT (tenant_id, customer_id)
    )`,
  ],
};
