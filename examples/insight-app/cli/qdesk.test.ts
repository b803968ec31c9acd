import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createPostgresStores, pendingMigrations } from '@qdesk/store-postgres';
import { createPgliteDatabase } from '@qdesk/store-postgres/pglite';
import { afterAll, describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const tsx = new URL('../../../node_modules/.bin/tsx', import.meta.url).pathname;
const cli = new URL('./qdesk.ts', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'qdesk-cli-'));
const dataDir = join(dir, 'pglite');
// Demo data in a folder of this test's own, as `pnpm start` would keep it.
const env = {
  ...process.env,
  AUTOTASK_USERNAME: undefined,
  DATABASE_URL: undefined,
  QDESK_DATA_DIR: dataDir,
  CI: '',
} as NodeJS.ProcessEnv;
const run = (...args: string[]) => exec(tsx, ['--conditions=qdesk-source', cli, ...args], { env });

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Opens the data folder the commands wrote, after they exited. */
async function withData<T>(
  read: (
    stores: ReturnType<typeof createPostgresStores>,
    db: Awaited<ReturnType<typeof createPgliteDatabase>>,
  ) => Promise<T>,
) {
  const database = await createPgliteDatabase({ dataDir });
  try {
    return await read(createPostgresStores(database), database);
  } finally {
    await database.close();
  }
}

describe('pnpm qdesk (the app’s operator commands, on its data folder)', () => {
  it('migrate: lists what is pending with --check, applies it, then finds nothing to do', async () => {
    // Every migration this version knows, as an empty database lists them (0001-sessions ... 0008-directory-sync-state
    // and whatever comes after).
    const empty = await createPgliteDatabase();
    const all = await pendingMigrations(empty).finally(() => empty.close());
    expect(all.slice(0, 8)).toEqual([
      '0001-sessions',
      '0002-counters-policies',
      '0003-directory-mappings',
      '0004-audit',
      '0005-sign-ins',
      '0006-sign-in-email',
      '0007-contact-provenance',
      '0008-directory-sync-state',
    ]);
    const newest = all.at(-1)!;
    await expect(run('migrate', '--check')).rejects.toMatchObject({
      code: 1,
      stdout: expect.stringContaining(`pglite: ${all.length} pending: ${all.join(', ')}.`),
    });
    const { stdout } = await run('migrate');
    expect(stdout).toContain(`: applied ${all.join(', ')}; the schema is at ${newest}.`);
    expect((await run('migrate', '--check')).stdout).toMatch(/up to date\./);
  }, 60_000);

  it('match: syncs the local Autotask fake into the database with a progress bar, and --confirm-strong links, audited', async () => {
    const out = join(dir, 'match.json');
    const { stdout, stderr } = await run('match', '--contacts', '1200', '--out', out, '--confirm-strong');
    expect(stderr).toMatch(/\[#{30}\] contacts\s+\d+\/\d+ 100%/);
    expect(stdout).toMatch(
      /Read \d+ companies and 12\d\d contacts from the local Autotask fake in [\d.]+ s, into PGlite in /,
    );
    expect(stdout).toMatch(/companies\s+3\s/); // the three demo companies are strong name matches
    const confirmed = /Confirmed (\d+) company and (\d+) contact links as (.+) \(qdesk CLI\)/.exec(stdout);
    expect(confirmed, stdout).not.toBeNull();
    expect(Number(confirmed![1])).toBe(3);
    const written = JSON.parse(readFileSync(out, 'utf8')) as { contacts: unknown[] };
    expect(written.contacts.length).toBeGreaterThan(1200);
    await withData(async ({ mappings, audit }) => {
      expect((await mappings.listContacts('demo-msp')).length).toBeGreaterThan(1200);
      expect(await mappings.listCompanyLinks('demo-msp')).toHaveLength(3);
      const links = await audit.query('demo-msp', { actions: ['link_company'] });
      expect(links).toHaveLength(3);
      expect(links[0]!.actor).toMatchObject({ type: 'technician', id: expect.stringMatching(/^cli:/) });
    });
  }, 120_000);

  it('audit verify: says the chain is intact with its head hash, then names the record an edit altered (exit 1)', async () => {
    const ok = await run('audit', 'verify');
    expect(ok.stdout).toMatch(/tenant demo-msp: \d+ records, chain intact\. Head hash [0-9a-f]{64}/);
    const victim = await withData(async ({ audit }, db) => {
      const [record] = await audit.query('demo-msp', { actions: ['link_company'], limit: 1 });
      await db.query("UPDATE qdesk_audit SET result = 'forged' WHERE id = $1", [record!.id]);
      return record!;
    });
    const broken = await run('audit', 'verify').catch((error: { code: number; stdout: string }) => error);
    expect(broken).toMatchObject({ code: 1 });
    expect((broken as { stdout: string }).stdout).toContain('CHAIN BROKEN');
    expect((broken as { stdout: string }).stdout).toContain(victim.id);
  }, 60_000);

  it('audit export: JSON lines with hashes, or CEF, within a time range', async () => {
    const jsonl = join(dir, 'trail.jsonl');
    const { stderr } = await run(
      'audit',
      'export',
      '--format',
      'jsonl',
      '--out',
      jsonl,
      '--since',
      '2000-01-01',
    );
    expect(stderr).toMatch(/Exported \d+ records of tenant demo-msp as jsonl to /);
    const lines = readFileSync(jsonl, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThan(3);
    expect(lines[0]).toMatchObject({ seq: 1, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const cef = await run('audit', 'export', '--format', 'cef');
    expect(cef.stdout.split('\n')[0]).toMatch(/^CEF:0\|QDesk\|QDesk\|\d+\.\d+\.\d+\|link_company\|/);
    const none = await run('audit', 'export', '--format', 'cef', '--until', '2000-01-01');
    expect(none.stdout).toBe('');
    await expect(run('audit', 'export', '--format', 'xml')).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--format must be jsonl or cef'),
    });
    await expect(run('audit', 'export', '--format', 'cef', '--since', 'last tuesday')).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('use ISO 8601'),
    });
  }, 60_000);

  it('explains its usage and refuses bad arguments', async () => {
    await expect(run('frobnicate')).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('Usage: pnpm qdesk <command>'),
    });
    await expect(run('match', '--contacts', 'lots')).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--contacts must be a whole number'),
    });
  }, 60_000);
});
