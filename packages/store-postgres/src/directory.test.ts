import type { Device, EndUser } from '@qdesk/core';
import { runDirectoryConformance } from '@qdesk/core/testing';
import { describe, expect, it } from 'vitest';
import { testDatabases } from './_databases.test-helpers.js';
import type { Queryable } from './database.js';
import { createPostgresDirectory } from './directory.js';

interface DeviceRow {
  id: string;
  platform: Device['platform'];
  push_address: string;
  notification_permission: Device['notificationPermission'];
  last_seen_at: number | null;
  label: string | null;
}

/** The end-user as its rows hold it, read with plain selects (devices removed at run time left out). */
async function readUser(db: Queryable, tenantId: string, endUserId: string): Promise<EndUser | null> {
  const { rows } = await db.query<{
    email: string;
    display_name: string;
    mobile_phone: string | null;
    customer_id: string | null;
  }>('SELECT * FROM qdesk_end_users WHERE tenant_id = $1 AND id = $2', [tenantId, endUserId]);
  const row = rows[0];
  if (!row) return null;
  const devices = await db.query<DeviceRow>(
    `SELECT * FROM qdesk_devices WHERE tenant_id = $1 AND end_user_id = $2 AND NOT removed
     ORDER BY position, id`,
    [tenantId, endUserId],
  );
  return {
    id: endUserId,
    tenantId,
    email: row.email,
    displayName: row.display_name,
    mobilePhone: row.mobile_phone,
    ...(row.customer_id === null ? {} : { customerId: row.customer_id }),
    devices: devices.rows.map((d) => ({
      id: d.id,
      platform: d.platform,
      pushAddress: d.push_address,
      notificationPermission: d.notification_permission,
      ...(d.last_seen_at === null ? {} : { lastSeenAt: d.last_seen_at }),
      ...(d.label === null ? {} : { label: d.label }),
    })),
  };
}

const device = (id: string, overrides: Partial<Device> = {}): Device => ({
  id,
  platform: 'ios',
  pushAddress: `apns-${id}`,
  notificationPermission: 'granted',
  ...overrides,
});

const user = (id: string, overrides: Partial<EndUser> = {}): EndUser => ({
  id,
  tenantId: 'msp-1',
  email: `${id}@contoso.example`,
  displayName: `User ${id}`,
  mobilePhone: '+15550100001',
  devices: [],
  ...overrides,
});

for (const db of testDatabases()) {
  runDirectoryConformance({
    name: `@qdesk/store-postgres on ${db.name}`,
    create: async () => createPostgresDirectory(await db.fresh()),
    seed: (directory, users) => directory.putMany(users),
    capabilities: { manageDevices: true },
    inspect: { user: async (tenantId, endUserId) => readUser(await db.database(), tenantId, endUserId) },
  });

  describe(`PostgresDirectory on ${db.name}`, () => {
    it('put stores an end-user with its devices, and put again updates the profile', async () => {
      const directory = createPostgresDirectory(await db.fresh());
      const ana = user('eu-ana', { customerId: 'cust-1', devices: [device('d1', { label: 'Work iPhone' })] });
      await directory.put(ana);
      expect(await readUser(await db.database(), 'msp-1', 'eu-ana')).toEqual(ana);
      await directory.put({ ...ana, displayName: 'Ana Silva', mobilePhone: null, customerId: undefined });
      expect(await directory.getById('msp-1', 'eu-ana')).toEqual({
        ...ana,
        displayName: 'Ana Silva',
        mobilePhone: null,
        customerId: undefined,
      });
    });

    it('list returns the tenant’s end-users with devices, sorted by display name', async () => {
      const directory = createPostgresDirectory(await db.fresh());
      await directory.putMany([
        user('eu-3', { displayName: 'zoe' }),
        user('eu-1', { displayName: 'Bruno', devices: [device('d1')] }),
        user('eu-2', { displayName: 'ana' }),
        user('eu-9', { tenantId: 'msp-2', displayName: 'Other tenant' }),
      ]);
      const listed = await directory.list('msp-1');
      expect(listed.map((u) => u.displayName)).toEqual(['ana', 'Bruno', 'zoe']);
      expect(listed[1]!.devices).toEqual([device('d1')]);
      expect(await directory.list('msp-3')).toEqual([]);
    });

    it('remove deletes the end-user and its devices, in its tenant only', async () => {
      const database = await db.fresh();
      const directory = createPostgresDirectory(database);
      await directory.putMany([
        user('eu-1', { devices: [device('d1')] }),
        user('eu-1', { tenantId: 'msp-2', devices: [device('d1')] }),
      ]);
      expect(await directory.remove('msp-1', 'eu-1')).toBe(true);
      expect(await directory.remove('msp-1', 'eu-1')).toBe(false);
      expect(await directory.getById('msp-1', 'eu-1')).toBeNull();
      expect((await directory.getById('msp-2', 'eu-1'))?.devices).toHaveLength(1);
      const { rows } = await database.query('SELECT id FROM qdesk_devices WHERE tenant_id = $1', ['msp-1']);
      expect(rows).toEqual([]);
    });

    it('an import keeps the devices the app recorded since: enrolled, rotated, reported and removed', async () => {
      const directory = createPostgresDirectory(await db.fresh());
      const fromFile = user('eu-1', {
        devices: [device('phone'), device('tablet', { platform: 'android' }), device('old')],
      });
      await directory.putMany([fromFile]);
      await directory.upsertDevice('msp-1', 'eu-1', device('web', { platform: 'web' }));
      await directory.upsertDevice('msp-1', 'eu-1', device('phone', { pushAddress: 'apns-rotated' }));
      await directory.reportPermission('msp-1', 'eu-1', 'tablet', 'denied', 1_767_225_600_000);
      await directory.removeDevice('msp-1', 'eu-1', 'old');

      // The same file again at the next start, with a new name and a new device; then one listing none.
      await directory.putMany([
        { ...fromFile, displayName: 'Renamed', devices: [...fromFile.devices, device('new')] },
      ]);
      expect((await directory.getById('msp-1', 'eu-1'))?.displayName).toBe('Renamed');
      await directory.putMany([{ ...fromFile, devices: [] }]);

      const stored = await directory.getById('msp-1', 'eu-1');
      expect(stored?.devices).toEqual([
        device('phone', { pushAddress: 'apns-rotated' }),
        device('tablet', {
          platform: 'android',
          notificationPermission: 'denied',
          lastSeenAt: 1_767_225_600_000,
        }),
        device('web', { platform: 'web' }),
        device('new'),
      ]);
    });

    it('a device removed at run time comes back when the end-user enrolls it again', async () => {
      const directory = createPostgresDirectory(await db.fresh());
      await directory.putMany([user('eu-1', { devices: [device('a'), device('b')] })]);
      await directory.removeDevice('msp-1', 'eu-1', 'a');
      await directory.reportPermission('msp-1', 'eu-1', 'a', 'denied', 5);
      await directory.upsertDevice('msp-1', 'eu-1', device('a', { pushAddress: 'apns-new' }));
      expect((await directory.getById('msp-1', 'eu-1'))?.devices).toEqual([
        device('b'),
        device('a', { pushAddress: 'apns-new' }),
      ]);
    });

    it('putMany writes all or nothing, naming the malformed field', async () => {
      const directory = createPostgresDirectory(await db.fresh());
      const bad = user('eu-2', { devices: [device('d1', { platform: 'fax' as Device['platform'] })] });
      await expect(directory.putMany([user('eu-1'), bad])).rejects.toMatchObject({
        code: 'input_invalid',
        issues: [{ path: 'users.1.devices.0.platform', message: 'must be ios, android or web' }],
      });
      expect(await directory.getById('msp-1', 'eu-1')).toBeNull();
    });

    it('refuses a provenance with an unknown source or a bad time, naming the field', async () => {
      const directory = createPostgresDirectory(await db.fresh());
      const bad = user('eu-2', {
        provenance: {
          mobilePhone: { source: 'carrier' as 'psa', changedAt: null },
          email: { source: 'directory', changedAt: -5 },
        },
      });
      await expect(directory.putMany([bad])).rejects.toMatchObject({
        code: 'input_invalid',
        issues: [
          { path: 'users.0.provenance.mobilePhone.source', message: expect.stringContaining('idp_mfa') },
          { path: 'users.0.provenance.email.changedAt', message: 'must be epoch milliseconds or null' },
        ],
      });
      // A later import that drops the provenance clears it: the file is the source then.
      await directory.put(user('eu-3', { provenance: { email: { source: 'scim', changedAt: 7 } } }));
      await directory.put(user('eu-3'));
      expect(await directory.getById('msp-1', 'eu-3')).not.toHaveProperty('provenance');
    });

    it('finds an email whatever its case, and none when the email is on several accounts', async () => {
      const directory = createPostgresDirectory(await db.fresh());
      await directory.putMany([
        user('eu-1', { email: 'Ana.Silva@Contoso.example' }),
        user('eu-2', { email: 'shared@contoso.example' }),
        user('eu-3', { email: 'Shared@contoso.example' }),
      ]);
      expect((await directory.findByEmail('msp-1', ' ana.silva@CONTOSO.EXAMPLE '))?.id).toBe('eu-1');
      expect(await directory.findByEmail('msp-1', 'shared@contoso.example')).toBeNull();
    });

    it('upsertDevice for an end-user that is not stored changes nothing', async () => {
      const database = await db.fresh();
      await createPostgresDirectory(database).upsertDevice('msp-1', 'eu-missing', device('d1'));
      const { rows } = await database.query('SELECT id FROM qdesk_devices');
      expect(rows).toEqual([]);
    });

    it('reads an end-user with its devices in one query, by id or by email', async () => {
      const database = await db.fresh();
      await createPostgresDirectory(database).put(user('eu-1', { devices: [device('d1'), device('d2')] }));
      const sent: string[] = [];
      const directory = createPostgresDirectory({
        query: <Row>(text: string, params?: readonly unknown[]) => {
          sent.push(text);
          return database.query<Row>(text, params);
        },
      });
      expect((await directory.getById('msp-1', 'eu-1'))?.devices).toHaveLength(2);
      expect((await directory.findByEmail('msp-1', 'EU-1@contoso.example'))?.devices).toHaveLength(2);
      expect(sent).toHaveLength(2);
    });

    it('keeps every device when twenty are enrolled at once for one end-user', async () => {
      const directory = createPostgresDirectory(await db.fresh());
      await directory.put(user('eu-1'));
      const ids = Array.from({ length: 20 }, (_, i) => `d${String(i).padStart(2, '0')}`);
      await Promise.all(ids.map((id) => directory.upsertDevice('msp-1', 'eu-1', device(id))));
      const stored = await directory.getById('msp-1', 'eu-1');
      expect(stored?.devices.map((d) => d.id).sort()).toEqual(ids);
    });
  });
}
