import { freezeCopy } from '@qdesk/core/memory';
import { ScimError } from '../scim-error.js';
import type { ScimUserRecord } from '../scim-user.js';
import type { ScimUserCondition, ScimUserStore } from '../scim-user-store.js';
import type { ScimUserStoreSubject } from './scim-user-store-conformance.js';

// A plain ScimUserStore whose mistakes can be switched on one at a time, so the kit's test can show that each rule
// catches the mistake a real implementation could make, with a message that says what to fix. With no mistake it
// passes the kit (the test checks that too). Never exported.

export type Flaw =
  | 'oldVersion'
  | 'phantomUsers'
  | 'forgetsExtras'
  | 'caseSensitiveLookup'
  | 'newestFirst'
  | 'customerBlind'
  | 'caseSensitiveUniqueness'
  | 'resetsCreated'
  | 'ignoresVersion'
  | 'deleteIgnoresVersion'
  | 'sharesReads'
  | 'keepsInput'
  | 'checkThenWrite';

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

function meets(record: ScimUserRecord, condition: ScimUserCondition): boolean {
  const { user } = record;
  if (condition.attribute === 'userName')
    return user.userName.toLowerCase() === condition.value.toLowerCase();
  if (condition.attribute === 'externalId') return user.externalId === condition.value;
  if (condition.attribute === 'id') return record.id === condition.value;
  if (condition.attribute === 'active') return user.active === condition.value;
  if (condition.attribute !== 'email') return false;
  const type = condition.type?.toLowerCase() ?? null;
  return user.emails.some(
    (e) => e.value.toLowerCase() === condition.value.toLowerCase() && (type === null || e.type === type),
  );
}

export function flawedStore(flaw: Flaw | null): ScimUserStoreSubject {
  const rows = new Map<string, ScimUserRecord>();
  const has = (f: Flaw) => flaw === f;
  const key = (customerId: string, id: string) => (has('customerBlind') ? id : `${customerId}\u0000${id}`);
  const stored = (record: ScimUserRecord) =>
    has('keepsInput')
      ? record
      : has('sharesReads')
        ? structuredClone(record)
        : freezeCopy(structuredClone(record));
  const out = (record: ScimUserRecord) => (has('sharesReads') ? record : structuredClone(record));
  const ofCustomer = (customerId: string) =>
    [...rows.entries()]
      .filter(([k]) => has('customerBlind') || k.startsWith(`${customerId}\u0000`))
      .map(([, r]) => r)
      .sort((a, b) => (a.created - b.created || (a.id < b.id ? -1 : 1)) * (has('newestFirst') ? -1 : 1));
  const sameName = (a: string, b: string) =>
    has('caseSensitiveUniqueness') ? a === b : a.toLowerCase() === b.toLowerCase();
  const assertFree = (customerId: string, userName: string, exceptId: string | null) => {
    if (ofCustomer(customerId).some((r) => r.id !== exceptId && sameName(r.user.userName, userName))) {
      throw ScimError.userNameTaken(userName);
    }
  };
  const store: ScimUserStore = {
    specificationVersion: (has('oldVersion') ? 'v0' : 'v1') as 'v1',
    async get(customerId, id) {
      const row = rows.get(key(customerId, id));
      if (!row && has('phantomUsers'))
        return { id, user: {} as never, created: 0, lastModified: 0, version: 0 };
      return row ? out(row) : null;
    },
    async findByUserName(customerId, userName) {
      const match = ofCustomer(customerId).find((r) =>
        has('caseSensitiveLookup')
          ? r.user.userName === userName
          : r.user.userName.toLowerCase() === userName.toLowerCase(),
      );
      return match ? out(match) : null;
    },
    async findByExternalId(customerId, externalId) {
      return ofCustomer(customerId)
        .filter((r) => r.user.externalId === externalId)
        .map(out);
    },
    async list(customerId, { conditions, startIndex, count }) {
      const all = ofCustomer(customerId).filter((r) => conditions.every((c) => meets(r, c)));
      return { users: all.slice(startIndex - 1, startIndex - 1 + count).map(out), totalResults: all.length };
    },
    async create(customerId, { id, user, at }) {
      assertFree(customerId, user.userName, null);
      if (has('checkThenWrite')) await tick();
      const record = {
        id,
        user: has('forgetsExtras') ? { ...user, extra: {} } : user,
        created: at,
        lastModified: at,
        version: 1,
      };
      rows.set(key(customerId, id), stored(record));
      return out(record);
    },
    async replace(customerId, { id, user, at, expectedVersion }) {
      const existing = rows.get(key(customerId, id));
      if (!existing) return null;
      if (!has('ignoresVersion') && existing.version !== expectedVersion) {
        throw ScimError.versionMismatch(id, expectedVersion, existing.version);
      }
      assertFree(customerId, user.userName, id);
      const created = has('resetsCreated') ? at : existing.created;
      const record = { id, user, created, lastModified: at, version: existing.version + 1 };
      rows.set(key(customerId, id), stored(record));
      return out(record);
    },
    async delete(customerId, id, expectedVersion) {
      const existing = rows.get(key(customerId, id));
      if (!existing) return null;
      if (
        !has('deleteIgnoresVersion') &&
        expectedVersion !== undefined &&
        existing.version !== expectedVersion
      ) {
        throw ScimError.versionMismatch(id, expectedVersion, existing.version);
      }
      rows.delete(key(customerId, id));
      return out(existing);
    },
  };
  return {
    store,
    inspect: {
      user: async (customerId, id) => structuredClone(rows.get(key(customerId, id)) ?? null),
      count: async (customerId) => ofCustomer(customerId).length,
    },
  };
}
