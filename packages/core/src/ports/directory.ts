import type { Device, EndUser, NotificationPermission } from '../types.js';

/**
 * The end-user accounts QDesk can verify: who they are, their phone, email and devices.
 *
 * ## Partner guide: write an end-user directory
 *
 * Declare `specificationVersion: 'v1'`; run `runDirectoryConformance` from `@qdesk/core/testing`.
 * - `getById` and `findByEmail` are required and scoped by `tenantId`: an end-user of another tenant reads as
 *   `null`. Email lookup is case-insensitive and returns `null` when no account matches, never a guess.
 * - Device upkeep (`upsertDevice`, `removeDevice`, `reportPermission`) is declared by
 *   `capabilities.manageDevices`. When it is `true` all three must exist; the verifier then drops a push address a
 *   provider reports dead. When it is `false` the verifier never calls them.
 * @public
 */
export interface EndUserDirectory {
  /** The version of this port the implementation follows. */
  readonly specificationVersion: 'v1';
  /** What this directory can do beyond lookups. */
  readonly capabilities: { manageDevices: boolean };
  /** The end-user with that id in that tenant, or `null`. */
  getById(tenantId: string, endUserId: string): Promise<EndUser | null>;
  /** The end-user whose email matches, case-insensitively, in that tenant, or `null`. */
  findByEmail(tenantId: string, email: string): Promise<EndUser | null>;
  /** Adds or replaces a device by id. Needs `capabilities.manageDevices`. */
  upsertDevice?(tenantId: string, endUserId: string, device: Device): Promise<void>;
  /** Removes a device (for example a dead push address). Needs `capabilities.manageDevices`. */
  removeDevice?(tenantId: string, endUserId: string, deviceId: string): Promise<void>;
  /** Records the notification permission a device reported at `at`. Needs `capabilities.manageDevices`. */
  reportPermission?(
    tenantId: string,
    endUserId: string,
    deviceId: string,
    permission: NotificationPermission,
    at: number,
  ): Promise<void>;
}
