import { freezeCopy } from '../internal/immutable.js';
import type { EndUserDirectory } from '../ports/directory.js';
import type { Device, EndUser } from '../types.js';

/** A {@link EndUserDirectory} held in memory, with a way to add users. @public */
export interface MemoryDirectory extends EndUserDirectory {
  /** Adds or replaces an end-user (by id). */
  put(user: EndUser): void;
  /** Every end-user of a tenant. */
  list(tenantId: string): EndUser[];
  /** The end-user as stored (deeply frozen), or `null`: what `runDirectoryConformance`'s `inspect` reads. */
  peek(tenantId: string, endUserId: string): EndUser | null;
}

/**
 * In-memory {@link EndUserDirectory}: the embedded default, seeded with `users`. Lookups return deeply frozen
 * records; changes go through `put` and the device methods.
 * @example
 * ```ts
 * const directory = createMemoryDirectory([{ id: 'u1', tenantId: 'msp', email: 'ana@example.com',
 *   displayName: 'Ana', mobilePhone: '+15550100', devices: [] }]);
 * ```
 * @public
 */
export function createMemoryDirectory(users: readonly EndUser[] = []): MemoryDirectory {
  const byId = new Map<string, EndUser>();
  const key = (tenantId: string, id: string) => `${tenantId}\u0000${id}`;
  // Users are stored deeply frozen and replaced on change, so lookups return them without copying.
  const put = (user: EndUser) => {
    byId.set(key(user.tenantId, user.id), freezeCopy(user));
  };
  const withDevices = (tenantId: string, endUserId: string, change: (devices: Device[]) => Device[]) => {
    const user = find(tenantId, endUserId);
    if (user) put({ ...user, devices: change([...user.devices]) });
  };
  for (const user of users) put(user);
  const find = (tenantId: string, id: string) => byId.get(key(tenantId, id));

  return {
    specificationVersion: 'v1',
    capabilities: { manageDevices: true },
    put,
    list: (tenantId) =>
      [...byId.values()].filter((u) => u.tenantId === tenantId).map((u) => structuredClone(u)),
    peek: (tenantId, id) => find(tenantId, id) ?? null,
    async getById(tenantId, id) {
      return find(tenantId, id) ?? null;
    },
    async findByEmail(tenantId, email) {
      const wanted = email.trim().toLowerCase();
      for (const user of byId.values()) {
        if (user.tenantId === tenantId && user.email.toLowerCase() === wanted) return user;
      }
      return null;
    },
    async upsertDevice(tenantId, endUserId, device) {
      withDevices(tenantId, endUserId, (devices) => [...devices.filter((d) => d.id !== device.id), device]);
    },
    async removeDevice(tenantId, endUserId, deviceId) {
      withDevices(tenantId, endUserId, (devices) => devices.filter((d) => d.id !== deviceId));
    },
    async reportPermission(tenantId, endUserId, deviceId, permission, at) {
      withDevices(tenantId, endUserId, (devices) =>
        devices.map((d) =>
          d.id === deviceId ? { ...d, notificationPermission: permission, lastSeenAt: at } : d,
        ),
      );
    },
  };
}
