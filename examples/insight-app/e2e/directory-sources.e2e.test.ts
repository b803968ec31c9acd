import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { createManualClock } from '@qdesk/core/memory';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasSlapd } from '../../../packages/directory/src/ldap/slapd.test-helpers.js';
import { useSlapd } from '../../../packages/directory/src/ldap/slapd-fixture.test-helpers.js';
import { BASE_DN, testUser } from '../../../packages/directory/src/ldap/test-people.test-helpers.js';
import { createApp } from '../src/app.js';
import { type AppServices, composeDemo } from '../src/compose.js';
import { readEnv } from '../src/config.js';
import { axeViolations, hasChromium, launchChromium, shot } from './harness.js';

// The administrator's "Directory sources" section in Chromium: Northwind read from a real OpenLDAP server, Sync now,
// the run's summary in words, and the people it created in the directory with their number's source.

const PEOPLE = 8;
const slapd = useSlapd({
  users: Array.from({ length: PEOPLE }, (_, i) => testUser(i + 1, { mobile: `(201) 555-0${101 + i}` })),
});

describe.skipIf(!hasChromium || !hasSlapd)('Directory sources on the admin page, in Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qdesk-dir-e2e-'));
  let services: AppServices;
  let server: ReturnType<typeof serve>;
  let browser: Browser;
  let base: string;
  beforeAll(async () => {
    const file = join(dir, 'sources.json');
    writeFileSync(
      file,
      JSON.stringify([
        {
          customerId: 'cust-northwind',
          kind: 'ldap',
          defaultRegion: 'US',
          ldap: { ...slapd.reader, url: slapd.url, baseDN: BASE_DN },
        },
      ]),
    );
    const env = readEnv({ PORT: '0', QDESK_DIRECTORY_SOURCES_FILE: file });
    const clock = createManualClock(Date.UTC(2026, 10, 24, 9));
    services = await composeDemo(env, { clock, quiet: true, stores: { kind: 'pglite', dataDir: null } });
    const { app } = createApp(services, env);
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await services?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs a sync on Sync now and shows its summary; the people it read are Northwind's, with their number's source", async () => {
    const page = await (await browser.newContext({ viewport: { width: 1100, height: 900 } })).newPage();
    await page.goto(`${base}/login`);
    await page.getByLabel('Alex Morgan').check();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/`);
    await page.goto(`${base}/admin/matching`);
    const section = page.locator('#directory-sources');
    await section.getByRole('heading', { name: 'Directory sources' }).waitFor();
    const row = section.locator('tr[data-customer="cust-northwind"]');
    await row.getByRole('button', { name: 'Sync now' }).click();
    await expect
      .poll(() => row.locator('.dir-status').textContent(), { timeout: 20_000, interval: 200 })
      .toContain(`${PEOPLE} created`);
    expect(await row.locator('.dir-error').isHidden()).toBe(true);
    expect(await section.textContent()).not.toContain(slapd.reader.password);
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, 'admin-directory-sources');
    const person = await services.directory.findByEmail(services.tenantId, 'user00001@corp.example');
    expect(person).toMatchObject({
      customerId: 'cust-northwind',
      mobilePhone: '+12015550101',
      provenance: { mobilePhone: { source: 'directory', changedAt: null } },
    });
  });
});
