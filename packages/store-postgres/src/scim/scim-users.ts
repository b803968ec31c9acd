import { InputError, isQdeskError } from '@qdesk/core';
import {
  type NewScimUser,
  ScimError,
  type ScimUserCondition,
  type ScimUserData,
  type ScimUserList,
  type ScimUserRecord,
  type ScimUserReplacement,
  type ScimUserStore,
  type ScimUserStoreInspector,
} from '@qdesk/directory';
import type { Queryable } from '../database.js';

/** The PostgreSQL {@link ScimUserStore}, with direct reads of its table for the conformance kit. @public */
export interface PostgresScimUserStore extends ScimUserStore {
  /** Reads `qdesk_scim_users` directly, bypassing the store's methods. */
  readonly inspect: ScimUserStoreInspector;
}

interface Row {
  id: string;
  data: ScimUserData;
  created: number;
  last_modified: number;
  version: number;
}

const COLUMNS = 'id, data, created, last_modified, version';

const recordOf = (row: Row): ScimUserRecord => ({
  id: row.id,
  user: row.data,
  created: Number(row.created),
  lastModified: Number(row.last_modified),
  version: Number(row.version),
});

function text(value: unknown, operation: string, field: string): string {
  if (typeof value !== 'string' || value === '') {
    throw InputError.fromIssues(`ScimUserStore.${operation}`, [
      { path: field, message: 'expected a non-empty string' },
    ]);
  }
  return value;
}

const taken = (error: unknown) => isQdeskError(error) && error.details.sqlState === '23505';

/** The SQL of one listing condition, its parameters appended to `params`. */
function conditionSql(condition: ScimUserCondition, params: unknown[]): string {
  const add = (value: unknown) => `$${params.push(value)}`;
  switch (condition.attribute) {
    case 'userName':
      return `user_name_key = lower(${add(condition.value)})`;
    case 'externalId':
      return `external_id = ${add(condition.value)}`;
    case 'id':
      return `id = ${add(condition.value)}`;
    case 'active':
      return `(data->>'active')::boolean = ${add(condition.value)}`;
    case 'email': {
      const value = add(condition.value);
      const type = add(condition.type);
      return `EXISTS (SELECT 1 FROM jsonb_array_elements(data->'emails') AS e
        WHERE lower(e->>'value') = lower(${value})
          AND (${type}::text IS NULL OR lower(e->>'type') = lower(${type}::text)))`;
    }
  }
}

/**
 * SCIM users in the `qdesk_scim_users` table (migration `0009-scim-users`), per tenant and customer, shared by every
 * app instance on the database. The `userName` is unique per customer without regard to case (a unique index on
 * its lower case decides between racing creates); a replace is one `UPDATE ... WHERE version = $expected`.
 * @example
 * ```ts
 * const store = createPostgresScimUserStore(database, { tenantId: 'msp-1' });
 * const scim = createScimHandler({ store, basePath: '/scim/v2/:customerId', authenticate, onChange });
 * ```
 * @public
 */
export function createPostgresScimUserStore(
  database: Queryable,
  options: { tenantId: string },
): PostgresScimUserStore {
  const tenantId = text(options.tenantId, 'create', 'tenantId');
  const one = async (sql: string, params: unknown[]) => {
    const { rows } = await database.query<Row>(sql, params);
    return rows[0] ? recordOf(rows[0]) : null;
  };
  const get = (customerId: string, id: string) =>
    one(`SELECT ${COLUMNS} FROM qdesk_scim_users WHERE tenant_id = $1 AND customer_id = $2 AND id = $3`, [
      tenantId,
      text(customerId, 'get', 'customerId'),
      text(id, 'get', 'id'),
    ]);
  const row = (customerId: string, record: { id: string; user: ScimUserData }) => [
    tenantId,
    customerId,
    record.id,
    record.user.userName.toLowerCase(),
    record.user.externalId ?? null,
    JSON.stringify(record.user),
  ];

  return {
    specificationVersion: 'v1',
    get,
    findByUserName: (customerId, userName) =>
      one(
        `SELECT ${COLUMNS} FROM qdesk_scim_users WHERE tenant_id = $1 AND customer_id = $2 AND user_name_key = lower($3)`,
        [
          tenantId,
          text(customerId, 'findByUserName', 'customerId'),
          text(userName, 'findByUserName', 'userName'),
        ],
      ),
    async findByExternalId(customerId, externalId) {
      const { rows } = await database.query<Row>(
        `SELECT ${COLUMNS} FROM qdesk_scim_users WHERE tenant_id = $1 AND customer_id = $2 AND external_id = $3
         ORDER BY created, id`,
        [
          tenantId,
          text(customerId, 'findByExternalId', 'customerId'),
          text(externalId, 'findByExternalId', 'externalId'),
        ],
      );
      return rows.map(recordOf);
    },
    async list(customerId, query): Promise<ScimUserList> {
      const params: unknown[] = [tenantId, text(customerId, 'list', 'customerId')];
      const where = [
        'tenant_id = $1',
        'customer_id = $2',
        ...query.conditions.map((c) => conditionSql(c, params)),
      ];
      const filter = where.join(' AND ');
      const { rows: counted } = await database.query<{ total: number }>(
        `SELECT count(*)::int AS total FROM qdesk_scim_users WHERE ${filter}`,
        params,
      );
      const total = Number(counted[0]?.total ?? 0);
      if (query.count <= 0 || total === 0) return { users: [], totalResults: total };
      const page = [...params, query.count, Math.max(0, query.startIndex - 1)];
      const { rows } = await database.query<Row>(
        `SELECT ${COLUMNS} FROM qdesk_scim_users WHERE ${filter}
         ORDER BY created, id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
        page,
      );
      return { users: rows.map(recordOf), totalResults: total };
    },
    async create(customerId, user: NewScimUser) {
      text(customerId, 'create', 'customerId');
      const { rows } = await database.query<Row>(
        `INSERT INTO qdesk_scim_users (tenant_id, customer_id, id, user_name_key, external_id, data, created,
           last_modified, version)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $7, 1)
         ON CONFLICT (tenant_id, customer_id, user_name_key) DO NOTHING
         RETURNING ${COLUMNS}`,
        [...row(customerId, user), user.at],
      );
      if (!rows[0]) throw ScimError.userNameTaken(user.user.userName);
      return recordOf(rows[0]);
    },
    async replace(customerId, replacement: ScimUserReplacement) {
      text(customerId, 'replace', 'customerId');
      let rows: Row[];
      try {
        ({ rows } = await database.query<Row>(
          `UPDATE qdesk_scim_users SET user_name_key = $4, external_id = $5, data = $6::jsonb, last_modified = $7,
             version = version + 1
           WHERE tenant_id = $1 AND customer_id = $2 AND id = $3 AND version = $8
           RETURNING ${COLUMNS}`,
          [...row(customerId, replacement), replacement.at, replacement.expectedVersion],
        ));
      } catch (error) {
        if (taken(error)) throw ScimError.userNameTaken(replacement.user.userName);
        throw error;
      }
      if (rows[0]) return recordOf(rows[0]);
      const current = await get(customerId, replacement.id);
      if (!current) return null;
      throw ScimError.versionMismatch(replacement.id, replacement.expectedVersion, current.version);
    },
    async delete(customerId, id, expectedVersion) {
      const params: unknown[] = [
        tenantId,
        text(customerId, 'delete', 'customerId'),
        text(id, 'delete', 'id'),
      ];
      const versioned =
        expectedVersion === undefined ? '' : ` AND version = $${params.push(expectedVersion)}`;
      const { rows } = await database.query<Row>(
        `DELETE FROM qdesk_scim_users WHERE tenant_id = $1 AND customer_id = $2 AND id = $3${versioned}
         RETURNING ${COLUMNS}`,
        params,
      );
      if (rows[0]) return recordOf(rows[0]);
      if (expectedVersion === undefined) return null;
      const current = await get(customerId, id);
      if (!current) return null;
      throw ScimError.versionMismatch(id, expectedVersion, current.version);
    },
    inspect: {
      user: get,
      async count(customerId) {
        const { rows } = await database.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM qdesk_scim_users WHERE tenant_id = $1 AND customer_id = $2',
          [tenantId, customerId],
        );
        return Number(rows[0]?.n ?? 0);
      },
    },
  };
}
