import { describe, expect, it } from 'vitest';
import { codeFor, endUserPage, hasChromium, insight, notesOn, shot, useHarness } from './harness.js';

const VERIFIED = 'User Identity Successfully Verified';
const UNABLE = 'Unable to Verify Identity';

const sendCode = (page: Awaited<ReturnType<typeof insight>>) =>
  page.getByRole('button', { name: 'SEND CODE', exact: true }).click();
const sendVerification = (page: Awaited<ReturnType<typeof insight>>) =>
  page.getByRole('button', { name: 'SEND VERIFICATION', exact: true }).click();

describe.skipIf(!hasChromium)('Insight and self-serve in Chromium', () => {
  const h = useHarness();

  const outcome = (page: Awaited<ReturnType<typeof insight>>) => page.locator('.outcome');

  it('SMS code, verify mode: the technician types the code the caller reads back', async () => {
    const page = await insight(h, '1001');
    await expect(page.getByText('T20261124.0001')).toBeTruthy();
    await page.getByLabel('SMS code').check();
    await sendCode(page);
    await page.getByLabel('Code the caller reads back').fill(await codeFor(h, page, '+15550100001'));
    await page.getByRole('button', { name: 'VERIFY' }).click();
    await expect(outcome(page).textContent()).resolves.toBe(VERIFIED);
    await page.getByRole('button', { name: 'OK' }).waitFor();
    await shot(page, 'insight-sms-verified');
    const notes = await notesOn(h, '1001');
    expect(notes.at(-1)?.title).toContain(VERIFIED);
    expect(notes.at(-1)?.text).toContain('Method: sms');
    await page.close();
  });

  it('SMS code, compare mode where a customer accepted it (Contoso): the technician sees the code and approves', async () => {
    // Comparing by eye is a weaker choice: only Contoso Dental's policy accepts it, so only its tickets offer it.
    const northwind = await insight(h, '1002');
    expect(await northwind.getByLabel('Show me the code to compare').count()).toBe(0);
    await northwind.close();
    const page = await insight(h, '1003');
    await page.getByLabel('SMS code').check();
    await page.getByLabel('Show me the code to compare').check();
    await sendCode(page);
    const expected = await codeFor(h, page, '+15550100003');
    expect(await page.locator('.code').textContent()).toBe(expected);
    await shot(page, 'insight-compare-mode', { readme: true });
    await page.getByRole('button', { name: 'APPROVE' }).click();
    await expect(outcome(page).textContent()).resolves.toBe(VERIFIED);
    const note = (await notesOn(h, '1003')).at(-1);
    expect(note?.title).toBe(`QDesk: ${VERIFIED}: Chloé Martin`);
    expect(note?.text).toContain('Weaker method: comparing codes by eye');
    await page.close();
  });

  it('email code, where a customer accepted it (Contoso)', async () => {
    const page = await insight(h, '1003');
    await page.getByLabel('Email code').check();
    await sendCode(page);
    await page
      .getByLabel('Code the caller reads back')
      .fill(await codeFor(h, page, 'Chloe.Martin@contoso-dental.example'));
    await page.getByRole('button', { name: 'VERIFY' }).click();
    await expect(outcome(page).textContent()).resolves.toBe(VERIFIED);
    const note = (await notesOn(h, '1003')).at(-1);
    expect(note?.text).toContain('Method: email');
    expect(note?.text).toContain('Weaker method: email codes');
    await page.close();
  });

  it('approve-only push where a customer accepted it (Contoso): the end-user taps Approve, seen live', async () => {
    const phone = await endUserPage(h, 'Dev Patel');
    const page = await insight(h, '1004');
    // The manual's Push choice with its "Send Verification Code" toggle off.
    await page.getByLabel('Push', { exact: true }).check();
    await page.getByLabel('Send Verification Code').uncheck();
    await sendVerification(page);
    await page.locator('#push-status[data-status="waiting"]').waitFor();
    await shot(page, 'insight-approve-only-waiting');
    const request = phone.locator('.challenge');
    await request.waitFor();
    expect(await request.locator('.who').textContent()).toBe(
      'Sam Rivera · ticket T20261124.0004 · Contoso Dental LLC',
    );
    await shot(phone, 'self-serve-request');
    await request.getByRole('button', { name: 'Approve' }).click();
    await phone.locator('[data-status="approved"]').waitFor();
    await shot(phone, 'self-serve-approved');
    await expect(outcome(page).textContent()).resolves.toBe(VERIFIED);
    await shot(page, 'insight-approve-only-verified');
    const note = (await notesOn(h, '1004')).at(-1);
    expect(note?.text).toContain('Method: push');
    expect(note?.text).toContain('Weaker method: approve-only push');
    await Promise.all([page.close(), phone.close()]);
  });

  it('push deny: Unable to Verify Identity, with the reason', async () => {
    const phone = await endUserPage(h, 'Dev Patel');
    const page = await insight(h, '1004');
    await page.getByLabel('Push', { exact: true }).check();
    await page.getByLabel('Send Verification Code').uncheck();
    await sendVerification(page);
    await phone.locator('.challenge').getByRole('button', { name: 'Deny' }).click();
    await expect(outcome(page).textContent()).resolves.toBe(UNABLE);
    expect(await page.locator('#outcome-reason').textContent()).toBe(
      'The end-user denied the request on their device.',
    );
    await page.getByRole('button', { name: 'CANCEL' }).waitFor();
    await shot(page, 'insight-denied');
    expect((await notesOn(h, '1004')).at(-1)?.title).toContain(UNABLE);
    await Promise.all([page.close(), phone.close()]);
  });

  it('push timeout, on a test clock rather than a 60 s wait', async () => {
    const page = await insight(h, '1004');
    await page.getByLabel('Push', { exact: true }).check();
    await page.getByLabel('Send Verification Code').uncheck();
    await sendVerification(page);
    await page.locator('#push-status').waitFor();
    h.clock.advance(60_000);
    // The app's sweeper (or any reader, such as the self-serve poll of a device) records the expiry, and SSE tells
    // the page; nobody has to open the session again.
    await expect(outcome(page).textContent()).resolves.toBe('Verification Timed Out');
    await page.getByRole('button', { name: 'OK' }).waitFor();
    await shot(page, 'insight-timeout');
    expect((await notesOn(h, '1004')).at(-1)?.title).toBe('QDesk: Verification Timed Out: Dev Patel');
    await page.close();
  });

  it('push plus code: after Approve the device shows a code the caller reads back', async () => {
    const phone = await endUserPage(h, 'Ana Silva');
    const page = await insight(h, '1001');
    await page.getByLabel('Push', { exact: true }).check();
    await sendVerification(page);
    await phone.locator('.challenge').getByRole('button', { name: 'Approve' }).click();
    const code = await phone.locator('#device-code').textContent();
    expect(code).toMatch(/^\d{6}$/);
    await shot(phone, 'self-serve-push-code');
    await page.locator('#device-approved', { hasText: 'Approved on the end-user’s device' }).waitFor();
    await page.getByLabel('Code the caller reads back').fill(code!);
    await page.getByRole('button', { name: 'VERIFY' }).click();
    await expect(outcome(page).textContent()).resolves.toBe(VERIFIED);
    expect((await notesOn(h, '1001')).at(-1)?.text).toContain('Method: push_code');
    await Promise.all([page.close(), phone.close()]);
  });

  for (const right of [true, false]) {
    it(`number match, ${right ? 'right' : 'wrong'} number`, async () => {
      const phone = await endUserPage(h, 'Ana Silva');
      const page = await insight(h, '1001');
      await page.getByLabel('Number match').check();
      await sendVerification(page);
      const number = (await page.locator('#match-number').textContent())!;
      const typed = right ? number : number.replace(/\d$/, (d) => String((Number(d) + 1) % 10));
      await phone.getByLabel('Number the technician reads to you').fill(typed);
      await phone.getByRole('button', { name: 'Submit' }).click();
      await expect(outcome(page).textContent()).resolves.toBe(right ? VERIFIED : UNABLE);
      if (!right) await page.locator('[data-reason="wrong_number"]').waitFor();
      expect((await notesOn(h, '1001')).at(-1)?.title).toContain(right ? VERIFIED : UNABLE);
      await Promise.all([page.close(), phone.close()]);
    });
  }

  it('number match falls back to an SMS code when the device reports notifications off, and says so before SEND', async () => {
    const phone = await endUserPage(h, 'Chloé Martin', { notifications: 'denied' });
    expect(await phone.locator('#device-status').getAttribute('data-permission')).toBe('denied');
    const page = await insight(h, '1003');
    // A push would become an SMS: SMS is pre-selected, and number match says where it would really go.
    expect(await page.getByLabel('SMS code (restricted)').isChecked()).toBe(true);
    await page.getByLabel('Number match').check();
    expect(await page.locator('#who-destination').textContent()).toMatch(/^SMS to \+1•+0003, not the app$/);
    expect(await page.locator('#why-number_match').textContent()).toContain('notifications are not allowed');
    await sendCode(page);
    await page.locator('[data-fallback="notifications_denied"]').waitFor();
    await shot(page, 'insight-fallback', { readme: true });
    await page.getByLabel('Code the caller reads back').fill(await codeFor(h, page, '+15550100003'));
    await page.getByRole('button', { name: 'VERIFY' }).click();
    await expect(outcome(page).textContent()).resolves.toBe(VERIFIED);
    const fallback = await h.services.audit.query(h.services.tenantId, { endUserId: 'eu-chloe' });
    expect(fallback.some((r) => r.action === 'send' && r.detail?.reason === 'notifications_denied')).toBe(
      true,
    );
    await Promise.all([page.close(), phone.close()]);
  });

  it('a ticket with no contact says why and verifies from an email instead', async () => {
    const page = await insight(h, '1005');
    const problem = page.locator('#problem');
    expect(await problem.getAttribute('data-code')).toBe('ticket_missing_contact');
    expect(await problem.textContent()).toContain('has no contact');
    await shot(page, 'insight-no-contact', { readme: true });
    await page.getByLabel('End-user email').fill('eva.schmidt@fabrikam.example');
    await page.getByLabel('SMS code').check();
    await sendCode(page);
    await page.getByLabel('Code the caller reads back').fill(await codeFor(h, page, '+15550100005'));
    await page.getByRole('button', { name: 'VERIFY' }).click();
    await expect(outcome(page).textContent()).resolves.toBe(VERIFIED);
    expect((await notesOn(h, '1005')).at(-1)?.text).toContain('Eva Schmidt');
    await page.close();
  });

  it('five wrong codes: Unable to Verify Identity', async () => {
    const page = await insight(h, '1002');
    await page.getByLabel('SMS code').check();
    await sendCode(page);
    const code = await codeFor(h, page, '+15550100002');
    const wrong = code.replace(/^\d/, (d) => String((Number(d) + 1) % 10));
    for (let i = 1; i <= 4; i++) {
      await page.getByLabel('Code the caller reads back').fill(wrong);
      await page.getByRole('button', { name: 'VERIFY' }).click();
      await page.locator('#check-result', { hasText: `${5 - i} attempt` }).waitFor();
    }
    await page.getByLabel('Code the caller reads back').fill(wrong);
    await page.getByRole('button', { name: 'VERIFY' }).click();
    await expect(outcome(page).textContent()).resolves.toBe(UNABLE);
    expect(await page.locator('#outcome-reason').textContent()).toBe(
      'Wrong code too many times: no attempt is left on this request.',
    );
    expect((await notesOn(h, '1002')).at(-1)?.title).toContain(UNABLE);
    await page.close();
  });
});
