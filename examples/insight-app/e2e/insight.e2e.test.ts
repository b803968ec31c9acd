import type { BrowserContext, Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { auditTrail } from '../src/test-app.test-helpers.js';
import {
  axeViolations,
  codeFor,
  endUserPage,
  hasChromium,
  notesOn,
  overflowAt,
  shot,
  staffContext,
  tabTo,
  useHarness,
} from './harness.js';

// The technician's Insight in a 300-400 px ticket panel, with the end-user on a 390x844 phone: the ticket owns the
// verification, the manual's flows and words, outcomes that say what happened, a dropped connection, the layout,
// axe and the keyboard.

const VERIFIED = 'User Identity Successfully Verified';
const UNABLE = 'Unable to Verify Identity';
const WAITING = 'Waiting for approval';
const APPROVED_ON_DEVICE = '✓ Approved on the end-user’s device';
const OFFLINE = 'No connection to QDesk: check your network.';
const WIDTHS = [300, 360, 400];
const WAIT = 15_000; // every wait is bounded; the sweeper that records a timeout runs every 5 s

describe.skipIf(!hasChromium)('the Insight in a ticket panel, in Chromium', () => {
  const h = useHarness();
  // Each test starts with the end-users' send and push windows empty (5 per 10 minutes), and whatever an earlier
  // test left open has timed out.
  beforeEach(() => {
    h.clock.advance(11 * 60_000);
  });

  /** The Insight as Autotask embeds it: no app header, a 360 px panel. */
  async function panel(ticketId: string, context: BrowserContext = h.technician): Promise<Page> {
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT);
    await page.setViewportSize({ width: 360, height: 900 });
    await page.goto(`${h.base}/insight?ticketId=${ticketId}&embedded=1`);
    return page;
  }

  async function phoneOf(name: string, options?: { notifications?: 'denied' | 'default' }) {
    const phone = await endUserPage(h, name, options);
    phone.setDefaultTimeout(WAIT);
    return phone;
  }

  /**
   * Every state the tests reach is checked the same way: it fits 300, 360 and 400 px, axe finds nothing, and every
   * button, text field and choice of the Insight is at least 44 px high.
   */
  async function inspect(page: Page) {
    expect(await overflowAt(page, WIDTHS)).toEqual({ 300: 0, 360: 0, 400: 0 });
    expect(await axeViolations(page)).toEqual([]);
    expect(await smallTargets(page)).toEqual([]);
  }

  /** Visible targets of the Insight under 44 px high, as `text (height)`; the history panel is another page's. */
  const smallTargets = (page: Page) =>
    // Runs in the page (a string: this file is not compiled with the DOM's types).
    page.evaluate<string[]>(`[...document.querySelectorAll(
        '.insight button, .insight input:not([type="radio"], [type="checkbox"]), .insight .method label, .insight .toggle')]
      .filter((e) => !e.closest('#contact-history') && e.offsetParent !== null)
      .map((e) => ({ text: (e.textContent ?? '').trim().slice(0, 30), height: e.getBoundingClientRect().height }))
      .filter((t) => t.height < 44)
      .map((t) => t.text + ' (' + t.height + ')')`);

  const outcome = (page: Page) => page.locator('.outcome');
  const outcomeText = async (page: Page) => (await outcome(page).textContent())?.trim();
  /** The focused element as `tag#id` (`p.outcome` for the outcome). */
  const focused = (page: Page) =>
    page.evaluate<string>(`(() => {
      const a = document.activeElement;
      if (!a) return '';
      return a.tagName.toLowerCase() + (a.id ? '#' + a.id : '') + (a.classList.contains('outcome') ? '.outcome' : '');
    })()`);
  const focusedText = (page: Page) => page.evaluate<string>('document.activeElement?.textContent ?? ""');
  const pushes = () => h.services.outbox!.push.messages().length;
  const send = (page: Page, name = 'SEND VERIFICATION') =>
    page.getByRole('button', { name, exact: true }).click();
  const typeNumber = async (phone: Page, number: string) => {
    await phone.getByLabel('Number the technician reads to you').fill(number);
    await phone.getByRole('button', { name: 'Submit' }).click();
  };
  const onPhone = (phone: Page, answer: 'Approve' | 'Deny') =>
    phone.locator('.challenge').getByRole('button', { name: answer }).click();

  describe('the ticket owns the verification', () => {
    it('shows where the number it would text came from and how old it is, and does not text one that just changed', async () => {
      const { directory } = h.services.stores;
      const chloe = (await directory.getById(h.services.tenantId, 'eu-chloe'))!;
      const DAY = 24 * 3600_000;
      try {
        await directory.put({
          ...chloe,
          provenance: { mobilePhone: { source: 'directory', changedAt: h.clock.now() - 2 * DAY } },
        });
        const page = await panel('1003');
        expect(await page.locator('#who-phone-origin').textContent()).toBe(
          'from the directory, changed 2 days ago',
        );
        expect(await page.getByLabel('SMS code (restricted)').isDisabled()).toBe(true);
        expect(await page.locator('#why-sms').textContent()).toContain(
          'the mobile number on file changed 2 days ago and counts as new for 7 days',
        );
        expect(await axeViolations(page)).toEqual([]);
        await shot(page, 'insight-phone-origin');
        await page.close();
      } finally {
        await directory.put(chloe);
      }
    });

    it('a reload mid-push shows the verification in progress, then the Approve on the phone', async () => {
      const phone = await phoneOf('Ana Silva');
      const page = await panel('1001');
      expect(await page.getByLabel('Number match').isChecked()).toBe(true);
      expect(await page.locator('#say').textContent()).toBe(
        'Say: “I’m sending a request to your QDesk app now. When it appears, type the number I read you.”',
      );
      await send(page);
      const number = (await page.locator('#match-number').textContent())!;
      expect(number).toMatch(/^\d{6}$/);
      expect(await page.locator('#push-status').textContent()).toBe(WAITING);
      await shot(page, 'insight-number-match', { readme: true });
      await inspect(page);

      await page.reload();
      // Drawn by the server as in progress, never the blank picker; this tab still has the number to read out.
      expect(await page.locator('#send-form').isHidden()).toBe(true);
      await expect(page.locator('#match-number').textContent()).resolves.toBe(number);
      await typeNumber(phone, number);
      await expect(outcomeText(page)).resolves.toBe(VERIFIED);
      expect((await notesOn(h, '1001')).at(-1)?.title).toBe(`QDesk: ${VERIFIED}: Ana Silva`);
      await Promise.all([page.close(), phone.close()]);
    });

    it('Back mid-push shows the push waiting, and the outcome when the end-user approves', async () => {
      const phone = await phoneOf('Dev Patel');
      const page = await panel('1004');
      await page.getByLabel('Push', { exact: true }).check();
      await page.getByLabel('Send Verification Code').uncheck(); // Contoso accepts approve-only push
      expect(await page.locator('#say').textContent()).toContain('Tap Approve when it appears.');
      await send(page);
      await page.locator('#push-status', { hasText: WAITING }).waitFor();
      expect(await page.locator('#countdown').getAttribute('aria-hidden')).toBe('true');
      await shot(page, 'insight-push-waiting', { readme: true });

      await page.goto(`${h.base}/`);
      await page.goBack();
      await page.locator('#push-status', { hasText: WAITING }).waitFor();
      expect(await page.locator('#send-form').isHidden()).toBe(true);
      await onPhone(phone, 'Approve');
      await expect(outcomeText(page)).resolves.toBe(VERIFIED);
      await page.getByRole('button', { name: 'OK' }).waitFor();
      await shot(page, 'insight-push-verified', { readme: true });
      expect((await notesOn(h, '1004')).at(-1)?.text).toContain('Method: push');
      await Promise.all([page.close(), phone.close()]);
    });

    it('the end-user approves while the technician is on another page: Back shows how it ended', async () => {
      const phone = await phoneOf('Ana Silva');
      const page = await panel('1001');
      await send(page);
      const number = (await page.locator('#match-number').textContent())!;
      await page.goto(`${h.base}/`);
      await typeNumber(phone, number);
      await phone.locator('[data-status="approved"]').waitFor();
      await page.goBack();
      await expect(outcomeText(page)).resolves.toBe(VERIFIED);
      // Closing the outcome forgets it: the next visit shows the picker.
      await page.getByRole('button', { name: 'OK' }).click();
      await page.reload();
      await page.locator('#send-form').waitFor();
      expect(await outcome(page).count()).toBe(0);
      await Promise.all([page.close(), phone.close()]);
    });

    it('back from the back-forward cache, the page reads the verification again', async () => {
      const page = await panel('1002');
      await send(page, 'SEND CODE');
      await page.getByLabel('Code the caller reads back').waitFor();
      const reread = page.waitForRequest(
        (r) => r.method() === 'GET' && /\/api\/verifications\/vs_/.test(r.url()),
      );
      // What the browser fires when it shows the page from its back-forward cache.
      await page.evaluate(`dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }))`);
      await reread;
      await page.getByRole('button', { name: 'CANCEL' }).click();
      await outcome(page).waitFor();
      await page.close();
    });

    it('a double click on SEND sends one push, and SEND says it is busy meanwhile', async () => {
      const page = await panel('1001');
      const before = pushes();
      const button = page.getByRole('button', { name: 'SEND VERIFICATION' });
      await button.dblclick();
      await page.locator('#match-number').waitFor();
      expect(pushes()).toBe(before + 1);
      // Two submits in the same moment (Enter pressed twice) while a request is in flight: still one.
      await page.getByRole('button', { name: 'CANCEL' }).click();
      await page.getByRole('button', { name: 'OK' }).click();
      const states = await page.evaluate(`(() => {
        const form = document.getElementById('send-form');
        const button = document.getElementById('send');
        form.requestSubmit();
        const during = { disabled: button.disabled, text: button.textContent };
        form.requestSubmit();
        return during;
      })()`);
      expect(states).toEqual({ disabled: true, text: 'SENDING…' });
      await page.locator('#match-number').waitFor();
      expect(pushes()).toBe(before + 2);
      await page.getByRole('button', { name: 'CANCEL' }).click();
      await outcome(page).waitFor();
      await page.close();
    });

    it('two technicians: Jo sees Sam’s verification live without its number and takes it over; Sam’s tab says it is Jo’s', async () => {
      const phone = await phoneOf('Ana Silva');
      const sam = await panel('1001');
      await send(sam);
      const number = (await sam.locator('#match-number').textContent())!;

      const jo = await staffContext(h, 'Jo Park');
      const joPage = await panel('1001', jo.context);
      await joPage.locator('#owner', { hasText: 'belongs to Sam Rivera' }).waitFor();
      expect(await joPage.locator('#in-progress').textContent()).toBe(
        'Number match for Ana Silva, by Sam Rivera.',
      );
      expect(await joPage.locator('#push-status').textContent()).toBe(WAITING);
      expect(await joPage.locator('#countdown').textContent()).toMatch(/^\d:\d\d$/);
      expect(await joPage.locator('#match-number').count()).toBe(0);
      expect(await joPage.locator('#send-form').isHidden()).toBe(true);
      await shot(joPage, 'insight-take-over', { readme: true });
      await inspect(joPage);

      await joPage.getByLabel('Why you are taking it over').fill('Sam is on another call');
      await joPage.getByRole('button', { name: 'TAKE OVER' }).click();
      await joPage.getByRole('heading', { name: 'Number match sent' }).waitFor();
      expect(await joPage.locator('.note').textContent()).toContain('shown only on the tab that sent it');
      // Sam's tab learns at once, and stops showing the number.
      await sam.locator('#owner', { hasText: 'now belongs to Jo Park' }).waitFor();
      expect(await sam.locator('#match-number').count()).toBe(0);
      await inspect(sam);

      // The caller types the number Sam read out: both tabs show the outcome, and the note names Jo.
      await typeNumber(phone, number);
      await expect(outcomeText(joPage)).resolves.toBe(VERIFIED);
      await expect(outcomeText(sam)).resolves.toBe(VERIFIED);
      expect((await notesOn(h, '1001')).at(-1)?.text).toContain('Technician: Jo Park');
      expect((await auditTrail(h.services)).findLast((r) => r.action === 'take_over')).toMatchObject({
        actor: { id: 'tech-jo' },
        detail: { reason: 'Sam is on another call' },
      });
      await Promise.all([sam.close(), phone.close(), jo.context.close()]);
    });
  });

  describe('the manual’s push + code', () => {
    it('verify mode (Northwind): SEND VERIFICATION, the check mark above the status, then the typed code', async () => {
      const phone = await phoneOf('Ana Silva');
      const page = await panel('1001');
      await page.getByLabel('Push', { exact: true }).check();
      // Northwind's policy has no approve-only push: the code cannot be turned off, and the page says why.
      const toggle = page.getByLabel('Send Verification Code');
      expect(await toggle.isChecked()).toBe(true);
      expect(await toggle.isDisabled()).toBe(true);
      expect(await page.locator('#push-code-why').textContent()).toContain(
        'asks for a code after every Approve',
      );
      await send(page);
      await page.locator('#push-status', { hasText: WAITING }).waitFor();
      await onPhone(phone, 'Approve');
      const code = (await phone.locator('#device-code').textContent())!;
      const mark = page.locator('#device-approved');
      await expect(mark.textContent()).resolves.toBe(APPROVED_ON_DEVICE);
      const [markBox, statusBox] = await Promise.all([
        mark.boundingBox(),
        page.locator('#push-status').boundingBox(),
      ]);
      expect(markBox!.y).toBeLessThan(statusBox!.y);
      expect(await focused(page)).toBe('p#device-approved');
      await shot(page, 'insight-push-code-verify');
      await inspect(page);
      await page.getByLabel('Code the caller reads back').fill(code);
      await page.getByRole('button', { name: 'VERIFY' }).click();
      await expect(outcomeText(page)).resolves.toBe(VERIFIED);
      expect(await focused(page)).toBe('p.outcome');
      expect((await notesOn(h, '1001')).at(-1)?.text).toContain('Method: push_code');
      await Promise.all([page.close(), phone.close()]);
    });

    it('compare mode (Contoso): the code shows only after the device approves, then APPROVE', async () => {
      const phone = await phoneOf('Dev Patel');
      const page = await panel('1004');
      await page.getByLabel('Push', { exact: true }).check();
      expect(await page.getByLabel('Send Verification Code').isChecked()).toBe(true);
      await page.getByLabel('Show me the code to compare').check();
      await send(page);
      await page.locator('#push-status', { hasText: WAITING }).waitFor();
      expect(await page.locator('#compare-code').count()).toBe(0);
      await onPhone(phone, 'Approve');
      const code = (await phone.locator('#device-code').textContent())!;
      await expect(page.locator('#device-approved').textContent()).resolves.toBe(APPROVED_ON_DEVICE);
      expect(await page.locator('#compare-code').textContent()).toBe(code);
      expect(await page.locator('#push-status').textContent()).toContain(WAITING);
      await shot(page, 'insight-push-code-approved', { readme: true });
      await inspect(page);
      await page.getByRole('button', { name: 'APPROVE' }).click();
      await expect(outcomeText(page)).resolves.toBe(VERIFIED);
      expect((await notesOn(h, '1004')).at(-1)?.text).toContain('Weaker method: comparing codes by eye');
      await Promise.all([page.close(), phone.close()]);
    });
  });

  describe('outcomes that say what happened', () => {
    /** The headline (the ticket note's), the reason line, the closing button, and the state checked. */
    async function expectOutcome(page: Page, headline: string, reason: string, button: 'OK' | 'CANCEL') {
      await expect(outcomeText(page)).resolves.toBe(headline);
      expect(await page.locator('#outcome-reason').textContent()).toBe(reason);
      expect(await focused(page)).toBe('p.outcome');
      await page.getByRole('button', { name: button, exact: true }).waitFor();
      await inspect(page);
    }

    it('the end-user denied on their device', async () => {
      const phone = await phoneOf('Dev Patel');
      const page = await panel('1004');
      await page.getByLabel('Push', { exact: true }).check();
      await page.getByLabel('Send Verification Code').uncheck();
      await send(page);
      await onPhone(phone, 'Deny');
      await expectOutcome(page, UNABLE, 'The end-user denied the request on their device.', 'CANCEL');
      await shot(page, 'insight-outcome-denied', { readme: true });
      expect((await notesOn(h, '1004')).at(-1)?.title).toBe(`QDesk: ${UNABLE}: Dev Patel`);
      await Promise.all([page.close(), phone.close()]);
    });

    it('the end-user typed a wrong number', async () => {
      const phone = await phoneOf('Ana Silva');
      const page = await panel('1001');
      await send(page);
      const number = (await page.locator('#match-number').textContent())!;
      await typeNumber(
        phone,
        number.replace(/\d$/, (d) => String((Number(d) + 1) % 10)),
      );
      await expectOutcome(
        page,
        UNABLE,
        'The end-user typed a different number from the one the technician read out.',
        'CANCEL',
      );
      await Promise.all([page.close(), phone.close()]);
    });

    it('wrong codes count the attempts left, then too many', async () => {
      const page = await panel('1002'); // Ben's app reported notifications off: SMS is pre-selected
      expect(await page.getByLabel('SMS code (restricted)').isChecked()).toBe(true);
      expect(await page.locator('#who-destination').textContent()).toMatch(/^SMS to \+1•+0002$/);
      await send(page, 'SEND CODE');
      const code = await codeFor(h, page, '+15550100002');
      expect(await page.locator('#check-result').textContent()).toBe('5 attempts left.');
      await inspect(page);
      const wrong = code.replace(/^\d/, (d) => String((Number(d) + 1) % 10));
      for (let left = 4; left >= 1; left--) {
        await page.getByLabel('Code the caller reads back').fill(wrong);
        await page.getByRole('button', { name: 'VERIFY' }).click();
        await page
          .locator('#check-result', {
            hasText: `Incorrect code: ${left} attempt${left === 1 ? '' : 's'} left.`,
          })
          .waitFor();
      }
      await page.getByLabel('Code the caller reads back').fill(wrong);
      await page.getByRole('button', { name: 'VERIFY' }).click();
      await expectOutcome(
        page,
        UNABLE,
        'Wrong code too many times: no attempt is left on this request.',
        'CANCEL',
      );
      await page.close();
    });

    it('no answer in time: Verification Timed Out, on a test clock', async () => {
      const page = await panel('1004');
      await page.getByLabel('Push', { exact: true }).check();
      await send(page);
      await page.locator('#push-status', { hasText: WAITING }).waitFor();
      h.clock.advance(61_000);
      await expectOutcome(page, 'Verification Timed Out', 'No answer within the time allowed.', 'OK');
      expect((await notesOn(h, '1004')).at(-1)?.title).toBe('QDesk: Verification Timed Out: Dev Patel');
      await page.close();
    });

    it('the technician cancelled: the screen says what the note says', async () => {
      const page = await panel('1002');
      await send(page, 'SEND CODE');
      await page.getByRole('button', { name: 'CANCEL' }).click();
      await expectOutcome(page, 'Verification Cancelled', 'The technician cancelled it.', 'OK');
      expect((await notesOn(h, '1002')).at(-1)?.title).toBe('QDesk: Verification Cancelled: Ben Okafor');
      await page.close();
    });

    it('superseded: "Start over instead" in a second tab replaces the verification the first tab shows', async () => {
      const first = await panel('1001');
      await send(first);
      await first.locator('#match-number').waitFor();
      const second = await panel('1001');
      await second.getByRole('heading', { name: 'Number match sent' }).waitFor();
      expect(await second.locator('#match-number').count()).toBe(0);
      await inspect(second);
      await second.getByRole('button', { name: 'Start over instead' }).click();
      await second.locator('.replacing', { hasText: 'SEND replaces the verification in progress' }).waitFor();
      await inspect(second);
      await send(second);
      await second.locator('#match-number').waitFor();
      await expectOutcome(
        first,
        'Verification Cancelled',
        'A newer verification on the same ticket replaced it.',
        'OK',
      );
      expect(await first.locator('.outcome').getAttribute('data-reason')).toBe('superseded');
      await second.getByRole('button', { name: 'CANCEL' }).click();
      await outcome(second).waitFor();
      await Promise.all([first.close(), second.close()]);
    });

    it('not delivered: the SMS provider refused the number', async () => {
      const sms = h.services.outbox!.sms;
      sms.failFor('+15550100002', {
        status: 'permanent_failure',
        reason: 'number unreachable (simulated)',
        scope: 'address',
      });
      try {
        const page = await panel('1002');
        await send(page, 'SEND CODE');
        await expectOutcome(
          page,
          'Verification Could Not Be Delivered',
          'No route could deliver the request.',
          'OK',
        );
        await page.close();
      } finally {
        sms.clear(); // drops the failure rule (and the outbox's earlier messages)
      }
    });
  });

  describe('a dropped connection', () => {
    it('says so in words while a verification waits, and catches up when the connection is back', async () => {
      const phone = await phoneOf('Ana Silva');
      const page = await panel('1001');
      await send(page);
      const number = (await page.locator('#match-number').textContent())!;
      await h.technician.setOffline(true);
      try {
        await page.locator('#connection', { hasText: OFFLINE }).waitFor();
        expect(await page.locator('#connection').textContent()).toBe(
          'No connection to QDesk: check your network. The verification goes on; this page catches up when the connection is back.',
        );
        await shot(page, 'insight-offline');
        await inspect(page);
        await typeNumber(phone, number);
        await phone.locator('[data-status="approved"]').waitFor();
        expect(await outcome(page).count()).toBe(0); // nothing reached the page meanwhile
      } finally {
        await h.technician.setOffline(false);
      }
      await expect(outcomeText(page)).resolves.toBe(VERIFIED);
      await page.locator('#connection', { hasText: 'Connection back' }).waitFor();
      await Promise.all([page.close(), phone.close()]);
    });

    it('a SEND without a connection says what to do, and works once it is back', async () => {
      const page = await panel('1001');
      const before = pushes();
      await h.technician.setOffline(true);
      try {
        await send(page);
        await page
          .locator('#send-form .error', {
            hasText: 'No connection to QDesk: check your network, then press SEND again.',
          })
          .waitFor();
        await inspect(page);
      } finally {
        await h.technician.setOffline(false);
      }
      expect(pushes()).toBe(before);
      await send(page);
      await page.locator('#match-number').waitFor();
      expect(pushes()).toBe(before + 1);
      await page.getByRole('button', { name: 'CANCEL' }).click();
      await outcome(page).waitFor();
      await page.close();
    });
  });

  describe('built for a 300-400 px panel', () => {
    it('embedded: no app header and no Tab stops before the picker; fits 300 px', async () => {
      const page = await panel('1001');
      expect(await page.locator('header').count()).toBe(0);
      expect(await tabTo(page, 'Number match')).toBe(1);
      await page.setViewportSize({ width: 300, height: 900 });
      await shot(page, 'insight-embedded-300', { readme: true });
      await inspect(page);
      // Opened on its own, the page has the staff header, which wraps rather than widening a narrow window.
      const standalone = await h.technician.newPage();
      await standalone.goto(`${h.base}/insight?ticketId=1001`);
      expect(await standalone.locator('header.bar').count()).toBe(1);
      await inspect(standalone);
      await Promise.all([page.close(), standalone.close()]);
    });

    it('who and where before SEND, updated as the method changes', async () => {
      const page = await panel('1003'); // Chloé: no app, so SMS is pre-selected and a push would become an SMS
      const destination = page.locator('#who-destination');
      expect(await page.getByLabel('SMS code (restricted)').isChecked()).toBe(true);
      expect(await destination.textContent()).toMatch(/^SMS to \+1•+0003$/);
      expect(await page.locator('#who-name').textContent()).toBe('Chloé Martin');
      expect(await page.locator('#who-company').textContent()).toBe('Contoso Dental LLC');
      await page.getByLabel('Number match').check();
      expect(await destination.textContent()).toMatch(/^SMS to \+1•+0003, not the app$/);
      expect(await page.locator('#send').textContent()).toBe('SEND CODE');
      await page.getByLabel('Email code').check();
      expect(await destination.textContent()).toMatch(/^Email to C•+@contoso-dental\.example$/);
      expect(await page.locator('#say').textContent()).toContain('I’m emailing you a code now.');
      await page.close();
    });

    it('a long name and email wrap instead of scrolling the panel sideways', async () => {
      const email =
        'ridiculously.long.mailbox.name.for.layout.testing@northwind-traders-shared-services.example';
      const tables = h.services.autotask!.state.tables;
      tables.Contacts.push({
        id: 299,
        companyID: 101,
        firstName: 'Placeholder-Verylongfirstname',
        lastName: 'Testcase-Extraordinarilylonglastname',
        emailAddress: email,
        emailAddress2: null,
        emailAddress3: null,
        mobilePhone: '+15550100099',
        phone: null,
        isActive: 1,
      });
      tables.Tickets.push({
        id: 1099,
        ticketNumber: 'T20261124.0099',
        title: 'Layout check with a very long contact name and email address',
        companyID: 101,
        contactID: 299,
        status: 1,
        assignedResourceID: null,
      });
      h.services.directory.put({
        id: 'eu-long',
        tenantId: h.services.tenantId,
        email,
        displayName: 'Placeholder-Verylongfirstname Testcase-Extraordinarilylonglastname',
        mobilePhone: '+15550100099',
        customerId: 'cust-northwind',
        devices: [
          { id: 'dev-long', platform: 'android', pushAddress: 'demo', notificationPermission: 'granted' },
        ],
      });
      const page = await panel('1099');
      await page.locator('#who-name', { hasText: 'Extraordinarilylonglastname' }).waitFor();
      await inspect(page);
      await send(page);
      await page.locator('#match-number').waitFor();
      await inspect(page);
      await page.getByRole('button', { name: 'CANCEL' }).click();
      await outcome(page).waitFor();
      await inspect(page);
      await page.close();
    });

    it('reads the countdown out at 30 s, 10 s and the end only; the one on screen is hidden from screen readers', async () => {
      // A browser of its own: a fake clock is the whole context's. Demo mode signs it in as Sam on first visit.
      const context = await h.browser.newContext({ viewport: { width: 360, height: 900 } });
      const page = await context.newPage();
      page.setDefaultTimeout(WAIT);
      // The browser's timers under the test's control: a minute of countdown in no time, second by second.
      await page.clock.install({ time: new Date('2026-11-24T09:00:00Z') });
      await page.clock.pauseAt(new Date('2026-11-24T09:00:01Z'));
      await page.goto(`${h.base}/insight?ticketId=1004&embedded=1`);
      await page.getByLabel('Push', { exact: true }).check();
      await page.getByLabel('Send Verification Code').uncheck();
      await send(page);
      await page.locator('#countdown', { hasText: '1:00' }).waitFor();
      expect(await page.locator('.time-left').getAttribute('aria-hidden')).toBe('true');
      expect(await page.locator('#announce').getAttribute('aria-live')).toBe('polite');
      // Runs in the page: every text the live region is given, in order.
      await page.evaluate(`(() => {
        const region = document.getElementById('announce');
        globalThis.said = [];
        new MutationObserver(() => globalThis.said.push(region.textContent))
          .observe(region, { childList: true, characterData: true, subtree: true });
      })()`);
      const said = () => page.evaluate<string[]>('globalThis.said');
      // The app's clock and the browser's move together, as they do outside a test.
      const seconds = async (n: number) => {
        for (let i = 0; i < n; i++) {
          h.clock.advance(1_000);
          await page.clock.runFor(1_000);
        }
      };
      await seconds(29);
      expect(await page.locator('#countdown').textContent()).toBe('0:31');
      expect(await said()).toEqual([]);
      await seconds(1);
      expect(await said()).toEqual(['30 seconds left to answer.']);
      await seconds(20);
      expect(await said()).toEqual(['30 seconds left to answer.', '10 seconds left to answer.']);
      await seconds(9);
      // The last second on the browser's clock only, so the app's sweeper cannot close it first.
      await page.clock.runFor(1_000);
      await page.locator('#countdown', { hasText: '0:00' }).waitFor();
      expect(await said()).toEqual([
        '30 seconds left to answer.',
        '10 seconds left to answer.',
        'Time is up.',
      ]);
      await page.getByRole('button', { name: 'CANCEL' }).click();
      await outcome(page).waitFor();
      await context.close();
    });

    it('a malformed ticket id shows a page in the panel that says what to do', async () => {
      const page = await h.technician.newPage();
      await page.goto(`${h.base}/insight?ticketId=12ab&embedded=1`);
      await page.getByRole('heading', { name: 'This Insight link names no ticket' }).waitFor();
      expect(await page.locator('#problem').textContent()).toContain('“12ab” is not a ticket id');
      await shot(page, 'insight-problem-page');
      await inspect(page);
      await page.close();
    });
  });

  describe('keyboard only (Tab, Space, Enter)', () => {
    const press = (page: Page, key: string) => page.keyboard.press(key);

    it('SMS code: pick, SEND CODE, type the code, VERIFY, OK', async () => {
      const page = await panel('1002');
      await tabTo(page, 'SMS code (restricted)');
      await press(page, 'Space');
      await tabTo(page, 'SEND CODE');
      await press(page, 'Enter');
      await page.getByLabel('Code the caller reads back').waitFor();
      expect(await focused(page)).toBe('h2#step-h');
      const code = await codeFor(h, page, '+15550100002');
      await press(page, 'Tab');
      expect(await focused(page)).toBe('input#code');
      await page.keyboard.type(code);
      await press(page, 'Tab');
      expect(await focusedText(page)).toBe('VERIFY');
      await press(page, 'Enter');
      await expect(outcomeText(page)).resolves.toBe(VERIFIED);
      expect(await focused(page)).toBe('p.outcome');
      await press(page, 'Tab');
      expect(await focusedText(page)).toBe('OK');
      await press(page, 'Enter');
      await page.locator('#send-form').waitFor();
      expect(await focused(page)).toBe('h2#method-h');
      await page.close();
    });

    it('number match: pick, SEND VERIFICATION, the outcome gets focus, OK', async () => {
      const phone = await phoneOf('Ana Silva');
      const page = await panel('1001');
      expect(await tabTo(page, 'Number match')).toBe(1);
      await press(page, 'Space');
      await tabTo(page, 'SEND VERIFICATION');
      await press(page, 'Enter');
      const number = (await page.locator('#match-number').textContent())!;
      expect(await focused(page)).toBe('h2#step-h');
      await typeNumber(phone, number);
      await expect(outcomeText(page)).resolves.toBe(VERIFIED);
      expect(await focused(page)).toBe('p.outcome');
      await press(page, 'Tab');
      await press(page, 'Enter');
      await page.locator('#send-form').waitFor();
      await Promise.all([page.close(), phone.close()]);
    });

    it('take-over: the reason, TAKE OVER, and focus on the step', async () => {
      const sam = await panel('1002');
      await send(sam, 'SEND CODE');
      await sam.getByLabel('Code the caller reads back').waitFor();
      const jo = await staffContext(h, 'Jo Park');
      const joPage = await panel('1002', jo.context);
      await joPage.locator('#owner').waitFor();
      await tabTo(joPage, 'Why you are taking it over');
      await joPage.keyboard.type('Sam went home sick');
      await press(joPage, 'Tab');
      expect(await focusedText(joPage)).toBe('TAKE OVER');
      await press(joPage, 'Enter');
      await joPage.getByLabel('Code the caller reads back').waitFor();
      expect(await focused(joPage)).toBe('h2#step-h');
      await press(joPage, 'Tab');
      await joPage.keyboard.type(await codeFor(h, joPage, '+15550100002'));
      await press(joPage, 'Enter');
      await expect(outcomeText(joPage)).resolves.toBe(VERIFIED);
      await expect(outcomeText(sam)).resolves.toBe(VERIFIED);
      await Promise.all([sam.close(), jo.context.close()]);
    });
  });
});
