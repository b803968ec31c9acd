import { readFileSync } from 'node:fs';
import { OUTCOME_TEXT } from '@qdesk/core';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  axeViolations,
  codeSentTo,
  hasChromium,
  horizontalOverflow,
  insight,
  shot,
  tabTo,
  useHarness,
} from './harness.js';

describe.skipIf(!hasChromium)('History and the Insight’s per-contact history in Chromium', () => {
  const h = useHarness();

  /**
   * The technician's browser calls the verification API itself (its cookie, the CSRF token its pages carry): these
   * tests are about what History shows afterwards, not about the Insight's buttons.
   */
  async function api(path: string, data: unknown) {
    const page = await (await h.technician.request.get(`${h.base}/insight?ticketId=1001`)).text();
    const csrf = /name="csrf-token" content="([^"]+)"/.exec(page)![1]!;
    const res = await h.technician.request.post(`${h.base}${path}`, {
      data,
      headers: { 'x-csrf-token': csrf, origin: h.base },
    });
    expect(res.ok(), `${path}: ${await res.text()}`).toBe(true);
    return res.json();
  }

  /** An SMS verification the technician closes by checking the right code, or by denying it. */
  async function verifyBySms(ticketId: string, phone: string, close: 'check' | 'deny') {
    const { session } = await api('/api/verifications', { ticketId, method: 'sms' });
    h.clock.advance(42_000); // the caller takes a while to read the code
    const closed =
      close === 'check'
        ? await api(`/api/verifications/${session.id}/check`, { code: codeSentTo(h.services, phone) })
        : await api(`/api/verifications/${session.id}/deny`, {});
    expect(closed.session.status).toBe(close === 'check' ? 'approved' : 'denied');
  }

  async function history(query = '', width = 1100) {
    const page = await h.technician.newPage();
    await page.setViewportSize({ width, height: 800 });
    await page.goto(`${h.base}/history${query}`);
    return page;
  }
  const rows = (page: Page) => page.locator('.history-table tbody tr');

  it('after two verifications, History shows one row each, by name, with outcome and UTC times', async () => {
    await verifyBySms('1001', '+15550100001', 'check');
    h.clock.advance(60_000);
    await verifyBySms('1002', '+15550100002', 'deny');
    const page = await history();
    expect(await rows(page).count()).toBe(2);
    const [ben, ana] = await rows(page).allInnerTexts();
    expect(ana).toContain('Ana Silva');
    expect(ana).toContain(OUTCOME_TEXT.approved);
    expect(ana).toContain('2026-11-24 09:00:00 UTC');
    expect(ana).toContain('42 s');
    expect(ben).toContain('Ben Okafor');
    expect(ben).toContain(OUTCOME_TEXT.denied);
    expect(ben).toContain('The technician denied it');
    expect(await page.locator('#history-count').textContent()).toContain('1–2 of 2 verifications');
    expect(await horizontalOverflow(page)).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, 'history', { readme: true });
    await page.close();
  });

  it('filters by outcome with the keyboard only', async () => {
    const page = await history();
    await tabTo(page, /^Outcome/);
    await page.keyboard.type('Denied'); // a closed select picks the option whose label is typed
    expect(await page.getByLabel('Outcome').inputValue()).toBe('denied');
    await tabTo(page, 'Filter', 20);
    await Promise.all([page.waitForURL(/outcome=denied/), page.keyboard.press('Enter')]);
    expect(await rows(page).count()).toBe(1);
    expect(await rows(page).textContent()).toContain('Ben Okafor');
    expect(await page.getByLabel('Outcome').inputValue()).toBe('denied');
    expect(await axeViolations(page)).toEqual([]);
    await page.close();
  });

  it('downloads the filtered rows as CSV', async () => {
    const page = await history('?outcome=denied');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('qdesk-history-2026-11-24.csv');
    const lines = readFileSync((await download.path())!, 'utf8')
      .replace(/^\uFEFF/, '')
      .split('\r\n');
    expect(lines[0]).toMatch(/^Ticket,End-user,Purpose,Method,Outcome,Reason,/);
    expect(lines.slice(1).filter(Boolean)).toEqual([
      expect.stringMatching(/^T20261124\.0002,Ben Okafor,verify,SMS code,Unable to Verify Identity,/),
    ]);
    await page.close();
  });

  for (const width of [300, 400]) {
    it(`at ${width} px the rows are cards and nothing scrolls sideways`, async () => {
      const page = await history('', width);
      expect(await rows(page).count()).toBe(2);
      // The column names move into each card: the table head is visually hidden, each cell says what it is.
      const display = "getComputedStyle(document.querySelector('.history-table tbody tr')).display";
      expect(await page.evaluate<string>(display)).toBe('block');
      expect(await page.locator('.history-table thead').boundingBox()).toMatchObject({ width: 1, height: 1 });
      expect(await horizontalOverflow(page)).toBe(0);
      expect(await axeViolations(page)).toEqual([]);
      await shot(page, `history-${width}`);
      await page.close();
    });
  }

  it('the Insight’s per-contact panel lists the end-user’s past verifications and links to their history', async () => {
    h.clock.advance(12 * 60_000);
    const page = await insight(h, '1001');
    const panel = page.locator('#contact-history');
    // Rendered by the Insight page (contactHistorySection) below its flow, hidden until its script shows it.
    expect(await panel.count(), 'the Insight page renders contactHistorySection').toBe(1);
    // Shown by static/contact-history.js, which insight.js imports; without it the panel stays hidden.
    await panel.waitFor({ timeout: 10_000 });
    await page.setViewportSize({ width: 300, height: 900 });
    await panel.locator('summary').click();
    await panel.getByText('Past verifications of Ana Silva (1)').waitFor();
    const item = panel.locator('.contact-history-list li');
    expect(await item.count()).toBe(1);
    const text = await item.textContent();
    expect(text).toContain(OUTCOME_TEXT.approved);
    expect(text).toContain('SMS code · Sam Rivera · T20261124.0001');
    expect(text).toMatch(/14 min ago \(2026-11-24 09:00:00 UTC\)/);
    const link = panel.getByRole('link', { name: /All verifications of Ana Silva/ });
    expect(await link.getAttribute('href')).toBe('/history?endUserId=eu-ana');
    expect(await horizontalOverflow(page)).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, 'insight-contact-history', { readme: true });
    await page.close();
  });
});
