import { unmatch } from '@qdesk/matching';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  codeFor,
  type Harness,
  hasChromium,
  insight,
  notesOn,
  shot,
  staffContext,
  startHarness,
} from './harness.js';

describe.skipIf(!hasChromium)('Admin matching page in Chromium', () => {
  let h: Harness;
  // Matching decides where codes go: only an administrator may change it.
  let admin: Awaited<ReturnType<typeof staffContext>>;
  beforeAll(async () => {
    h = await startHarness();
    admin = await staffContext(h, 'Alex Morgan');
  }, 60_000);
  afterAll(async () => {
    await admin?.context.close();
    await h?.close();
  });

  const matching = async (query: string) => {
    const page = await admin.context.newPage();
    await page.goto(`${h.base}/admin/matching?${query}`);
    await page.locator('#sync-status[data-running="false"]').waitFor();
    return page;
  };
  const row = (page: Awaited<ReturnType<typeof matching>>, id: string) => page.locator(`tr[data-id="${id}"]`);
  /** Clicks and waits for the admin API call it makes, then for the reload that follows. */
  const submit = async (
    page: Awaited<ReturnType<typeof matching>>,
    click: () => Promise<void>,
    path: string,
  ) => {
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().includes(`/api/admin/${path}`)),
      click(),
    ]);
    expect(response.status()).toBeLessThan(300);
    await page.waitForEvent('load');
  };

  it('suggests the demo companies strongly by name and confirms them in bulk', async () => {
    // The demo administrator confirmed these links at start-up (a start from an email needs them); unmatched, the
    // three companies are suggested again and confirmed in bulk.
    const start = await matching('tab=companies&filter=matched');
    for (const id of ['101', '102', '103'])
      await expect(row(start, id).getAttribute('data-status')).resolves.toBe('matched');
    await start.close();
    const actor = {
      tenantId: h.services.tenantId,
      technicianId: 'admin-demo',
      technicianName: 'Alex Morgan',
      role: 'admin' as const,
    };
    for (const companyId of ['101', '102', '103'])
      await unmatch({
        kind: 'companies',
        store: h.services.mappings,
        audit: h.services.audit,
        actor,
        companyId,
      });
    const page = await matching('tab=companies&filter=suggested');
    for (const id of ['101', '102', '103']) {
      await expect(row(page, id).locator('.suggestion').first().getAttribute('data-strength')).resolves.toBe(
        'strong',
      );
    }
    expect(await row(page, '101').textContent()).toContain('Strong: same name');
    await shot(page, 'admin-matching-companies');
    await page.getByRole('button', { name: 'Select all suggested' }).click();
    await submit(
      page,
      () => page.getByRole('button', { name: 'Confirm selected' }).click(),
      'companies/confirm',
    );
    await page.goto(`${h.base}/admin/matching?tab=companies&filter=matched`);
    for (const id of ['101', '102', '103'])
      await expect(row(page, id).getAttribute('data-status')).resolves.toBe('matched');
    const links = await h.services.mappings.listCompanyLinks(h.services.tenantId);
    expect(links.map((l) => [l.companyId, l.customerId]).sort()).toEqual([
      ['101', 'cust-northwind'],
      ['102', 'cust-contoso'],
      ['103', 'cust-fabrikam'],
    ]);
    expect(links[0]!.confirmedBy.name).toBe('Alex Morgan');
    await page.close();
  });

  it('confirms contact suggestions in bulk (email first, case-insensitive)', async () => {
    const page = await matching('tab=contacts&filter=suggested');
    expect(await row(page, '203').textContent()).toContain('same email'); // Chloé: the account's email differs in case
    await shot(page, 'admin-matching-contacts');
    await page.getByRole('button', { name: 'Select all suggested' }).click();
    await submit(
      page,
      () => page.getByRole('button', { name: 'Confirm selected' }).click(),
      'contacts/confirm',
    );
    const linked = new Map(
      (await h.services.mappings.listContactLinks(h.services.tenantId)).map((l) => [
        l.contactId,
        l.endUserId,
      ]),
    );
    expect(linked.get('201')).toBe('eu-ana');
    expect(linked.get('203')).toBe('eu-chloe');
    await page.close();
  });

  it('matches a contact by hand, and a verification from its ticket then reaches that end-user', async () => {
    // Farid (contact 206, ticket 1007) has no account with his email: nothing can be verified from his ticket yet.
    const before = await insight(h, '1007');
    expect(await before.locator('#problem').getAttribute('data-code')).toBe('end_user_not_found');
    await before.close();

    const page = await matching('tab=contacts&filter=unmatched&search=Farid');
    await row(page, '206').getByLabel('End-user for Farid Haddad').selectOption('eu-eva');
    await submit(
      page,
      () => row(page, '206').getByRole('button', { name: 'Match' }).click(),
      'contacts/link',
    );
    expect((await h.services.mappings.endUserForContact(h.services.tenantId, '206'))?.endUserId).toBe(
      'eu-eva',
    );
    await page.close();

    const verify = await insight(h, '1007');
    expect(await verify.locator('.who').textContent()).toContain('Eva Schmidt');
    await verify.getByLabel('SMS code').check();
    await verify.getByRole('button', { name: 'SEND' }).click();
    await verify.getByLabel('Code the caller reads back').fill(await codeFor(h, verify, '+15550100005'));
    await verify.getByRole('button', { name: 'VERIFY' }).click();
    await expect(verify.locator('.outcome').textContent()).resolves.toBe(
      'User Identity Successfully Verified',
    );
    expect((await notesOn(h, '1007')).at(-1)?.text).toContain('Eva Schmidt');
    await verify.close();
  });

  it('unmatches a contact, and its ticket falls back to email lookup', async () => {
    const page = await matching('tab=contacts&filter=matched&search=Farid');
    await submit(
      page,
      () => row(page, '206').getByRole('button', { name: 'Unmatch' }).click(),
      'contacts/unlink',
    );
    expect(await h.services.mappings.endUserForContact(h.services.tenantId, '206')).toBeNull();
    await page.close();
    const after = await insight(h, '1007');
    expect(await after.locator('#problem').getAttribute('data-code')).toBe('end_user_not_found');
    await after.close();
  });

  it('runs a sync with a progress bar', async () => {
    const page = await matching('tab=companies&filter=all');
    await page.getByRole('button', { name: 'Sync from Autotask' }).click();
    await page.locator('#sync-status', { hasText: 'Last sync:' }).waitFor();
    expect(await page.locator('#sync-status').textContent()).toMatch(
      /Last sync: \d+ companies, \d+ contacts\./,
    );
    await page.close();
  });
});
