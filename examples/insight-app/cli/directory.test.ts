import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createPostgresStores } from '@qdesk/store-postgres';
import { createPgliteDatabase } from '@qdesk/store-postgres/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasSlapd } from '../../../packages/directory/src/ldap/slapd.test-helpers.js';
import { useSlapd } from '../../../packages/directory/src/ldap/slapd-fixture.test-helpers.js';
import {
  BASE_DN,
  generalizedTime,
  modifyLdif,
  testUser,
} from '../../../packages/directory/src/ldap/test-people.test-helpers.js';

// `pnpm qdesk directory sync` as a real process on a data folder of its own, reading a real OpenLDAP server.

const exec = promisify(execFile);
const tsx = new URL('../../../node_modules/.bin/tsx', import.meta.url).pathname;
const cli = new URL('./qdesk.ts', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'qdesk-cli-directory-'));
const dataDir = join(dir, 'pglite');
const sourcesFile = join(dir, 'sources.json');
const PEOPLE = 10;
const WRONG_PASSWORD = 'not-the-reader-password-0e1d';
const slapd = useSlapd({
  users: Array.from({ length: PEOPLE }, (_, i) => testUser(i + 1, { mobile: `(201) 555-0${101 + i}` })),
});

const env = (variables: Record<string, string | undefined> = {}) =>
  ({
    ...process.env,
    AUTOTASK_USERNAME: undefined,
    DATABASE_URL: undefined,
    QDESK_DATA_DIR: dataDir,
    QDESK_DIRECTORY_SOURCES_FILE: sourcesFile,
    CI: '',
    ...variables,
  }) as NodeJS.ProcessEnv;
const run = (args: string[], variables?: Record<string, string | undefined>) =>
  exec(tsx, ['--conditions=qdesk-source', cli, 'directory', ...args], { env: env(variables) });
/** The exit code and output of a run that fails. */
const failing = (args: string[], variables?: Record<string, string | undefined>) =>
  run(args, variables).then(
    () => {
      throw new Error(`qdesk directory ${args.join(' ')} succeeded`);
    },
    (error: { code: number; stdout: string; stderr: string }) => error,
  );

beforeAll(() => {
  if (!hasSlapd) return;
  const ldap = { url: slapd.url, bindDN: slapd.reader.bindDN, baseDN: BASE_DN };
  writeFileSync(
    sourcesFile,
    JSON.stringify([
      {
        customerId: 'cust-northwind',
        kind: 'ldap',
        defaultRegion: 'US',
        ldap: { ...ldap, password: slapd.reader.password },
      },
      {
        customerId: 'cust-fabrikam',
        kind: 'ldap',
        defaultRegion: 'DE',
        ldap: { ...ldap, password: WRONG_PASSWORD },
      },
    ]),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function withData<T>(read: (stores: ReturnType<typeof createPostgresStores>) => Promise<T>) {
  const database = await createPgliteDatabase({ dataDir });
  try {
    return await read(createPostgresStores(database));
  } finally {
    await database.close();
  }
}

describe.skipIf(!hasSlapd)('pnpm qdesk directory sync', () => {
  it('reads a customer’s directory into the data folder, printing progress and what it did, audited as the operator', async () => {
    const { stdout, stderr } = await run(['sync', '--customer', 'cust-northwind']);
    expect(stderr).toContain(
      `cust-northwind: full read, page 1: ${PEOPLE} created, 0 updated, 0 disabled, 0 skipped`,
    );
    expect(stdout).toMatch(
      new RegExp(
        `^cust-northwind \\(Active Directory\\): full read, 1 pages in [\\d.]+ s: ${PEOPLE} created, 0 updated, 0 disabled, 0 skipped, 0 unchanged\\.\\nInto PGlite in .*pglite\\.\\n$`,
      ),
    );
    await withData(async ({ directory, audit }) => {
      const users = (await directory.list('demo-msp')).filter((u) => u.customerId === 'cust-northwind');
      expect(users.filter((u) => u.id.startsWith('cust-northwind:'))).toHaveLength(PEOPLE);
      expect(users.find((u) => u.email === 'user00002@corp.example')).toMatchObject({
        mobilePhone: '+12015550102',
        provenance: { mobilePhone: { source: 'directory', changedAt: null } },
      });
      const [request] = await audit.query('demo-msp', { actions: ['directory_sync_requested'] });
      expect(request).toMatchObject({
        actor: { type: 'technician', id: expect.stringMatching(/^cli:/) },
        customerId: 'cust-northwind',
        result: 'started',
      });
    });
  }, 60_000);

  it('runs again with only the changes, and --full reads everyone', async () => {
    await slapd.modify(
      modifyLdif(testUser(4), { mobile: '(201) 555-0199', whenChanged: generalizedTime(Date.now()) }),
    );
    const changes = await run(['sync', '--customer', 'cust-northwind']);
    expect(changes.stdout).toMatch(/changes only, 1 pages in [\d.]+ s: 0 created, 1 updated, 0 disabled/);
    const full = await run(['sync', '--customer', 'cust-northwind', '--full']);
    expect(full.stdout).toMatch(
      new RegExp(
        `full read, 1 pages in [\\d.]+ s: 0 created, 0 updated, 0 disabled, 0 skipped, ${PEOPLE} unchanged`,
      ),
    );
    await withData(async ({ directory }) => {
      expect((await directory.findByEmail('demo-msp', 'user00004@corp.example'))?.mobilePhone).toBe(
        '+12015550199',
      );
    });
  }, 60_000);

  it("exits 1 with the source's message when a run fails, never printing the password, and the others still run", async () => {
    const one = await failing(['sync', '--customer', 'cust-fabrikam']);
    expect(one.code).toBe(1);
    expect(one.stderr).toMatch(/^cust-fabrikam: .*refused the bind.*check bindDN and password./m);
    expect(one.stderr).not.toContain(WRONG_PASSWORD);
    const all = await failing(['sync']);
    expect(all.code).toBe(1);
    expect(all.stdout).toMatch(/^cust-northwind \(Active Directory\): changes only/m);
    expect(all.stderr).toMatch(/^cust-fabrikam: /m);
    await withData(async ({ directorySyncs }) => {
      const record = await directorySyncs.get({
        tenantId: 'demo-msp',
        customerId: 'cust-fabrikam',
        sourceKind: 'ldap',
      });
      expect(record?.lastError).toBe(one.stderr.split('\n')[0]!.replace('cust-fabrikam: ', ''));
      expect(record?.lease).toBeNull();
    });
  }, 60_000);

  it('explains its usage and refuses what it cannot run', async () => {
    expect(await failing(['frobnicate'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('pnpm qdesk directory sync [--customer ID] [--full]'),
    });
    expect(await failing(['sync', '--customer', 'cust-nobody'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('No source for customer cust-nobody in'),
    });
    expect(await failing(['sync'], { QDESK_DIRECTORY_SOURCES_FILE: undefined })).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('Set QDESK_DIRECTORY_SOURCES_FILE'),
    });
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '[{"customerId": "cust-a", "kind": "ldap"}]');
    expect(await failing(['sync'], { QDESK_DIRECTORY_SOURCES_FILE: broken })).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('entry 0 (customer cust-a): defaultRegion: '),
    });
  }, 60_000);
});
