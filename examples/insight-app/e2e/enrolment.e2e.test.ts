import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axeViolations, CHROMIUM, hasChromium, horizontalOverflow, shot, useHarness } from './harness.js';

// An end-user with no sign-in yet, on their phone (390 x 844): they ask for a sign-in link, the link arrives by SMS
// (the demo's outbox page, read in the technician's browser), they open it, confirm, and land signed in on the
// self-serve page, where their devices are listed and can be removed. The page is also an installable app: Chromium's
// own installability check (DevTools protocol) must find nothing missing.

const WAIT = { timeout: 10_000 };
const EVA = { name: 'Eva Schmidt', email: 'eva.schmidt@fabrikam.example', phone: '+15550100005' };

/** No sideways scrolling at 390 and 320 px, and nothing axe-core objects to. */
async function fitsAndPasses(page: Page) {
  for (const width of [390, 320]) {
    await page.setViewportSize({ width, height: 844 });
    expect(await horizontalOverflow(page), `overflow at ${width} px`).toBe(0);
    expect(await axeViolations(page), `axe at ${width} px`).toEqual([]);
  }
  await page.setViewportSize({ width: 390, height: 844 });
}

describe.skipIf(!hasChromium)(
  'signing in with a link, and the devices on the self-serve page, in Chromium',
  () => {
    const h = useHarness();

    /** The newest sign-in link the outbox page shows for `phone`, read as the technician's browser sees that page. */
    async function linkFromOutbox(phone: string): Promise<string> {
      const outbox = await h.technician.newPage();
      await outbox.goto(`${h.base}/`); // the demo signs a first visitor in as its technician
      let link: string | undefined;
      // The link is sent just after the form's answer: the outbox page is read again until it shows (bounded).
      await expect
        .poll(
          async () => {
            await outbox.goto(`${h.base}/outbox`);
            const text = (await outbox.locator('.outbox li', { hasText: phone }).first().textContent()) ?? '';
            link = /http:\/\/127\.0\.0\.1:\d+\/self-serve\/enrol\/[\w.-]+/.exec(text)?.[0];
            return link;
          },
          { ...WAIT, interval: 200 },
        )
        .toBeDefined();
      await outbox.close();
      return link!;
    }

    it('asks for a link, opens it from the outbox, confirms, lands signed in, lists and removes devices', async () => {
      const context = await h.browser.newContext({ viewport: { width: 390, height: 844 } });
      const phone = await context.newPage();

      // Signed out: the page offers a sign-in link.
      await phone.goto(`${h.base}/self-serve`);
      await phone.getByRole('link', { name: 'get a sign-in link' }).click();
      await phone.getByRole('heading', { name: 'Get a sign-in link' }).waitFor(WAIT);
      await fitsAndPasses(phone);
      await shot(phone, 'self-serve-enrol-form');

      // A mistyped address says what to fix, next to the field.
      await phone.getByLabel('Work email address').fill('eva.schmidt');
      await phone.getByRole('button', { name: 'Send me a link' }).click();
      await phone.getByRole('alert').filter({ hasText: 'Type your work email address' }).waitFor(WAIT);
      expect(await phone.getByLabel('Work email address').getAttribute('aria-invalid')).toBe('true');
      await fitsAndPasses(phone);

      await phone.getByLabel('Work email address').fill(EVA.email);
      await phone.getByRole('button', { name: 'Send me a link' }).click();
      await phone.getByRole('heading', { name: 'Check your phone or email' }).waitFor(WAIT);
      expect(await phone.getByRole('status').first().textContent()).toBe(
        'If this address is on file, a sign-in link is on its way to the phone or email your company holds.',
      );
      await fitsAndPasses(phone);

      // The SMS to the phone on file carries the link; opening it shows a button and signs nobody in yet.
      const link = await linkFromOutbox(EVA.phone);
      await phone.goto(link);
      await phone.getByRole('heading', { name: 'Sign in to your self-serve page' }).waitFor(WAIT);
      expect((await context.cookies()).filter((c) => c.name === 'qd_eu')).toEqual([]);
      await fitsAndPasses(phone);
      await shot(phone, 'self-serve-enrol-confirm');
      await phone.getByRole('button', { name: 'Sign in on this browser' }).click();
      await phone.getByRole('heading', { name: `Hi ${EVA.name}` }).waitFor(WAIT);
      expect(new URL(phone.url()).pathname).toBe('/self-serve');

      // This browser registered itself on load: it is listed first, marked, and its enrolment was announced.
      const thisDevice = phone.locator('#devices li').first();
      await thisDevice.waitFor(WAIT);
      expect(await thisDevice.locator('.about p').first().textContent()).toBe(
        'Chrome on Linux (this device)',
      );
      const notices = h.services
        .outbox!.sms.messages()
        .filter(
          ({ message: m }) =>
            m.route === 'sms' &&
            m.to === EVA.phone &&
            'kind' in m.context &&
            m.context.kind === 'device_enrolled',
        );
      expect(notices).toHaveLength(1);

      // Another device of Eva's (an app enrolled earlier): removed without a question, focus back on the list.
      await h.services.directory.upsertDevice!(h.services.tenantId, 'eu-eva', {
        id: 'dev-eva-old',
        platform: 'android',
        pushAddress: 'demo-fcm-token-eva-old',
        notificationPermission: 'granted',
        lastSeenAt: h.clock.now() - 86_400_000,
        label: 'Work Android phone',
      });
      await phone.reload();
      const removeOld = phone.getByRole('button', { name: 'Remove Work Android phone', exact: true });
      await removeOld.waitFor(WAIT);
      expect(await phone.locator('#devices li').count()).toBe(2);
      await fitsAndPasses(phone);
      await shot(phone, 'self-serve-devices', { readme: true });
      await removeOld.click();
      await phone.getByText('Work Android phone was removed.').waitFor({ state: 'attached', ...WAIT });
      expect(await phone.locator('#devices li').count()).toBe(1);
      expect(await phone.evaluate<string>('document.activeElement?.id ?? ""')).toBe('devices-h');

      // This very device: asked first; keeping it keeps it.
      const removeThis = phone.getByRole('button', { name: 'Remove Chrome on Linux (this device)' });
      phone.once('dialog', (dialog) => dialog.dismiss());
      await removeThis.click();
      expect(await phone.locator('#devices li').count()).toBe(1);
      // Confirmed: removed, and this browser is signed out.
      const asked = new Promise<string>((resolve) =>
        phone.once('dialog', (dialog) => {
          resolve(dialog.message());
          void dialog.accept();
        }),
      );
      await removeThis.click();
      expect(await asked).toContain('Remove this device?');
      await phone.getByRole('heading', { name: 'Self-serve sign-in' }).waitFor(WAIT);
      expect((await h.services.directory.getById(h.services.tenantId, 'eu-eva'))!.devices).toEqual([]);
      const removed = (
        await h.services.audit.query(h.services.tenantId, {
          endUserId: 'eu-eva',
          actions: ['device_removed'],
        })
      )
        .map((r) => r.detail?.label)
        .sort();
      expect(removed).toEqual(['Chrome on Linux', 'Work Android phone']);
      await context.close();
    });

    it('is an installable app: Chromium finds the manifest, its icons and the service worker, and nothing missing', async () => {
      // Chromium never offers to install from an incognito profile, which every new browser context is: this check
      // runs in a browser with a profile of its own.
      const profile = mkdtempSync(join(tmpdir(), 'qdesk-install-'));
      const context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        viewport: { width: 390, height: 844 },
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-sync'],
      });
      try {
        const phone = context.pages()[0] ?? (await context.newPage());
        await phone.goto(`${h.base}/self-serve`);
        await phone.getByLabel('Dev Patel').check();
        await phone.getByRole('button', { name: 'Sign in' }).click();
        await phone.getByRole('heading', { name: 'Hi Dev Patel' }).waitFor(WAIT);
        await phone.evaluate('navigator.serviceWorker.ready.then(() => true)');
        const cdp = await context.newCDPSession(phone);
        const manifest = (await cdp.send('Page.getAppManifest')) as { url: string; errors: unknown[] };
        expect(manifest.url).toBe(`${h.base}/manifest.webmanifest`);
        expect(manifest.errors).toEqual([]);
        const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as {
          installabilityErrors: { errorId: string }[];
        };
        expect(installabilityErrors).toEqual([]);
      } finally {
        await context.close();
        rmSync(profile, { recursive: true, force: true });
      }
    });

    it('lets the technician send a sign-in link from the Insight, saying where it went and never showing it', async () => {
      const page = await h.technician.newPage();
      await page.goto(`${h.base}/insight?ticketId=1002`);
      await page.getByRole('button', { name: 'SIGN-IN LINK FOR THEIR PHONE' }).click();
      await expect
        .poll(() => page.locator('#enrol-status').textContent(), WAIT)
        .toBe('Sign-in link sent by SMS to the phone on file. It works once, for 15 minutes.');
      expect(await page.content()).not.toContain('/self-serve/enrol/');
      expect(await linkFromOutbox('+15550100002')).toMatch(/\/self-serve\/enrol\//);
      expect(await axeViolations(page)).toEqual([]);
      await page.close();
    });
  },
);
