import type { PolicyRecord, PolicyStore } from '@qdesk/core';
import type { Queryable } from './database.js';

interface PolicyRow {
  tenant_id: string;
  customer_id: string | null;
  version: number;
  settings: PolicyRecord['settings'];
  updated_at: number;
  updated_by_id: string;
  updated_by_name: string;
}

const COLUMNS = 'tenant_id, customer_id, version, settings, updated_at, updated_by_id, updated_by_name';

// Each read builds new objects from the row, so a caller changing one cannot reach the store or another caller.
const recordOf = (row: PolicyRow): PolicyRecord => ({
  tenantId: row.tenant_id,
  customerId: row.customer_id,
  version: row.version,
  settings: row.settings,
  updatedAt: row.updated_at,
  updatedBy: { id: row.updated_by_id, name: row.updated_by_name },
});

const valuesOf = (record: PolicyRecord) => [
  record.tenantId,
  record.customerId,
  record.version,
  JSON.stringify(record.settings),
  record.updatedAt,
  record.updatedBy.id,
  record.updatedBy.name,
];

/**
 * Policy layers in the `qdesk_policies` table: one row per tenant and customer, the tenant's default layer with no
 * customer (`NULL`), the settings as JSON.
 *
 * Note: reads of several layers asked for at once (the verifier asks for a session's tenant and customer layers
 * together) are one statement. `put` is one statement. The first version is an `INSERT ... ON CONFLICT DO NOTHING`, so of two writers
 * creating one layer the second inserts nothing; a later version is an `UPDATE ... WHERE version = $expected`, whose
 * row lock makes racing writers queue and re-check the version, so exactly one of them writes, on any number of
 * instances. The tenant's layer and a customer's are told apart with `IS NOT DISTINCT FROM`, so `NULL` (the tenant)
 * never matches a customer id, not even `''`.
 * @example
 * ```ts
 * const policies = createPostgresPolicyStore(database);
 * const verifier = createVerifier({ ...config, policies });
 * ```
 * @public
 */
export function createPostgresPolicyStore(database: Queryable): PolicyStore {
  // The verifier reads a session's two layers (the tenant's and the customer's) at once: reads asked for in the same
  // turn of the event loop go out as one statement, which answers each of them.
  let batch: { keys: [string, string | null][]; rows: Promise<PolicyRow[]> } | null = null;
  const read = (tenantId: string, customerId: string | null): Promise<PolicyRow[]> => {
    if (!batch) {
      const keys: [string, string | null][] = [];
      const rows = new Promise<void>((resolve) => queueMicrotask(resolve)).then(async () => {
        batch = null;
        const { rows } = await database.query<PolicyRow>(
          `SELECT ${COLUMNS.split(', ')
            .map((c) => `p.${c}`)
            .join(', ')}
           FROM unnest($1::text[], $2::text[]) AS k(tenant_id, customer_id)
           JOIN qdesk_policies p ON p.tenant_id = k.tenant_id AND p.customer_id IS NOT DISTINCT FROM k.customer_id`,
          [keys.map(([t]) => t), keys.map(([, c]) => c)],
        );
        return rows;
      });
      batch = { keys, rows };
    }
    batch.keys.push([tenantId, customerId]);
    return batch.rows;
  };
  return {
    specificationVersion: 'v1',
    async get(tenantId, customerId) {
      const rows = await read(tenantId, customerId);
      const row = rows.find((r) => r.tenant_id === tenantId && r.customer_id === customerId);
      return row ? recordOf(row) : null;
    },
    async put(record, expectedVersion) {
      if (record.version !== expectedVersion + 1 || !Number.isInteger(expectedVersion) || expectedVersion < 0)
        return false;
      const { rowCount } =
        expectedVersion === 0
          ? await database.query(
              `INSERT INTO qdesk_policies (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)
               ON CONFLICT ON CONSTRAINT qdesk_policies_layer DO NOTHING`,
              valuesOf(record),
            )
          : await database.query(
              `UPDATE qdesk_policies SET
                 version = $3, settings = $4, updated_at = $5, updated_by_id = $6, updated_by_name = $7
               WHERE tenant_id = $1 AND customer_id IS NOT DISTINCT FROM $2 AND version = $8`,
              [...valuesOf(record), expectedVersion],
            );
      return rowCount === 1;
    },
    async list(tenantId) {
      const { rows } = await database.query<PolicyRow>(
        `SELECT ${COLUMNS} FROM qdesk_policies WHERE tenant_id = $1 ORDER BY customer_id NULLS FIRST`,
        [tenantId],
      );
      return rows.map(recordOf);
    },
  };
}
