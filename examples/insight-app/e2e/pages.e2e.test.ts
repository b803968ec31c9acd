import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axeViolations, hasChromium, overflowAt, staffContext, useHarness } from './harness.js';

// The pages around the flows: start, sign-in, outbox, policies, the administrators-only page and the end-user's
// sign-in. Each flow's own file scans its states; this one scans the rest, so every page of the app is checked for
// accessibility (axe: WCAG 2.2 AA and best practices) and for sideways scrolling in a narrow panel or on a phone.

const NARROW = [300, 360, 400];

/** Axe violations and sideways scroll of the page as it is: expected none of either. */
async function check(page: Page, widths = NARROW) {
  return { violations: await axeViolations(page), overflow: await overflowAt(page, widths) };
}
const clean = (widths = NARROW) => ({
  violations: [],
  overflow: Object.fromEntries(widths.map((w) => [w, 0])),
});

describe.skipIf(!hasChromium)('every other page in Chromium: axe and narrow widths', () => {
  const h = useHarness();

  it('the start page, as the demo technician sees it', async () => {
    const page = await h.technician.newPage();
    await page.goto(`${h.base}/`);
    await page.getByRole('heading', { name: 'Tickets' }).waitFor();
    // A technician's header offers what a technician may open: no matching or policies.
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link', { name: 'History' }).count()).toBe(1);
    expect(await nav.getByRole('link', { name: 'Matching' }).count()).toBe(0);
    expect(await nav.getByRole('link', { name: 'Policies' }).count()).toBe(0);
    expect(await check(page)).toEqual(clean());
    await page.close();
  });

  it('the sign-in page', async () => {
    const context = await h.browser.newContext({ viewport: { width: 400, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${h.base}/login`);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await check(page)).toEqual(clean());
    await context.close();
  });

  it('the outbox after a code was sent', async () => {
    const page = await h.technician.newPage();
    await page.goto(`${h.base}/insight?ticketId=1001`);
    await page.getByLabel('SMS code').check();
    await page.getByRole('button', { name: 'SEND CODE' }).click();
    await page.getByLabel('Code the caller reads back').waitFor();
    await page.getByRole('button', { name: 'CANCEL' }).click();
    await page.locator('.outcome').waitFor();
    await page.goto(`${h.base}/outbox`);
    await page.locator('.outbox li').first().waitFor();
    expect(await check(page)).toEqual(clean());
    await page.close();
  });

  it('policies and unlock, as the administrator; the administrators-only page, as a technician', async () => {
    const admin = await staffContext(h, 'Alex Morgan');
    await admin.page.goto(`${h.base}/admin/policies`);
    await admin.page.getByRole('heading', { name: 'Verification policies' }).waitFor();
    const nav = admin.page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link', { name: 'Policies' }).count()).toBe(1);
    expect(await check(admin.page)).toEqual(clean());
    await admin.context.close();

    const page = await h.technician.newPage();
    const res = await page.goto(`${h.base}/admin/policies`);
    expect(res?.status()).toBe(403);
    await page.getByRole('heading', { name: 'Administrators only' }).waitFor();
    expect(await check(page)).toEqual(clean());
    await page.close();
  });

  it('the end-user’s sign-in on a phone, with nothing of the staff’s', async () => {
    const context = await h.browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.goto(`${h.base}/self-serve`);
    await page.getByRole('heading', { name: 'Self-serve sign-in' }).waitFor();
    expect(await page.locator('a[href="/history"], a[href^="/admin"], a[href="/outbox"]').count()).toBe(0);
    expect(await check(page, [320, 390])).toEqual(clean([320, 390]));
    await context.close();
  });
});
