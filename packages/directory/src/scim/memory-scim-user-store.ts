import { InputError } from '@qdesk/core';
import { freezeCopy } from '@qdesk/core/memory';
import { ScimError } from './scim-error.js';
import type { ScimUserRecord } from './scim-user.js';
import type { ScimUserCondition, ScimUserStore, ScimUserStoreInspector } from './scim-user-store.js';

/** The memory {@link ScimUserStore}, with direct reads of its maps for tests and the conformance kit. @public */
export interface MemoryScimUserStore extends ScimUserStore {
  /** Reads the store's maps directly, bypassing its methods (the conformance kit's `inspect`). */
  readonly inspect: ScimUserStoreInspector;
}

/** Whether a record meets one listing condition, as the port defines it. */
function meets(record: ScimUserRecord, condition: ScimUserCondition): boolean {
  const { user } = record;
  switch (condition.attribute) {
    case 'userName':
      return user.userName.toLowerCase() === condition.value.toLowerCase();
    case 'externalId':
      return user.externalId === condition.value;
    case 'id':
      return record.id === condition.value;
    case 'active':
      return user.active === condition.value;
    case 'email': {
      const value = condition.value.toLowerCase();
      const type = condition.type?.toLowerCase() ?? null;
      return user.emails.some((e) => e.value.toLowerCase() === value && (type === null || e.type === type));
    }
  }
}

const byAge = (a: ScimUserRecord, b: ScimUserRecord) =>
  a.created - b.created || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function requireText(value: unknown, operation: string, field: string): string {
  if (typeof value !== 'string' || value === '') {
    throw InputError.fromIssues(`ScimUserStore.${operation}`, [
      { path: field, message: 'expected a non-empty string' },
    ]);
  }
  return value;
}

/**
 * In-process {@link ScimUserStore}: the embedded default and the reference the conformance kit runs against. One
 * map per customer; records are copied and frozen on write, so nothing a caller holds can change the store. Single
 * process only; its users are lost on restart (use a database-backed store in real mode).
 *
 * @example
 * ```ts
 * const store = createMemoryScimUserStore();
 * const handler = createScimHandler({ store, basePath: '/scim/v2', authenticate, onChange });
 * ```
 * @public
 */
export function createMemoryScimUserStore(): MemoryScimUserStore {
  const customers = new Map<string, Map<string, ScimUserRecord>>();
  const usersOf = (customerId: unknown, operation: string) =>
    customers.get(requireText(customerId, operation, 'customerId'))?.values() ?? [].values();
  const mapFor = (customerId: string) => {
    let map = customers.get(customerId);
    if (!map) {
      map = new Map();
      customers.set(customerId, map);
    }
    return map;
  };
  const assertUserNameFree = (customerId: string, userName: string, exceptId: string | null) => {
    const key = userName.toLowerCase();
    for (const record of customers.get(customerId)?.values() ?? []) {
      if (record.id !== exceptId && record.user.userName.toLowerCase() === key)
        throw ScimError.userNameTaken(userName);
    }
  };

  return {
    specificationVersion: 'v1',

    async get(customerId, id) {
      return customers.get(requireText(customerId, 'get', 'customerId'))?.get(id) ?? null;
    },
    async findByUserName(customerId, userName) {
      const key = userName.toLowerCase();
      for (const record of usersOf(customerId, 'findByUserName'))
        if (record.user.userName.toLowerCase() === key) return record;
      return null;
    },
    async findByExternalId(customerId, externalId) {
      return [...usersOf(customerId, 'findByExternalId')]
        .filter((r) => r.user.externalId === externalId)
        .sort(byAge);
    },
    async list(customerId, query) {
      const matching = [...usersOf(customerId, 'list')]
        .filter((record) => query.conditions.every((condition) => meets(record, condition)))
        .sort(byAge);
      const start = Math.max(1, query.startIndex) - 1;
      return {
        users: matching.slice(start, start + Math.max(0, query.count)),
        totalResults: matching.length,
      };
    },
    async create(customerId, { id, user, at }) {
      const customer = requireText(customerId, 'create', 'customerId');
      requireText(id, 'create', 'id');
      const map = mapFor(customer);
      if (map.has(id)) {
        throw new ScimError(`A user with id ${id} exists already; make up another id.`, {
          status: 409,
          scimType: 'uniqueness',
          details: { reason: 'id_taken' },
        });
      }
      assertUserNameFree(customer, user.userName, null);
      const record = freezeCopy({ id, user, created: at, lastModified: at, version: 1 });
      map.set(id, record);
      return record;
    },
    async replace(customerId, { id, user, at, expectedVersion }) {
      const customer = requireText(customerId, 'replace', 'customerId');
      const existing = customers.get(customer)?.get(id);
      if (!existing) return null;
      if (existing.version !== expectedVersion)
        throw ScimError.versionMismatch(id, expectedVersion, existing.version);
      assertUserNameFree(customer, user.userName, id);
      const record = freezeCopy({
        id,
        user,
        created: existing.created,
        lastModified: at,
        version: existing.version + 1,
      });
      mapFor(customer).set(id, record);
      return record;
    },
    async delete(customerId, id, expectedVersion) {
      const map = customers.get(requireText(customerId, 'delete', 'customerId'));
      const existing = map?.get(id);
      if (!map || !existing) return null;
      if (expectedVersion !== undefined && existing.version !== expectedVersion) {
        throw ScimError.versionMismatch(id, expectedVersion, existing.version);
      }
      map.delete(id);
      return existing;
    },

    inspect: {
      async user(customerId, id) {
        return customers.get(customerId)?.get(id) ?? null;
      },
      async count(customerId) {
        return customers.get(customerId)?.size ?? 0;
      },
    },
  };
}
