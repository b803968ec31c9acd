/**
 * Deliberately broken end-user directories, one mistake each, to show that every directory rule can fail and says
 * what to fix. Not exported from the package.
 */
import type { EndUserDirectory } from '../../ports/directory.js';
import type { Device, EndUser } from '../../types.js';

/** The mistake a broken directory makes. @internal */
export type DirectoryFlaw =
  | 'declares v0'
  | 'declares manageDevices false but has the methods'
  | 'drops customerId'
  | 'drops provenance'
  | 'answers undefined for an unknown end-user'
  | 'ignores the tenant on reads'
  | 'compares emails case-sensitively'
  | 'guesses an email by substring'
  | 'hands out its own objects'
  | 'appends a device with a known id'
  | 'keeps the caller device'
  | 'removes every device'
  | 'forgets lastSeenAt'
  | 'ignores the tenant on device writes';

/** A broken directory that can be seeded and read raw. @internal */
export interface BrokenDirectory extends EndUserDirectory {
  /** Adds end-users. */
  put(user: EndUser): void;
  /** The stored value itself. */
  peek(tenantId: string, endUserId: string): EndUser | null;
}

/** A directory that makes `flaw` and is otherwise correct. @internal */
export function createBrokenDirectory(flaw: DirectoryFlaw): BrokenDirectory {
  const users: EndUser[] = [];
  const is = (user: EndUser, tenantId: string, id: string, scoped: boolean) =>
    user.id === id && (!scoped || user.tenantId === tenantId);
  const find = (tenantId: string, id: string) =>
    users.find((u) => is(u, tenantId, id, flaw !== 'ignores the tenant on reads'));
  const read = (user: EndUser | undefined) => {
    if (user === undefined)
      return flaw === 'answers undefined for an unknown end-user' ? (undefined as never) : null;
    if (flaw === 'hands out its own objects') return user;
    const copy = structuredClone(user);
    if (flaw === 'drops customerId') delete copy.customerId;
    if (flaw === 'drops provenance') delete copy.provenance;
    return copy;
  };
  const emailMatches = (stored: string, asked: string) => {
    if (flaw === 'compares emails case-sensitively') return stored === asked;
    const [a, b] = [stored.toLowerCase(), asked.toLowerCase()];
    return flaw === 'guesses an email by substring' ? a.includes(b) || b.includes(a) : a === b;
  };
  const change = (tenantId: string, id: string, edit: (devices: Device[]) => Device[]) => {
    for (const user of users) {
      if (is(user, tenantId, id, flaw !== 'ignores the tenant on device writes'))
        user.devices = edit(user.devices);
    }
  };
  return {
    specificationVersion: (flaw === 'declares v0' ? 'v0' : 'v1') as 'v1',
    capabilities: { manageDevices: flaw !== 'declares manageDevices false but has the methods' },
    put: (user) => void users.push(structuredClone(user)),
    peek: (tenantId, id) => users.find((u) => is(u, tenantId, id, true)) ?? null,
    async getById(tenantId, id) {
      return read(find(tenantId, id));
    },
    async findByEmail(tenantId, email) {
      const scoped = flaw !== 'ignores the tenant on reads';
      return read(users.find((u) => (!scoped || u.tenantId === tenantId) && emailMatches(u.email, email)));
    },
    async upsertDevice(tenantId, id, device) {
      const stored = flaw === 'keeps the caller device' ? device : structuredClone(device);
      const keep = (d: Device) => flaw === 'appends a device with a known id' || d.id !== device.id;
      change(tenantId, id, (devices) => [...devices.filter(keep), stored]);
    },
    async removeDevice(tenantId, id, deviceId) {
      change(tenantId, id, (devices) =>
        flaw === 'removes every device' ? [] : devices.filter((d) => d.id !== deviceId),
      );
    },
    async reportPermission(tenantId, id, deviceId, permission, at) {
      const seen = flaw === 'forgets lastSeenAt' ? {} : { lastSeenAt: at };
      change(tenantId, id, (devices) =>
        devices.map((d) => (d.id === deviceId ? { ...d, notificationPermission: permission, ...seen } : d)),
      );
    },
  };
}
