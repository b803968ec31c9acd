import { unmatch } from '@qdesk/matching';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditTrail } from '../src/test-app.test-helpers.js';
import {
  axeViolations,
  codeFor,
  hasChromium,
  horizontalOverflow,
  insight,
  notesOn,
  shot,
  staffContext,
  tabTo,
  useHarness,
} from './harness.js';

describe.skipIf(!hasChromium)('Admin matching page in Chromium', () => {
  const h = useHarness();
  // Matching decides where codes go: only an administrator may change it.
  let admin: Awaited<ReturnType<typeof staffContext>>;
  beforeAll(async () => {
    admin = await staffContext(h, 'Alex Morgan');
    // A wait that fails says which one, well inside the test's own timeout.
    admin.context.setDefaultTimeout(10_000);
  }, 60_000);
  afterAll(async () => {
    await admin?.context.close();
  });

  const matching = async (query: string) => {
    const page = await admin.context.newPage();
    await page.goto(`${h.base}/admin/matching?${query}`);
    await page.locator('#sync-status[data-running="false"]').waitFor();
    return page;
  };
  const row = (page: Page, id: string) => page.locator(`tr[data-id="${id}"]`);
  /** Clicks (or presses) and waits for the admin API call it makes, then for the reload that follows. */
  const submit = async (page: Page, click: () => Promise<void>, path: string) => {
    // Both waits start before the click: on a busy machine the reload can finish before a later wait would begin.
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().includes(`/api/admin/${path}`)),
      page.waitForEvent('load'),
      click(),
    ]);
    expect(response.status()).toBeLessThan(300);
    await page.locator('#sync-status[data-running="false"]').waitFor();
  };
  /** The labels of a select's groups, each with its options' text, in the order the admin sees them. */
  const groupsOf = (page: Page, selectId: string) =>
    page
      .locator(`#${selectId} optgroup`)
      .evaluateAll((groups) =>
        groups.map((g) => [
          g.getAttribute('label'),
          [...g.querySelectorAll('option')].map((o) => o.textContent),
        ]),
      );
  const linkRecords = async () =>
    (await auditTrail(h.services)).filter((r) =>
      ['link_contact', 'unlink_contact', 'link_company', 'unlink_company'].includes(r.action),
    );
  const utc = (at: number) => {
    const iso = new Date(at).toISOString();
    return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
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
        at: h.clock.now(),
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
    for (const id of ['101', '102', '103']) {
      await expect(row(page, id).getAttribute('data-status')).resolves.toBe('matched');
      expect(await row(page, id).locator('.audit-line').textContent()).toContain(
        'Linked by Alex Morgan · suggestion confirmed ·',
      );
    }
    const links = await h.services.mappings.listCompanyLinks(h.services.tenantId);
    expect(links.map((l) => [l.companyId, l.customerId]).sort()).toEqual([
      ['101', 'cust-northwind'],
      ['102', 'cust-contoso'],
      ['103', 'cust-fabrikam'],
    ]);
    expect(links[0]!.confirmedBy.name).toBe('Alex Morgan');
    await page.close();
  });

  it("starts a contact's manual match on no one, with its own company's end-users first", async () => {
    const page = await matching('tab=contacts&filter=all&search=farid');
    const farid = row(page, '206');
    const select = farid.getByLabel('End-user for Farid Haddad');
    expect(await select.inputValue()).toBe('');
    expect(await select.locator('option:checked').textContent()).toBe('Choose an end-user…');
    expect(await farid.getByRole('button', { name: 'Match' }).isDisabled()).toBe(true);
    // The customer's end-users come into the list when it is first used (the page keeps them once per customer).
    expect(await groupsOf(page, 'eu-206')).toEqual([
      ["Fabrikam Logistics GmbH (this contact's company)", []],
    ]);
    await select.focus();
    expect(await groupsOf(page, 'eu-206')).toEqual([
      ["Fabrikam Logistics GmbH (this contact's company)", ['Eva Schmidt (eva.schmidt@fabrikam.example)']],
    ]);
    expect(await select.inputValue()).toBe('');
    // Anyone else is typed, by email or id: the page lists no other customer's people.
    const other = farid.getByLabel('Or an end-user of another customer');
    expect(await other.inputValue()).toBe('');
    expect(await page.locator('option[value="eu-ana"]').count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, 'admin-matching-manual-empty');
    // Back on the placeholder, Match is off again.
    await select.selectOption('eu-eva');
    expect(await farid.getByRole('button', { name: 'Match' }).isEnabled()).toBe(true);
    await select.selectOption('');
    expect(await farid.getByRole('button', { name: 'Match' }).isDisabled()).toBe(true);
    // The list and the field never both count: typing clears the list's choice, choosing clears the field.
    await select.selectOption('eu-eva');
    await other.fill('ben.okafor@northwind.example');
    expect(await select.inputValue()).toBe('');
    expect(await farid.getByRole('button', { name: 'Match' }).isEnabled()).toBe(true);
    await select.selectOption('eu-eva');
    expect(await other.inputValue()).toBe('');
    await select.selectOption('');
    await other.fill('   '); // blanks are no choice
    expect(await farid.getByRole('button', { name: 'Match' }).isDisabled()).toBe(true);

    // On a 400 px screen the rows stack into cards: nothing scrolls sideways.
    await page.setViewportSize({ width: 400, height: 900 });
    expect(await horizontalOverflow(page)).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, 'admin-matching-narrow');
    await page.close();
  });

  it('refuses a link to another company’s end-user until the admin confirms it, naming both companies', async () => {
    const page = await matching('tab=contacts&filter=all&search=farid');
    const farid = row(page, '206');
    const other = farid.getByLabel('Or an end-user of another customer');
    const panel = page.locator('#cross-206');
    const refusal = async () => {
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.url().includes('/api/admin/contacts/link')),
        farid.getByRole('button', { name: 'Match' }).click(),
      ]);
      expect(response.status()).toBe(409);
      await panel.waitFor({ state: 'visible' });
    };
    await other.fill('ana.silva@northwind.example');
    await refusal();
    const words = await panel.getByRole('alert').textContent();
    expect(words).toContain('Farid Haddad works at Fabrikam Logistics GmbH in Autotask');
    expect(words).toContain('but Ana Silva belongs to Northwind Traders');
    expect(words).toContain('A ticket from Farid Haddad would verify Ana Silva.');
    // Refused means refused: nothing linked, nothing recorded.
    expect(await h.services.mappings.endUserForContact(h.services.tenantId, '206')).toBeNull();
    expect((await linkRecords()).filter((r) => r.detail?.contactId === '206')).toEqual([]);
    // The confirmation is for that pair only: another choice drops it.
    await other.fill('eu-ben');
    expect(await panel.isHidden()).toBe(true);
    await other.fill('eu-ana'); // by id this time
    await refusal();
    // Keyboard users land on the confirmation, whose description is the refusal.
    expect(await page.evaluate<string>('document.activeElement?.textContent')).toBe('Link across customers');
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, 'admin-matching-confirm-cross-customer', { readme: true });
    await page.setViewportSize({ width: 400, height: 900 });
    expect(await horizontalOverflow(page)).toBe(0);
    await page.setViewportSize({ width: 900, height: 900 });

    await submit(page, () => page.keyboard.press('Enter'), 'contacts/link');
    const record = (await linkRecords()).at(-1)!;
    expect(record).toMatchObject({
      action: 'link_contact',
      actor: { type: 'technician', id: 'admin-demo', name: 'Alex Morgan' },
      detail: {
        contactId: '206',
        after: 'eu-ana',
        via: 'matched_across_customers',
        companyCustomerId: 'cust-fabrikam',
        endUserCustomerId: 'cust-northwind',
      },
    });
    expect(await page.locator('#admin-message').textContent()).toBe(
      'Linked Farid Haddad to Ana Silva across customers.',
    );
    expect(await farid.getAttribute('data-status')).toBe('matched');
    expect(await farid.locator('.audit-line').textContent()).toBe(
      `Linked by Alex Morgan · matched by hand across customers, confirmed · ${utc(record.at)}`,
    );
    expect(await farid.locator('.cross-flag').textContent()).toBe(
      'Other customer: Ana Silva belongs to Northwind Traders; Farid Haddad works at Fabrikam Logistics GmbH.',
    );
    const latest = page.locator('.changes li').first();
    expect(await latest.textContent()).toBe(
      `${utc(record.at)} Alex Morgan linked contact Farid Haddad to end-user Ana Silva · matched by hand across customers, confirmed (contact's customer: Fabrikam Logistics GmbH; end-user's customer: Northwind Traders)`,
    );
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, 'admin-matching-audit', { readme: true });
    await page.close();

    // Ticket 1007's contact now leads to Ana: the Insight shows her, and the verifier still refuses to verify her on
    // a Fabrikam ticket (her customer is not the ticket's), so no code reaches her phone.
    const verify = await insight(h, '1007');
    expect(await verify.locator('.who').textContent()).toContain('Ana Silva');
    await verify.getByLabel('SMS code').check();
    await verify.getByRole('button', { name: 'SEND' }).click();
    await verify.getByRole('alert').filter({ hasText: 'belongs to another customer' }).waitFor();
    expect(
      await verify.getByRole('alert').filter({ hasText: 'belongs to another customer' }).textContent(),
    ).toContain('Ana Silva belongs to another customer than Fabrikam Logistics GmbH');
    expect(h.services.outbox!.sms.last('+15550100001')).toBeUndefined();
    await verify.close();

    // Undone from the page, and on the record as well.
    const again = await matching('tab=contacts&filter=all&search=farid');
    await submit(
      again,
      () => row(again, '206').getByRole('button', { name: 'Unmatch' }).click(),
      'contacts/unlink',
    );
    expect((await linkRecords()).at(-1)).toMatchObject({
      action: 'unlink_contact',
      detail: { contactId: '206', before: 'eu-ana', via: 'unmatched_by_hand' },
    });
    expect(await row(again, '206').locator('.audit-line').textContent()).toBe(
      `Unmatched by Alex Morgan · unmatched by hand · ${utc((await linkRecords()).at(-1)!.at)}`,
    );
    expect(await again.locator('.changes li').first().textContent()).toContain(
      'Alex Morgan unlinked contact Farid Haddad from end-user Ana Silva',
    );
    await again.close();
  });

  it('matches a contact by hand with the keyboard alone, and a verification from its ticket then reaches that end-user', async () => {
    // Farid (contact 206, ticket 1007) has no account with his email: nothing can be verified from his ticket yet.
    const before = await insight(h, '1007');
    expect(await before.locator('#problem').getAttribute('data-code')).toBe('end_user_not_found');
    await before.close();

    const page = await matching('tab=contacts&filter=all&search=farid');
    await tabTo(page, 'End-user for Farid Haddad');
    await page.keyboard.press('ArrowDown'); // the first choice: Eva, of Farid's own company
    expect(await row(page, '206').getByLabel('End-user for Farid Haddad').inputValue()).toBe('eu-eva');
    await tabTo(page, 'Match', 2); // past the field for another customer's end-user, left empty
    await submit(page, () => page.keyboard.press('Enter'), 'contacts/link');
    expect((await h.services.mappings.endUserForContact(h.services.tenantId, '206'))?.endUserId).toBe(
      'eu-eva',
    );
    // Within one customer nothing was asked, and the record says by hand.
    expect((await linkRecords()).at(-1)?.detail).toMatchObject({ contactId: '206', via: 'matched_by_hand' });
    expect(await row(page, '206').locator('.cross-flag').count()).toBe(0);
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

  it('confirms contact suggestions in bulk (email first, case-insensitive)', async () => {
    const page = await matching('tab=contacts&filter=suggested');
    expect(await row(page, '203').textContent()).toContain('same email'); // Chloé: the account's email differs in case
    // Her list offers her suggestion first, then the rest of her customer's end-users, each once.
    await row(page, '203').getByLabel('End-user for Chloé Martin').click();
    await page.keyboard.press('Escape');
    expect(await groupsOf(page, 'eu-203')).toEqual([
      [
        "Contoso Dental (this contact's company)",
        [
          'Chloé Martin (Chloe.Martin@contoso-dental.example)',
          'Dev Patel (dev.patel@contoso-dental.example)',
        ],
      ],
    ]);
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

  it("starts a company's manual match on no customer, its suggestions first, and audits the match", async () => {
    const page = await matching('tab=companies&filter=all&search=northwind');
    await submit(
      page,
      () => row(page, '101').getByRole('button', { name: 'Unmatch' }).click(),
      'companies/unlink',
    );
    const select = row(page, '101').getByLabel('Customer for Northwind Traders Inc.');
    expect(await select.inputValue()).toBe('');
    expect(await row(page, '101').getByRole('button', { name: 'Match' }).isDisabled()).toBe(true);
    expect(await groupsOf(page, 'cust-101')).toEqual([
      ['Suggested for Northwind Traders Inc.', ['Northwind Traders (Strong: same name)']],
    ]);
    // Any other customer is typed, with one list for the whole page: only the customers free to link are in it.
    const other = row(page, '101').getByLabel('Or another customer');
    expect(await other.getAttribute('list')).toBe('customer-choices');
    expect(
      await page
        .locator('#customer-choices option')
        .evaluateAll((options) => options.map((o) => [o.getAttribute('value'), o.getAttribute('data-id')])),
    ).toEqual([['Northwind Traders', 'cust-northwind']]);
    expect(await page.locator('datalist').count()).toBe(1);
    // A customer linked elsewhere is refused on the page, before any call.
    await other.fill('Contoso Dental');
    expect(await row(page, '101').getByRole('button', { name: 'Match' }).isEnabled()).toBe(true);
    await row(page, '101').getByRole('button', { name: 'Match' }).click();
    expect(await page.locator('#admin-message').textContent()).toBe(
      'No customer free to link is called Contoso Dental, or has that id.',
    );
    await other.fill('');
    expect(await axeViolations(page)).toEqual([]);
    await page.setViewportSize({ width: 400, height: 900 });
    expect(await horizontalOverflow(page)).toBe(0);
    await page.setViewportSize({ width: 900, height: 900 });
    await select.selectOption('cust-northwind');
    await submit(
      page,
      () => row(page, '101').getByRole('button', { name: 'Match' }).click(),
      'companies/link',
    );
    const [linked, unlinked] = (await linkRecords()).slice(-2).reverse();
    expect(linked).toMatchObject({
      action: 'link_company',
      detail: { companyId: '101', after: 'cust-northwind', via: 'matched_by_hand' },
    });
    expect(unlinked).toMatchObject({
      action: 'unlink_company',
      detail: { companyId: '101', via: 'unmatched_by_hand' },
    });
    expect(await row(page, '101').locator('.audit-line').textContent()).toBe(
      `Linked by Alex Morgan · matched by hand · ${utc(linked!.at)}`,
    );
    expect(
      await page.locator('.changes li').evaluateAll((items) => items.slice(0, 2).map((li) => li.textContent)),
    ).toEqual([
      `${utc(linked!.at)} Alex Morgan linked company Northwind Traders Inc. to customer Northwind Traders · matched by hand`,
      `${utc(unlinked!.at)} Alex Morgan unlinked company Northwind Traders Inc. from customer Northwind Traders · unmatched by hand`,
    ]);
    expect(await axeViolations(page)).toEqual([]);
    await page.close();
  });

  it('runs a sync with a progress bar', async () => {
    const page = await matching('tab=companies&filter=all');
    // The page reloads with the new rows when the sync ends: wait for that, then for the status it reads.
    const reloaded = page.waitForEvent('load');
    await page.getByRole('button', { name: 'Sync from Autotask' }).click();
    await reloaded;
    await page.locator('#sync-status', { hasText: 'Last sync:' }).waitFor();
    expect(await page.locator('#sync-status').textContent()).toMatch(
      /Last sync: \d+ companies, \d+ contacts\./,
    );
    await page.close();
  });
});
