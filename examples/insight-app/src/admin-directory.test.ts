import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createManualClock } from '@qdesk/core/memory';
import { createPostgresDirectorySyncStateStore } from '@qdesk/store-postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasSlapd } from '../../../packages/directory/src/ldap/slapd.test-helpers.js';
import { useSlapd } from '../../../packages/directory/src/ldap/slapd-fixture.test-helpers.js';
import {
  BASE_DN,
  generalizedTime,
  modifyLdif,
  testUser,
} from '../../../packages/directory/src/ldap/test-people.test-helpers.js';
import { createApp } from './app.js';
import { type AppServices, composeDemo } from './compose.js';
import { readEnv } from './config.js';
import { type Browser, type DemoBrowsers, demoBrowsers, json } from './demo-browser.test-helpers.js';

// Directory sources in the running app (demo mode on PGlite, the sources file naming a real OpenLDAP server for
// Northwind): the section on the matching page, its API and "Sync now" (administrators only, audited), and what a
// sync means for a technician: a disabled account can no longer be verified.

const ORIGIN = 'http://127.0.0.1';
const PEOPLE = 12;
const people = Array.from({ length: PEOPLE }, (_, i) => testUser(i + 1, { mobile: `(201) 555-0${101 + i}` }));
const slapd = useSlapd({ users: people });
const dir = mkdtempSync(join(tmpdir(), 'qdesk-dir-sources-'));
const email = (n: number) => `user${String(n).padStart(5, '0')}@corp.example`;

let services: AppServices;
let browsers: DemoBrowsers;
let admin: Browser;
let sam: Browser;

beforeAll(async () => {
  if (!hasSlapd) return;
  const file = join(dir, 'sources.json');
  writeFileSync(
    file,
    JSON.stringify([
      {
        customerId: 'cust-northwind',
        kind: 'ldap',
        defaultRegion: 'US',
        everyMinutes: 30,
        fullEveryHours: 12,
        ldap: { ...slapd.reader, url: slapd.url, baseDN: BASE_DN },
      },
    ]),
  );
  const env = readEnv({ PORT: '0', QDESK_DIRECTORY_SOURCES_FILE: file });
  const clock = createManualClock(Date.UTC(2026, 10, 24, 9));
  services = await composeDemo(env, { clock, quiet: true, stores: { kind: 'pglite', dataDir: null } });
  const { app } = createApp(services, env);
  browsers = demoBrowsers(ORIGIN, async (url, init) => app.request(url, init));
  admin = await browsers.staff('admin-demo');
  sam = await browsers.staff('tech-demo');
}, 60_000);
afterAll(async () => {
  await services?.close();
  rmSync(dir, { recursive: true, force: true });
});

const sources = async () =>
  (await json(await browsers.request('/api/admin/directory-sources', { as: admin }))).sources;
const syncNow = (customerId: string, body: unknown = {}, as = admin) =>
  browsers.request(`/api/admin/directory-sources/${customerId}/sync`, { method: 'POST', as, json: body });
const verifyByEmail = (address: string) =>
  browsers.request('/api/verifications', {
    method: 'POST',
    as: sam,
    json: { email: address, method: 'sms' },
  });

describe.skipIf(!hasSlapd)('directory sources in the app', () => {
  it('lists the configured source, not synced yet, with no secret anywhere', async () => {
    const res = await browsers.request('/api/admin/directory-sources', { as: admin });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.sources).toEqual([
      expect.objectContaining({
        customerId: 'cust-northwind',
        customerName: 'Northwind Traders',
        kind: 'ldap',
        everyMinutes: 30,
        fullEveryHours: 12,
        running: null,
        lastRun: null,
        words: expect.objectContaining({
          kind: 'Active Directory (LDAP)',
          schedule:
            'every 30 minutes; everyone again every 12 hours (numbers without a country code read as US)',
          status: 'Not synced yet. Next run: due now.',
          error: null,
        }),
      }),
    ]);
    const page = await (await browsers.request('/admin/matching', { as: admin })).text();
    for (const text of [JSON.stringify(body), page]) {
      expect(text).not.toContain(slapd.reader.password);
      expect(text).not.toContain(slapd.reader.bindDN);
    }
    expect(page).toContain('<h2 id="directory-h">Directory sources</h2>');
    expect(page).toMatch(
      /<tr data-customer="cust-northwind" data-running="false">\s*<th scope="row">Northwind Traders/,
    );
    expect(page).toContain('data-action="directory-sync" data-customer="cust-northwind"');
  });

  it('is for administrators only: a technician gets 403 on the API and on "Sync now", and nothing runs', async () => {
    const list = await browsers.request('/api/admin/directory-sources', { as: sam });
    expect(list.status).toBe(403);
    expect((await json(list)).error.code).toBe('forbidden');
    const sync = await syncNow('cust-northwind', {}, sam);
    expect(sync.status).toBe(403);
    expect((await services.directorySync.list())[0]!.lastRun).toBeNull();
  });

  it('"Sync now" starts a run (audited as the administrator); the page then shows what it did, and the people can be verified', async () => {
    const res = await syncNow('cust-northwind');
    expect(res.status).toBe(202);
    expect(await json(res)).toEqual({ started: true });
    await services.directorySync.settled();
    const [source] = await sources();
    expect(source.lastRun).toMatchObject({ error: null, counts: { full: true, created: PEOPLE } });
    expect(source.words.status).toBe(
      `Last run 2026-11-24 09:00:00 UTC (full read, 0 s: ${PEOPLE} created, 0 updated, 0 disabled, 0 skipped, 0 unchanged). Next run: 2026-11-24 09:30:00 UTC.`,
    );
    const [requested] = await services.audit.query(services.tenantId, {
      actions: ['directory_sync_requested'],
    });
    expect(requested).toMatchObject({
      actor: { type: 'technician', id: 'admin-demo' },
      customerId: 'cust-northwind',
      result: 'started',
      detail: { source: 'ldap', full: false },
    });
    const page = await (await browsers.request('/admin/matching', { as: admin })).text();
    expect(page).toContain(`${PEOPLE} created, 0 updated, 0 disabled, 0 skipped`);
    const started = await verifyByEmail(email(3));
    expect(started.status).toBe(201);
    expect((await json(started)).endUser).toMatchObject({
      displayName: 'User 00003',
      phoneProvenance: { source: 'directory', changedAt: null },
    });
  });

  it('a disabled account is dropped at the next run: the technician can no longer verify it', async () => {
    await slapd.modify(
      modifyLdif(testUser(9), { userAccountControl: 514, whenChanged: generalizedTime(Date.now()) }),
    );
    expect((await syncNow('cust-northwind')).status).toBe(202);
    await services.directorySync.settled();
    expect((await sources())[0].lastRun.counts).toMatchObject({ full: false, disabled: 1 });
    const refused = await verifyByEmail(email(9));
    expect(refused.status).toBe(404);
    expect((await json(refused)).error.code).toBe('end_user_not_found');
  });

  it('says so when a run of the source is under way elsewhere (409), and shows it running', async () => {
    const states = createPostgresDirectorySyncStateStore(services.stores.database!);
    const key = { tenantId: services.tenantId, customerId: 'cust-northwind', sourceKind: 'ldap' } as const;
    const now = services.clock.now();
    expect(await states.claim(key, { owner: 'other-instance', now, leaseMs: 60_000 })).not.toBeNull();
    try {
      const res = await syncNow('cust-northwind');
      expect(res.status).toBe(409);
      expect((await json(res)).error).toMatchObject({
        code: 'conflict',
        message: expect.stringContaining('running already'),
      });
      const [source] = await sources();
      expect(source.running).toMatchObject({ here: false, since: now });
      expect(source.words.status).toBe('Starting on another instance (since 2026-11-24 09:00:00 UTC)…');
      const page = await (await browsers.request('/admin/matching', { as: admin })).text();
      expect(page).toContain('<tr data-customer="cust-northwind" data-running="true">');
    } finally {
      await states.finish(key, { owner: 'other-instance', now, summary: null, error: null, full: false });
    }
  });

  it('shows why the last run failed, in words, and that the next run resumes', async () => {
    const states = createPostgresDirectorySyncStateStore(services.stores.database!);
    const key = { tenantId: services.tenantId, customerId: 'cust-northwind', sourceKind: 'ldap' } as const;
    const now = services.clock.now();
    await states.claim(key, { owner: 'other-instance', now, leaseMs: 60_000 });
    const why =
      'The LDAP server at ldaps://dc1.corp.example did not answer within 30 s; check that it is reachable.';
    await states.finish(key, { owner: 'other-instance', now, summary: null, error: why, full: false });
    const [source] = await sources();
    expect(source.words.error).toBe(`${why} The next run resumes after the last page saved.`);
    expect(source.words.status).toMatch(
      /^Last run failed 2026-11-24 09:00:00 UTC \(after 0 s\)\. Next run: /,
    );
    const page = await (await browsers.request('/admin/matching', { as: admin })).text();
    expect(page).toContain(`<p class="dir-error" id="dir-error-cust-northwind" >${why} The next run`);
  });

  it('refuses an unknown customer (404) and a malformed id or body (400)', async () => {
    const unknown = await syncNow('cust-contoso');
    expect(unknown.status).toBe(404);
    expect((await json(unknown)).error.message).toContain('No directory source for customer cust-contoso');
    expect((await syncNow('..%2F..%2Fetc')).status).toBe(400);
    expect((await syncNow('cust-northwind', { full: 'yes' })).status).toBe(400);
  });
});
