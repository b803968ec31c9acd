import type { EndUserDirectory } from '../ports/directory.js';
import type { EndUser } from '../types.js';
import { directoryDeviceRules } from './_directory-device-rules.js';
import { firstDifference, needsFrom, show, unique } from './_helpers.js';
import { sampleUser } from './_samples.js';
import { type KitHarness, type KitRule, must, registerRules } from './kit.js';

/** Options for {@link runDirectoryConformance}. @public */
export interface DirectoryConformanceOptions<D extends EndUserDirectory = EndUserDirectory> {
  /** Shown in the suite's title. */
  name: string;
  /** A ready directory (called once per rule). Rules use fresh tenant ids and emails, so it need not be empty. */
  create: () => D | Promise<D>;
  /** Releases the directory (close connections, drop the schema). */
  cleanup?: (directory: D) => void | Promise<void>;
  /**
   * Puts these end-users into the backing system (each in its own `tenantId`), as an administrator or a sync would:
   * an insert, a `put` on a memory directory, a write to the fake of a SaaS directory.
   */
  seed: (directory: D, users: EndUser[]) => void | Promise<void>;
  /** What the directory must declare. */
  capabilities: {
    /** Whether it keeps devices (`upsertDevice`, `removeDevice`, `reportPermission`); device rules run only then. */
    manageDevices: boolean;
  };
  /** Reads the backing system directly, bypassing the directory's methods. */
  inspect: {
    /** The end-user with that id in that tenant, as stored, or `null`. */
    user(tenantId: string, endUserId: string): Promise<EndUser | null>;
  };
  /** Per-rule timeout in ms (default 20 s). */
  timeoutMs?: number;
}

/** The subject each directory rule checks. @public */
export interface DirectorySubject {
  /** The directory under test. */
  directory: EndUserDirectory;
  /** Puts end-users into the backing system. */
  seed: (users: EndUser[]) => Promise<void>;
  /** What the directory must declare. */
  capabilities: DirectoryConformanceOptions['capabilities'];
  /** Direct reads of the backing system. */
  inspect: DirectoryConformanceOptions['inspect'];
}

const DEVICE_METHODS = ['upsertDevice', 'removeDevice', 'reportPermission'] as const;

/**
 * Every rule an {@link EndUserDirectory} must follow, as data: {@link runDirectoryConformance} registers each as a
 * test; `checkRules` runs them anywhere.
 * @public
 */
export const directoryRules: readonly KitRule<DirectorySubject>[] = [
  {
    name: 'declares specificationVersion v1',
    async check({ directory }) {
      must(
        directory.specificationVersion === 'v1',
        `specificationVersion is ${JSON.stringify(directory.specificationVersion)}; set it to 'v1'.`,
      );
    },
  },
  {
    name: 'declares the expected capabilities, and has the device methods exactly when it declares manageDevices',
    async check({ directory, capabilities }) {
      const declared = directory.capabilities?.manageDevices;
      must(
        typeof declared === 'boolean',
        `capabilities.manageDevices is ${show(declared)}; declare true or false.`,
      );
      must(
        declared === capabilities.manageDevices,
        `capabilities.manageDevices is ${declared} but the kit's options expect ${capabilities.manageDevices}; declare what the directory does.`,
      );
      const present = DEVICE_METHODS.filter((m) => typeof directory[m] === 'function');
      must(
        declared ? present.length === 3 : present.length === 0,
        declared
          ? `manageDevices is true but only ${present.join(', ') || 'none'} of ${DEVICE_METHODS.join(', ')} exist; implement all three.`
          : `manageDevices is false but ${present.join(', ')} exist; declare true, or remove them so callers cannot use what is not supported.`,
      );
    },
  },
  {
    name: 'getById returns the end-user as stored, every field equal',
    async check({ directory, seed }) {
      const user = sampleUser();
      await seed([user]);
      const difference = firstDifference(user, await directory.getById(user.tenantId, user.id));
      must(
        difference === null,
        `getById() must return the end-user with every field as stored; ${difference}.`,
      );
    },
  },
  {
    name: 'keeps where the email and the mobile phone came from, and when they changed',
    async check({ directory, seed }) {
      const user = sampleUser({
        provenance: {
          email: { source: 'directory', changedAt: null },
          mobilePhone: { source: 'idp_mfa', changedAt: 1_780_000_000_000 },
        },
      });
      await seed([user]);
      for (const read of [
        await directory.getById(user.tenantId, user.id),
        await directory.findByEmail(user.tenantId, user.email),
      ]) {
        const difference = firstDifference(user.provenance, read?.provenance);
        must(
          difference === null,
          `the end-user's provenance read back differently (${difference}); store \`provenance\` as given and return it.`,
        );
      }
    },
  },
  {
    name: 'getById and findByEmail return null for an unknown id or email',
    async check({ directory, seed }) {
      const user = sampleUser();
      await seed([user]);
      const byId = await directory.getById(user.tenantId, unique('eu-missing'));
      const byEmail = await directory.findByEmail(user.tenantId, `${unique('nobody')}@conformance.example`);
      must(
        byId === null && byEmail === null,
        `an unknown id read as ${show(byId)} and an unknown email as ${show(byEmail)}; return null (not undefined, not an error).`,
      );
    },
  },
  {
    name: 'an end-user of another tenant reads as null, by id and by email',
    async check({ directory, seed }) {
      const inA = sampleUser();
      const inB = sampleUser({ id: inA.id, tenantId: unique('tenant'), email: `b-${inA.email}` });
      await seed([inA, inB]);
      const readB = await directory.getById(inB.tenantId, inA.id);
      must(
        readB?.email === inB.email,
        `getById(tenant B, id) returned ${show(readB?.email)}, not tenant B's own end-user with that id; scope reads by tenant.`,
      );
      must(
        (await directory.getById(unique('tenant'), inA.id)) === null,
        'getById() in a tenant without that end-user returned one; scope reads by tenant.',
      );
      must(
        (await directory.findByEmail(inB.tenantId, inA.email)) === null,
        "findByEmail() found tenant A's end-user from tenant B; scope email lookups by tenant.",
      );
    },
  },
  {
    name: 'findByEmail ignores the case of the email',
    async check({ directory, seed }) {
      const user = sampleUser();
      user.email = `Mixed.Case-${user.id}@Conformance.Example`;
      await seed([user]);
      for (const asked of [user.email.toLowerCase(), user.email.toUpperCase()]) {
        const found = await directory.findByEmail(user.tenantId, asked);
        must(
          found?.id === user.id,
          `findByEmail("${asked}") returned ${show(found?.id ?? found)} for the end-user stored as "${user.email}"; compare emails case-insensitively.`,
        );
      }
    },
  },
  {
    name: 'findByEmail returns null when no email matches exactly, never a guess',
    async check({ directory, seed }) {
      const user = sampleUser();
      await seed([user, sampleUser({ tenantId: user.tenantId })]);
      const [local, domain] = user.email.split('@') as [string, string];
      const near = [
        user.email.slice(0, -1),
        user.email.slice(1),
        `${user.email}.evil`,
        local,
        `x${local}@${domain}`,
      ];
      for (const asked of near) {
        const found = await directory.findByEmail(user.tenantId, asked);
        must(
          found === null,
          `findByEmail("${asked}") returned ${show(found?.email ?? found)}; only an exact (case-insensitive) match may return an end-user.`,
        );
      }
    },
  },
  {
    name: 'a read is a copy: mutating what getById or findByEmail returned does not change the directory',
    async check({ directory, seed, inspect }) {
      const user = sampleUser();
      await seed([user]);
      for (const read of [
        await directory.getById(user.tenantId, user.id),
        await directory.findByEmail(user.tenantId, user.email),
      ]) {
        must(read !== null, 'the seeded end-user reads as null; getById and findByEmail must find it.');
        try {
          read.displayName = 'changed';
          read.devices[0]!.pushAddress = 'changed';
          read.devices.pop();
        } catch {
          // A frozen value refuses the writes: allowed.
        }
      }
      const difference = firstDifference(user, await inspect.user(user.tenantId, user.id));
      must(
        difference === null,
        `mutating what a lookup returned changed the stored end-user (${difference}); return a copy or a frozen value.`,
      );
    },
  },
  ...directoryDeviceRules,
];

/**
 * The shared test suite every {@link EndUserDirectory} must pass, one test per rule; the device rules show as
 * skipped when `capabilities.manageDevices` is `false`. Call it at the top level of a vitest file.
 * @example
 * ```ts
 * import { runDirectoryConformance } from '@qdesk/core/testing';
 * runDirectoryConformance({
 *   name: 'postgres',
 *   create: () => createPgDirectory(pool),
 *   seed: (_directory, users) => insertUsers(pool, users),
 *   capabilities: { manageDevices: true },
 *   inspect: { user: (tenantId, id) => readUserRow(pool, tenantId, id) },
 * });
 * ```
 * @public
 */
export function runDirectoryConformance<D extends EndUserDirectory>(
  options: DirectoryConformanceOptions<D>,
): void {
  registerRules(`EndUserDirectory conformance: ${options.name}`, directoryRules, directoryHarness(options), {
    timeoutMs: options.timeoutMs ?? 20_000,
    has: directoryHas(options),
  });
}

/**
 * The harness {@link runDirectoryConformance} runs the rules with: one directory per rule. For `checkRules`.
 * @internal
 */
export function directoryHarness<D extends EndUserDirectory>(
  options: DirectoryConformanceOptions<D>,
): KitHarness<DirectorySubject> {
  return {
    create: async () => {
      const instance = await options.create();
      return {
        directory: instance,
        seed: async (users) => {
          await options.seed(instance, structuredClone(users));
        },
        capabilities: options.capabilities,
        inspect: options.inspect,
      };
    },
    cleanup: (subject) => options.cleanup?.(subject.directory as D),
  };
}

/**
 * What the rules may rely on, for `checkRules`' `has` argument: `manageDevices` as the options expect it.
 * @internal
 */
export function directoryHas(
  options: Pick<DirectoryConformanceOptions, 'capabilities'>,
): (need: string) => boolean {
  return needsFrom({ manageDevices: options.capabilities.manageDevices });
}
