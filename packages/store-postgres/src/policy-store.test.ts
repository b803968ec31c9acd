import type { PolicyRecord } from '@qdesk/core';
import { runPolicyStoreConformance } from '@qdesk/core/testing';
import { describe, expect, it } from 'vitest';
import { testDatabases } from './_databases.test-helpers.js';
import { createPostgresPolicyStore } from './policy-store.js';

const layer = (customerId: string | null, version: number, maxAttempts: number): PolicyRecord => ({
  tenantId: 'tenant-1',
  customerId,
  version,
  settings: { maxAttempts },
  updatedAt: Date.UTC(2026, 0, 1) + version,
  updatedBy: { id: 'admin-1', name: 'Ada Admin' },
});

for (const db of testDatabases()) {
  runPolicyStoreConformance({
    name: `@qdesk/store-postgres on ${db.name}`,
    create: async () => createPostgresPolicyStore(await db.fresh()),
    inspect: {
      async layer(tenantId, customerId) {
        const { rows } = await (await db.database()).query<{
          version: number;
          settings: PolicyRecord['settings'];
          updated_at: number;
          updated_by_id: string;
          updated_by_name: string;
        }>(
          `SELECT version, settings, updated_at, updated_by_id, updated_by_name FROM qdesk_policies
           WHERE tenant_id = $1 AND customer_id IS NOT DISTINCT FROM $2`,
          [tenantId, customerId],
        );
        const row = rows[0];
        return row
          ? {
              tenantId,
              customerId,
              version: row.version,
              settings: row.settings,
              updatedAt: row.updated_at,
              updatedBy: { id: row.updated_by_id, name: row.updated_by_name },
            }
          : null;
      },
    },
  });

  describe(`createPostgresPolicyStore on ${db.name}`, () => {
    it('keeps one tenant layer per tenant: a second first write of it is refused by the database', async () => {
      const database = await db.fresh();
      const store = createPostgresPolicyStore(database);
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => store.put(layer(null, 1, i + 1), 0)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const { rows } = await database.query<{ n: number }>(
        `SELECT count(*)::integer AS n FROM qdesk_policies WHERE tenant_id = 'tenant-1'`,
      );
      expect(rows[0]?.n).toBe(1);
    });

    it('walks a layer through versions, and lists the tenant layer first', async () => {
      const store = createPostgresPolicyStore(await db.fresh());
      expect(await store.put(layer('cust-1', 1, 4), 0)).toBe(true);
      expect(await store.put(layer(null, 1, 3), 0)).toBe(true);
      expect(await store.put(layer(null, 2, 5), 1)).toBe(true);
      expect(await store.put(layer(null, 3, 6), 2)).toBe(true);
      expect(await store.put(layer(null, 3, 7), 2)).toBe(false);
      const listed = await store.list('tenant-1');
      expect(listed.map((r) => [r.customerId, r.version, r.settings.maxAttempts])).toEqual([
        [null, 3, 6],
        ['cust-1', 1, 4],
      ]);
      expect(listed[0]?.updatedAt).toBe(Date.UTC(2026, 0, 1) + 3);
    });
  });
}
