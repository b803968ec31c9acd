import type { Device, EndUser, NotificationPermission } from '../types.js';

/**
 * The end-user accounts QDesk can verify: who they are, their phone, email and devices.
 *
 * Partner guide: `getById` and `findByEmail` are required (email lookup is case-insensitive and returns `null` when
 * no account matches, never a guess). Device upkeep (`upsertDevice`, `removeDevice`, `reportPermission`) is optional
 * and declared by `capabilities.manageDevices`; the verifier uses it to drop a push address a provider reports dead.
 * @public
 */
export interface EndUserDirectory {
  /** What this directory can do beyond lookups. */
  readonly capabilities: { manageDevices: boolean };
  /** The end-user with that id in that tenant, or `null`. */
  getById(tenantId: string, id: string): Promise<EndUser | null>;
  /** The end-user whose email matches, case-insensitively, in that tenant, or `null`. */
  findByEmail(tenantId: string, email: string): Promise<EndUser | null>;
  /** Adds or replaces a device by id. Needs `capabilities.manageDevices`. */
  upsertDevice?(tenantId: string, endUserId: string, device: Device): Promise<void>;
  /** Removes a device (for example a dead push token). Needs `capabilities.manageDevices`. */
  removeDevice?(tenantId: string, endUserId: string, deviceId: string): Promise<void>;
  /** Records the notification permission a device reported. Needs `capabilities.manageDevices`. */
  reportPermission?(
    tenantId: string,
    endUserId: string,
    deviceId: string,
    permission: NotificationPermission,
    at: number,
  ): Promise<void>;
}
