/** The device rules of the directory kit (they need `capabilities.manageDevices`). */
import type { EndUserDirectory } from '../ports/directory.js';
import type { Device, EndUser } from '../types.js';
import { firstDifference, show, unique } from './_helpers.js';
import { sampleDevice, sampleUser } from './_samples.js';
import type { DirectorySubject } from './directory-conformance.js';
import { type KitRule, must } from './kit.js';

/** The device methods, or a violation naming the one that is missing. */
function deviceMethods(directory: EndUserDirectory) {
  const { upsertDevice, removeDevice, reportPermission } = directory;
  must(
    upsertDevice && removeDevice && reportPermission,
    'capabilities.manageDevices is expected, but upsertDevice, removeDevice or reportPermission is missing; implement all three.',
  );
  return {
    upsertDevice: upsertDevice.bind(directory),
    removeDevice: removeDevice.bind(directory),
    reportPermission: reportPermission.bind(directory),
  };
}

async function devicesOf(inspect: DirectorySubject['inspect'], user: EndUser): Promise<Device[]> {
  const raw = await inspect.user(user.tenantId, user.id);
  must(raw !== null, `inspect found no end-user ${user.id} after a device change; keep the end-user.`);
  return raw.devices;
}

/** The device rules of the directory kit. */
export const directoryDeviceRules: readonly KitRule<DirectorySubject>[] = [
  {
    name: 'upsertDevice adds a device, replaces the one with the same id, and keeps a copy',
    needs: 'manageDevices',
    async check({ directory, seed, inspect }) {
      const { upsertDevice } = deviceMethods(directory);
      const user = sampleUser();
      await seed([user]);
      const added = sampleDevice('dev-new', { platform: 'android', pushAddress: 'fcm-token-1' });
      await upsertDevice(user.tenantId, user.id, added);
      added.pushAddress = 'mutated-by-caller';
      const afterAdd = await devicesOf(inspect, user);
      must(
        afterAdd.length === 3 && afterAdd.find((d) => d.id === 'dev-new')?.pushAddress === 'fcm-token-1',
        `after upsertDevice() of a new device the end-user holds ${show(afterAdd.map((d) => [d.id, d.pushAddress]))}; add it (a copy: the caller may change its object afterwards).`,
      );
      await upsertDevice(
        user.tenantId,
        user.id,
        sampleDevice('dev-phone', { pushAddress: 'apns-token-rotated' }),
      );
      const afterReplace = await devicesOf(inspect, user);
      const phones = afterReplace.filter((d) => d.id === 'dev-phone');
      must(
        afterReplace.length === 3 && phones.length === 1 && phones[0]!.pushAddress === 'apns-token-rotated',
        `after upsertDevice() of an existing id the end-user holds ${show(afterReplace.map((d) => [d.id, d.pushAddress]))}; replace the device with that id.`,
      );
      const read = await directory.getById(user.tenantId, user.id);
      must(
        read?.devices.some((d) => d.pushAddress === 'apns-token-rotated'),
        'getById() does not show the device upsertDevice() replaced; read devices from the same store.',
      );
    },
  },
  {
    name: 'removeDevice removes that device and only that one',
    needs: 'manageDevices',
    async check({ directory, seed, inspect }) {
      const { removeDevice } = deviceMethods(directory);
      const user = sampleUser();
      await seed([user]);
      await removeDevice(user.tenantId, user.id, 'dev-phone');
      const ids = (await devicesOf(inspect, user)).map((d) => d.id);
      must(
        ids.length === 1 && ids[0] === 'dev-web',
        `after removeDevice("dev-phone") the end-user holds devices ${show(ids)}; expected only "dev-web".`,
      );
      await removeDevice(user.tenantId, user.id, 'dev-unknown');
      must(
        (await devicesOf(inspect, user)).length === 1,
        'removeDevice() of an unknown device id changed the other devices; leave them.',
      );
    },
  },
  {
    name: "reportPermission sets that device's permission and lastSeenAt, and nothing else",
    needs: 'manageDevices',
    async check({ directory, seed, inspect }) {
      const { reportPermission } = deviceMethods(directory);
      const user = sampleUser();
      await seed([user]);
      await reportPermission(user.tenantId, user.id, 'dev-phone', 'denied', 1_767_225_600_000);
      const devices = await devicesOf(inspect, user);
      const phone = devices.find((d) => d.id === 'dev-phone');
      must(
        phone?.notificationPermission === 'denied' && phone.lastSeenAt === 1_767_225_600_000,
        `after reportPermission("denied", at) the device reads ${show(phone)}; set notificationPermission and lastSeenAt.`,
      );
      const expected = {
        ...user.devices[0]!,
        notificationPermission: 'denied',
        lastSeenAt: 1_767_225_600_000,
      };
      const difference =
        firstDifference(expected, phone) ??
        firstDifference(
          user.devices[1],
          devices.find((d) => d.id === 'dev-web'),
        );
      must(
        difference === null,
        `reportPermission() changed more than the permission and lastSeenAt: ${difference}.`,
      );
    },
  },
  {
    name: 'device upkeep stays inside its tenant',
    needs: 'manageDevices',
    async check({ directory, seed, inspect }) {
      const methods = deviceMethods(directory);
      const inA = sampleUser();
      const inB = sampleUser({ id: inA.id, tenantId: unique('tenant'), email: `b-${inA.email}` });
      await seed([inA, inB]);
      await methods.upsertDevice(
        inB.tenantId,
        inA.id,
        sampleDevice('dev-b', { pushAddress: 'tenant-b-token' }),
      );
      await methods.removeDevice(inB.tenantId, inA.id, 'dev-web');
      await methods.reportPermission(inB.tenantId, inA.id, 'dev-phone', 'denied', 5);
      const difference = firstDifference(inA.devices, await devicesOf(inspect, inA), 'devices');
      must(
        difference === null,
        `device changes made in tenant B changed tenant A's end-user with the same id (${difference}); scope every write by tenant.`,
      );
    },
  },
];
