import type { EndUserDirectory } from '../ports/directory.js';
import type { EndUser } from '../types.js';

/** A {@link EndUserDirectory} held in memory, with a way to add users. @public */
export interface MemoryDirectory extends EndUserDirectory {
  /** Adds or replaces an end-user (by id). */
  put(user: EndUser): void;
  /** Every end-user of a tenant. */
  list(tenantId: string): EndUser[];
}

/**
 * In-memory {@link EndUserDirectory}: the embedded default, seeded with `users`.
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
  const put = (user: EndUser) => {
    byId.set(key(user.tenantId, user.id), structuredClone(user));
  };
  for (const user of users) put(user);
  const find = (tenantId: string, id: string) => byId.get(key(tenantId, id));

  return {
    capabilities: { manageDevices: true },
    put,
    list: (tenantId) =>
      [...byId.values()].filter((u) => u.tenantId === tenantId).map((u) => structuredClone(u)),
    async getById(tenantId, id) {
      const user = find(tenantId, id);
      return user ? structuredClone(user) : null;
    },
    async findByEmail(tenantId, email) {
      const wanted = email.trim().toLowerCase();
      for (const user of byId.values()) {
        if (user.tenantId === tenantId && user.email.toLowerCase() === wanted) return structuredClone(user);
      }
      return null;
    },
    async upsertDevice(tenantId, endUserId, device) {
      const user = find(tenantId, endUserId);
      if (!user) return;
      user.devices = [...user.devices.filter((d) => d.id !== device.id), structuredClone(device)];
    },
    async removeDevice(tenantId, endUserId, deviceId) {
      const user = find(tenantId, endUserId);
      if (user) user.devices = user.devices.filter((d) => d.id !== deviceId);
    },
    async reportPermission(tenantId, endUserId, deviceId, permission, at) {
      const device = find(tenantId, endUserId)?.devices.find((d) => d.id === deviceId);
      if (device) {
        device.notificationPermission = permission;
        device.lastSeenAt = at;
      }
    },
  };
}
