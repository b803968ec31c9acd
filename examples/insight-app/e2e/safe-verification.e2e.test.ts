import { describe, expect, it } from 'vitest';
import { auditTrail } from '../src/test-app.test-helpers.js';
import { endUserPage, hasChromium, insight, notesOn, shot, staffContext, useHarness } from './harness.js';

const VERIFIED = 'User Identity Successfully Verified';

describe.skipIf(!hasChromium)('Verification that stops the attack, in Chromium', () => {
  const h = useHarness();

  it('pre-selects number match on ticket 1001, with SMS labelled restricted', async () => {
    const page = await insight(h, '1001');
    expect(await page.locator('input[name="method"]:checked').getAttribute('value')).toBe('number_match');
    expect(await page.getByLabel('Number match').isChecked()).toBe(true);
    expect(await page.getByLabel('SMS code (restricted)').count()).toBe(1);
    expect(await page.getByLabel('Approve-only push').count()).toBe(0);
    // Push is push + code here: Northwind's policy does not accept an approve-only push, so the code stays on.
    expect(await page.getByLabel('Send Verification Code').isDisabled()).toBe(true);
    await shot(page, 'insight-default-number-match');
    await page.close();
  });

  it('number match end to end: the technician reads the number, the end-user types it, the Insight shows who was verified', async () => {
    const phone = await endUserPage(h, 'Ana Silva');
    const page = await insight(h, '1001');
    // Who is about to be verified and where the request goes, before anything is sent.
    const who = page.locator('dl.who');
    expect(await who.locator('#who-name').textContent()).toBe('Ana Silva');
    expect(await who.locator('#who-company').textContent()).toBe('Northwind Traders Inc.');
    expect(await who.locator('#who-destination').textContent()).toBe('QDesk app on 1 device');
    await page.getByRole('button', { name: 'SEND VERIFICATION' }).click();
    const number = (await page.locator('#match-number').textContent())!;
    expect(number).toMatch(/^\d{6}$/);
    expect(await page.locator('.who-line').textContent()).toContain('Ana Silva');
    await phone.getByLabel('Number the technician reads to you').fill(number);
    await phone.getByRole('button', { name: 'Submit' }).click();
    await phone.locator('[data-status="approved"]').waitFor();
    await expect(page.locator('.outcome').textContent()).resolves.toBe(VERIFIED);
    // Who was verified, never the full phone number or address.
    const line = (await page.locator('.who-line').textContent())!;
    expect(line).toMatch(/^Verified: Ana Silva · phone \+1•+0001 · email a•+@northwind\.example$/);
    expect(line).not.toContain('ana.silva');
    await shot(page, 'insight-number-match-verified');
    const note = (await notesOn(h, '1001')).at(-1);
    expect(note?.title).toBe(`QDesk: ${VERIFIED}: Ana Silva`);
    expect(note?.text).toContain('Method: number_match');
    expect(note?.text).not.toContain('Weaker method');
    await Promise.all([page.close(), phone.close()]);
  });

  it('a reload resumes the verification in progress; another technician must take it over', async () => {
    const page = await insight(h, '1001');
    await page.getByRole('button', { name: 'SEND VERIFICATION' }).click();
    const number = await page.locator('#match-number').textContent();
    await page.reload();
    // Same tab: the same verification, the same number to read out, and no second start offered.
    expect(await page.locator('#match-number').textContent()).toBe(number);
    expect(await page.locator('#send-form').isHidden()).toBe(true);

    const jo = await staffContext(h, 'Jo Park');
    await jo.page.goto(`${h.base}/insight?ticketId=1001`);
    await jo.page.locator('#owner', { hasText: 'belongs to Sam Rivera' }).waitFor();
    expect(await jo.page.locator('#match-number').count()).toBe(0);
    await shot(jo.page, 'insight-take-over-after-reload');
    await jo.page.getByLabel('Why you are taking it over').fill('Sam is on another call');
    await jo.page.getByRole('button', { name: 'TAKE OVER' }).click();
    // The number stays on Sam's screen only: Jo can cancel and send a new one.
    await jo.page.getByText('shown only on the tab that sent it').waitFor();
    await jo.page.getByRole('button', { name: 'CANCEL' }).click();
    await jo.page.getByRole('button', { name: 'OK' }).waitFor();
    expect(await jo.page.locator('.outcome').textContent()).toBe('Verification Cancelled');
    expect(await jo.page.locator('#outcome-reason').textContent()).toBe('The technician cancelled it.');
    // Sam's tab, still open, learnt that Jo took it over and how it ended.
    await expect(page.locator('.outcome').textContent()).resolves.toBe('Verification Cancelled');
    const takeOver = (await auditTrail(h.services)).find((r) => r.action === 'take_over');
    expect(takeOver).toMatchObject({
      actor: { id: 'tech-jo' },
      detail: { reason: 'Sam is on another call' },
    });
    await Promise.all([page.close(), jo.context.close()]);
  });

  it('reverse verification end to end: the end-user confirms the technician calling them', async () => {
    const phone = await endUserPage(h, 'Ana Silva');
    const page = await insight(h, '1001');
    await page.getByRole('button', { name: 'START TECHNICIAN CHECK' }).click();
    const number = (await page.locator('#match-number').textContent())!;
    expect(await page.locator('#flow').textContent()).toContain('to check it is really you');
    const request = phone.locator('.challenge[data-purpose="reverse"]');
    await request.waitFor();
    expect(await request.locator('.who').textContent()).toBe(
      'This is Sam Rivera from Demo MSP about ticket T20261124.0001. Ask them for the number on their screen and type it here.',
    );
    await shot(phone, 'self-serve-reverse');
    await request.getByLabel('Number the technician reads to you').fill(number);
    await request.getByRole('button', { name: 'Submit' }).click();
    await expect(phone.locator('[data-status="approved"]').textContent()).resolves.toBe(
      'Confirmed: this is really Sam Rivera from Demo MSP.',
    );
    await expect(page.locator('.outcome').textContent()).resolves.toBe(
      'Technician Identity Confirmed by End-User',
    );
    await shot(page, 'insight-reverse-confirmed');
    expect((await notesOn(h, '1001')).at(-1)?.title).toBe(
      'QDesk: Technician Identity Confirmed by End-User: Ana Silva',
    );
    await Promise.all([page.close(), phone.close()]);
  });

  it("an administrator changes a customer's policy, and the Insight's methods change", async () => {
    const before = await insight(h, '1002');
    expect(await before.getByLabel('Approve-only push').count()).toBe(0);
    await before.close();

    const admin = await staffContext(h, 'Alex Morgan');
    await admin.page.goto(`${h.base}/admin/policies`);
    const northwind = admin.page.locator('section.policy[data-customer="cust-northwind"]');
    await northwind.getByRole('checkbox', { name: /^Approve-only push/ }).check();
    await northwind.getByRole('button', { name: 'Save' }).click();
    // A weaker choice needs a reason: refused until one is given.
    await northwind.locator('.policy-message', { hasText: 'approve-only push' }).waitFor();
    await northwind
      .getByLabel('Why accept approve-only push?')
      .fill('Warehouse staff wear gloves; accepted by the Northwind IT lead.');
    await northwind.getByRole('button', { name: 'Save' }).click();
    await admin.page
      .locator('section.policy[data-customer="cust-northwind"] .policy-message[data-saved]')
      .waitFor();
    expect(await northwind.locator('.methods').textContent()).toContain('Approve-only push');
    expect(await northwind.locator('.acceptances').textContent()).toContain('Alex Morgan');
    await shot(admin.page, 'admin-policies');
    await admin.context.close();

    // The Push choice's "Send Verification Code" toggle can now be turned off, for an approve-only push.
    const after = await insight(h, '1002');
    expect(await after.getByLabel('Send Verification Code').isDisabled()).toBe(false);
    expect(await after.locator('#push-code-why').textContent()).toContain(
      'Approve-only push — weaker, accepted by policy',
    );
    // Never the weaker choice by default: Ben's app cannot show a push, so it is the SMS a push would become.
    expect(await after.locator('input[name="method"]:checked').getAttribute('value')).toBe('sms');
    expect(await after.getByLabel('Send Verification Code').isChecked()).toBe(true);
    await after.close();
  });
});
