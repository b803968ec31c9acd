import {
  CONTACT_SOURCES,
  type Device,
  type EndUser,
  type EndUserDirectory,
  type FieldIssue,
  InputError,
} from '@qdesk/core';
import type { NotificationPermission } from '@qdesk/core/ports';
import type { Database, Queryable } from './database.js';

/**
 * An {@link EndUserDirectory} on PostgreSQL or PGlite that keeps devices, with what an app needs to load and list
 * its end-users. Made by {@link createPostgresDirectory}.
 * @public
 */
export interface PostgresDirectory extends EndUserDirectory {
  /** Devices are kept here: the verifier may add, remove and update them. */
  readonly capabilities: { manageDevices: true };
  /** Adds a device, or replaces the one with the same id; nothing happens when the end-user is not stored. */
  upsertDevice(tenantId: string, endUserId: string, device: Device): Promise<void>;
  /** Removes a device (a dead push address); an import that still lists it does not bring it back. */
  removeDevice(tenantId: string, endUserId: string, deviceId: string): Promise<void>;
  /** Records the notification permission a device reported at `at` (epoch milliseconds). */
  reportPermission(
    tenantId: string,
    endUserId: string,
    deviceId: string,
    permission: NotificationPermission,
    at: number,
  ): Promise<void>;
  /**
   * Adds or updates one end-user: the profile as given; devices merged as {@link PostgresDirectory.putMany} says.
   * Throws `InputError` naming the field when the record is malformed.
   */
  put(user: EndUser): Promise<void>;
  /**
   * Adds or updates end-users in one transaction (the import of a directory file at start): all or none. Each
   * profile (email, name, phone, customer) is stored as given; devices are merged, never wiped: a listed device
   * whose id is new is added, a device already stored keeps what the app recorded since (a rotated push address,
   * a reported permission), and a stored device the record does not list is kept, as is one removed at run time.
   * Change devices with `upsertDevice` and `removeDevice`. Of two records with one id, the last wins.
   */
  putMany(users: readonly EndUser[]): Promise<void>;
  /** Every end-user of the tenant, with devices, sorted by display name (then id). */
  list(tenantId: string): Promise<EndUser[]>;
  /** Removes the end-user and its devices; `true` when it was stored. */
  remove(tenantId: string, endUserId: string): Promise<boolean>;
}

const PLATFORMS = new Set(['ios', 'android', 'web']);
const PERMISSIONS = new Set(['granted', 'denied', 'default', 'unknown']);
const PERMISSION_MESSAGE = 'must be granted, denied, default or unknown';

// One query reads an end-user with its devices: the devices come back as one JSON array beside the profile.
const SELECT_USERS = `
  SELECT u.tenant_id AS "tenantId", u.id, u.email, u.display_name AS "displayName",
    u.mobile_phone AS "mobilePhone", u.customer_id AS "customerId", u.provenance,
    coalesce((
      SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
          'id', d.id, 'platform', d.platform, 'pushAddress', d.push_address,
          'notificationPermission', d.notification_permission, 'lastSeenAt', d.last_seen_at, 'label', d.label))
        ORDER BY d.position, d.id)
      FROM qdesk_devices d
      WHERE d.tenant_id = u.tenant_id AND d.end_user_id = u.id AND NOT d.removed
    ), '[]'::jsonb) AS devices
  FROM qdesk_end_users u`;

type UserRow = Omit<EndUser, 'customerId' | 'provenance'> & {
  customerId: string | null;
  provenance: EndUser['provenance'] | null;
};

const toUser = ({ customerId, provenance, ...user }: UserRow): EndUser => ({
  ...user,
  ...(customerId === null ? {} : { customerId }),
  ...(provenance === null ? {} : { provenance }),
});

const byName = new Intl.Collator('en', { numeric: true });

/**
 * End-users in `qdesk_end_users` and their devices in `qdesk_devices`, one row per device.
 *
 * Note: a device is its own row, keyed by tenant, end-user and device id, so two devices enrolled at the same moment
 * are two inserts and neither overwrites the other (a JSON array of devices would need a read-modify-write). A
 * removed device stays as a marker row without its push address, so an import of a file that still lists it does
 * not bring a dead address back; `upsertDevice` of that id enrolls it again. Email lookup goes through an index on
 * `lower(email)`; when one email is on several accounts it answers `null` rather than pick one (an admin then links
 * the PSA contact to the right account). `list` sorts in JavaScript, so the order is the same on PostgreSQL and
 * PGlite whatever collation the database has. `putMany` runs in one transaction when given a {@link Database};
 * given a transaction's {@link Queryable}, it runs inside that one.
 * @example
 * ```ts
 * const directory = createPostgresDirectory(database);
 * await directory.putMany(usersFromFile);
 * const user = await directory.findByEmail('msp-1', 'ana@contoso.example');
 * ```
 * @public
 */
export function createPostgresDirectory(database: Queryable | Database): PostgresDirectory {
  const putMany = async (users: readonly EndUser[]) => {
    const issues = Array.isArray(users)
      ? users.flatMap((user, i) => userIssues(user, `users.${i}`))
      : [{ path: 'users', message: 'must be an array of end-users' }];
    if (issues.length) throw InputError.fromIssues('putMany', issues);
    const last = new Map(users.map((u) => [JSON.stringify([u.tenantId, u.id]), u]));
    if (last.size === 0) return;
    const profiles = [...last.values()].map((u) => ({ ...u, devices: undefined }));
    const devices = [...last.values()].flatMap((u) =>
      u.devices.map((d, i) => ({ ...d, tenantId: u.tenantId, endUserId: u.id, position: i + 1 })),
    );
    const write = async (q: Queryable) => {
      await q.query(
        `INSERT INTO qdesk_end_users (tenant_id, id, email, display_name, mobile_phone, customer_id, provenance)
         SELECT r."tenantId", r.id, r.email, r."displayName", r."mobilePhone", r."customerId", r.provenance
         FROM jsonb_to_recordset($1::jsonb) AS r("tenantId" text, id text, email text, "displayName" text,
           "mobilePhone" text, "customerId" text, provenance jsonb)
         ON CONFLICT (tenant_id, id) DO UPDATE SET email = EXCLUDED.email, display_name = EXCLUDED.display_name,
           mobile_phone = EXCLUDED.mobile_phone, customer_id = EXCLUDED.customer_id,
           provenance = EXCLUDED.provenance`,
        [JSON.stringify(profiles)],
      );
      if (devices.length === 0) return;
      // New devices go after the ones stored; a stored one (even one removed at run time) is left as it is.
      await q.query(
        `INSERT INTO qdesk_devices (tenant_id, end_user_id, id, position, platform, push_address,
           notification_permission, last_seen_at, label)
         SELECT r."tenantId", r."endUserId", r.id,
           coalesce((SELECT max(d.position) FROM qdesk_devices d
                     WHERE d.tenant_id = r."tenantId" AND d.end_user_id = r."endUserId"), 0) + r.position,
           r.platform, r."pushAddress", r."notificationPermission", r."lastSeenAt", r.label
         FROM jsonb_to_recordset($1::jsonb) AS r("tenantId" text, "endUserId" text, id text, position integer,
           platform text, "pushAddress" text, "notificationPermission" text, "lastSeenAt" bigint, label text)
         ON CONFLICT (tenant_id, end_user_id, id) DO NOTHING`,
        [JSON.stringify(devices)],
      );
    };
    await ('transaction' in database ? database.transaction(write) : write(database));
  };

  return {
    specificationVersion: 'v1',
    capabilities: { manageDevices: true },
    async getById(tenantId, endUserId) {
      const { rows } = await database.query<UserRow>(`${SELECT_USERS} WHERE u.tenant_id = $1 AND u.id = $2`, [
        tenantId,
        endUserId,
      ]);
      return rows[0] ? toUser(rows[0]) : null;
    },
    async findByEmail(tenantId, email) {
      const { rows } = await database.query<UserRow>(
        `${SELECT_USERS} WHERE u.tenant_id = $1 AND lower(u.email) = lower($2) LIMIT 2`,
        [tenantId, String(email).trim()],
      );
      return rows.length === 1 ? toUser(rows[0]!) : null;
    },
    async upsertDevice(tenantId, endUserId, device) {
      const issues = deviceIssues(device, 'device');
      if (issues.length) throw InputError.fromIssues('upsertDevice', issues);
      // A device removed at run time and enrolled again goes to the end, as a new one would.
      await database.query(
        `INSERT INTO qdesk_devices (tenant_id, end_user_id, id, position, platform, push_address,
           notification_permission, last_seen_at, label)
         SELECT u.tenant_id, u.id, $3,
           coalesce((SELECT max(d.position) FROM qdesk_devices d
                     WHERE d.tenant_id = $1 AND d.end_user_id = $2), 0) + 1,
           $4, $5, $6, $7, $8
         FROM qdesk_end_users u WHERE u.tenant_id = $1 AND u.id = $2
         ON CONFLICT (tenant_id, end_user_id, id) DO UPDATE SET platform = EXCLUDED.platform,
           push_address = EXCLUDED.push_address, notification_permission = EXCLUDED.notification_permission,
           last_seen_at = EXCLUDED.last_seen_at, label = EXCLUDED.label, removed = false,
           position = CASE WHEN qdesk_devices.removed THEN EXCLUDED.position ELSE qdesk_devices.position END`,
        [
          tenantId,
          endUserId,
          device.id,
          device.platform,
          device.pushAddress,
          device.notificationPermission,
          device.lastSeenAt ?? null,
          device.label ?? null,
        ],
      );
    },
    async removeDevice(tenantId, endUserId, deviceId) {
      // The row stays as a marker (without its push address) so an import does not add the device again.
      await database.query(
        `UPDATE qdesk_devices SET removed = true, push_address = ''
         WHERE tenant_id = $1 AND end_user_id = $2 AND id = $3`,
        [tenantId, endUserId, deviceId],
      );
    },
    async reportPermission(tenantId, endUserId, deviceId, permission, at) {
      const issues = [
        ...(PERMISSIONS.has(permission) ? [] : [{ path: 'permission', message: PERMISSION_MESSAGE }]),
        ...(Number.isSafeInteger(at) ? [] : [{ path: 'at', message: 'must be epoch milliseconds' }]),
      ];
      if (issues.length) throw InputError.fromIssues('reportPermission', issues);
      await database.query(
        `UPDATE qdesk_devices SET notification_permission = $4, last_seen_at = $5
         WHERE tenant_id = $1 AND end_user_id = $2 AND id = $3 AND NOT removed`,
        [tenantId, endUserId, deviceId, permission, at],
      );
    },
    put: async (user) => {
      const issues = userIssues(user, 'user');
      if (issues.length) throw InputError.fromIssues('put', issues);
      await putMany([user]);
    },
    putMany,
    async list(tenantId) {
      const { rows } = await database.query<UserRow>(`${SELECT_USERS} WHERE u.tenant_id = $1`, [tenantId]);
      return rows
        .map(toUser)
        .sort((a, b) => byName.compare(a.displayName, b.displayName) || (a.id < b.id ? -1 : 1));
    },
    async remove(tenantId, endUserId) {
      const { rowCount } = await database.query(
        'DELETE FROM qdesk_end_users WHERE tenant_id = $1 AND id = $2',
        [tenantId, endUserId],
      );
      return rowCount === 1;
    },
  };
}

// PostgreSQL text cannot hold NUL, so it is refused here with the field named rather than by the driver.
const textIssue = (
  value: unknown,
  path: string,
  { optional = false, nullable = false, empty = true } = {},
) => {
  if ((optional && value === undefined) || (nullable && value === null)) return [];
  if (typeof value !== 'string') return [{ path, message: 'must be a string' }];
  if (!empty && value.trim() === '') return [{ path, message: 'must not be empty' }];
  return value.includes('\u0000') ? [{ path, message: 'must not contain NUL characters' }] : [];
};

function deviceIssues(device: Device, path: string): FieldIssue[] {
  if (typeof device !== 'object' || device === null) return [{ path, message: 'must be a device' }];
  return [
    ...textIssue(device.id, `${path}.id`, { empty: false }),
    ...(PLATFORMS.has(device.platform)
      ? []
      : [{ path: `${path}.platform`, message: 'must be ios, android or web' }]),
    ...textIssue(device.pushAddress, `${path}.pushAddress`),
    ...(PERMISSIONS.has(device.notificationPermission)
      ? []
      : [{ path: `${path}.notificationPermission`, message: PERMISSION_MESSAGE }]),
    ...(device.lastSeenAt === undefined || Number.isSafeInteger(device.lastSeenAt)
      ? []
      : [{ path: `${path}.lastSeenAt`, message: 'must be epoch milliseconds' }]),
    ...textIssue(device.label, `${path}.label`, { optional: true }),
  ];
}

const SOURCES: ReadonlySet<string> = new Set(CONTACT_SOURCES);

/** `{ email?, mobilePhone? }`, each `{ source, changedAt }` (a known source; epoch ms or `null`), or absent. */
function provenanceIssues(provenance: EndUser['provenance'], path: string): FieldIssue[] {
  if (provenance === undefined) return [];
  if (typeof provenance !== 'object' || provenance === null || Array.isArray(provenance))
    return [{ path, message: 'must be { email?, mobilePhone? } or absent' }];
  const issues: FieldIssue[] = [];
  for (const [key, point] of Object.entries(provenance)) {
    const at = `${path}.${key}`;
    if (key !== 'email' && key !== 'mobilePhone') {
      issues.push({ path: at, message: 'is not a contact point: use email or mobilePhone' });
      continue;
    }
    if (point === undefined) continue;
    if (typeof point !== 'object' || point === null || !SOURCES.has(point.source))
      issues.push({ path: `${at}.source`, message: `must be one of ${CONTACT_SOURCES.join(', ')}` });
    else if (!(point.changedAt === null || (Number.isSafeInteger(point.changedAt) && point.changedAt >= 0)))
      issues.push({ path: `${at}.changedAt`, message: 'must be epoch milliseconds or null' });
  }
  return issues;
}

function userIssues(user: EndUser, path: string): FieldIssue[] {
  if (typeof user !== 'object' || user === null) return [{ path, message: 'must be an end-user' }];
  const issues = [
    ...textIssue(user.tenantId, `${path}.tenantId`, { empty: false }),
    ...textIssue(user.id, `${path}.id`, { empty: false }),
    ...textIssue(user.email, `${path}.email`),
    ...textIssue(user.displayName, `${path}.displayName`),
    ...textIssue(user.mobilePhone, `${path}.mobilePhone`, { nullable: true }),
    ...textIssue(user.customerId, `${path}.customerId`, { optional: true }),
    ...provenanceIssues(user.provenance, `${path}.provenance`),
  ];
  if (!Array.isArray(user.devices))
    return [...issues, { path: `${path}.devices`, message: 'must be an array' }];
  const seen = new Set<string>();
  user.devices.forEach((device, i) => {
    issues.push(...deviceIssues(device, `${path}.devices.${i}`));
    if (seen.has(device?.id)) issues.push({ path: `${path}.devices.${i}.id`, message: 'is listed twice' });
    seen.add(device?.id);
  });
  return issues;
}
