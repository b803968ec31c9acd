import { FAKE_RESOURCES } from '@qdesk/autotask-adapter/testing';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium } from './harness.js';
import { type RealHarness, startRealHarness } from './real-harness.js';

// Real mode in Chromium: the MSP's technicians and a customer's end-users sign in at a real OpenID Connect provider;
// the Insight runs inside a ticket page of another site, signed out at first, as Autotask shows it.

const VERIFIED = 'User Identity Successfully Verified';

/** The test identity provider's pages: sign in by email, then Allow or Deny. */
async function atIdentityProvider(page: Page, email: string, decision: 'Allow' | 'Deny' = 'Allow') {
  await page.locator('#login input[name="login"]').fill(email);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: decision }).click();
}

describe.skipIf(!hasChromium)(
  'real mode: single sign-on, the Insight in a ticket frame, an enrolled phone',
  () => {
    let h: RealHarness;
    let phone: Page;
    const contexts: BrowserContext[] = [];
    const newContext = async (options: Parameters<RealHarness['browser']['newContext']>[0] = {}) => {
      const context = await h.browser.newContext({ ignoreHTTPSErrors: true, ...options });
      contexts.push(context);
      return context;
    };
    beforeAll(async () => {
      h = await startRealHarness();
    }, 90_000);
    afterAll(async () => {
      for (const context of contexts) await context.close().catch(() => undefined);
      await h?.close();
    });

    it("an end-user signs in with their company's account and this phone is enrolled, audited", async () => {
      const context = await newContext({ viewport: { width: 390, height: 844 } });
      await context.grantPermissions(['notifications'], { origin: h.base });
      phone = await context.newPage();
      await phone.goto(`${h.base}/self-serve`);
      await phone.getByRole('link', { name: 'Sign in with Northwind' }).click();
      await atIdentityProvider(phone, 'ana.silva@northwind.example');
      await phone.getByRole('heading', { name: 'Hi Ana Silva' }).waitFor();
      await phone.locator('#device-status[data-permission="granted"]').waitFor();
      const ana = await h.services.directory.getById(h.services.tenantId, 'u-ana');
      expect(ana?.devices).toHaveLength(1);
      expect(ana?.devices[0]).toMatchObject({ platform: 'web', notificationPermission: 'granted' });
      const trail = await h.services.audit.query!(h.services.tenantId, { endUserId: 'u-ana' });
      expect(trail.map((r) => r.action)).toContain('end_user_signed_in');
    });

    it('signed out in the ticket frame, signs in through a pop-up, verifies by number match, and the note is the technician’s', async () => {
      const context = await newContext({ viewport: { width: 1000, height: 900 } });
      const ticket = await context.newPage();
      await ticket.goto(h.framerUrl('1001'));
      const frame = ticket.frameLocator('#insight');
      const signIn = frame.getByRole('button', { name: 'Sign in with MSP Login' });
      await signIn.waitFor();
      const [popup] = await Promise.all([ticket.waitForEvent('popup'), signIn.click()]);
      await atIdentityProvider(popup, 'sam.rivera@qdesk-msp.example');
      // The frame picks the pop-up's sign-in up by itself and shows the ticket's Insight.
      await frame.getByText('Ana Silva').first().waitFor({ timeout: 20_000 });
      await frame.getByLabel('Number match').check();
      await frame.getByRole('button', { name: 'SEND VERIFICATION', exact: true }).click();
      const number = (await frame.locator('#match-number').textContent())!;
      expect(number).toMatch(/^\d{2,}$/);
      await phone.getByLabel('Number the technician reads to you').fill(number);
      await phone.getByRole('button', { name: 'Submit' }).click();
      await expect.poll(() => frame.locator('.outcome').textContent(), { timeout: 15_000 }).toBe(VERIFIED);
      // The push went to the enrolled phone (display text only), and the outcome is on the ticket.
      expect(h.push.messages().at(-1)?.message).toMatchObject({
        route: 'push',
        display: { technicianName: 'Sam Rivera' },
      });
      const note = h.fake.state.notes('1001').at(-1)!;
      expect(note.title).toContain(VERIFIED);
      expect(note.text).toContain('Sam Rivera');
      // Autotask shows it as written by Sam's own resource (found by the email Sam signed in with), not the API user.
      expect(h.fake.state.noteAuthor(note.id)).toMatchObject({ creatorResourceId: FAKE_RESOURCES.samRivera });
    });

    /** A technician's top-level sign-in, up to the page the app shows after the identity provider. */
    async function technicianSignIn(email: string, decision: 'Allow' | 'Deny' = 'Allow') {
      const context = await newContext();
      const page = await context.newPage();
      await page.goto(`${h.base}/login`);
      await page.getByRole('link', { name: 'Sign in with MSP Login' }).click();
      await atIdentityProvider(page, email, decision);
      await page.waitForURL((url) => url.origin === h.base && url.pathname !== '/login');
      return { context, page };
    }
    const failureShown = (page: Page) => page.locator('[data-failure]').getAttribute('data-failure');
    const signedIn = async (context: BrowserContext) =>
      (await context.cookies(h.base)).some((c) => c.name === '__Host-qd_tech' || c.name === '__Host-qd_eu');

    it('a denied consent ends on a page that says so, signed out', async () => {
      const { context, page } = await technicianSignIn('jo.park@qdesk-msp.example', 'Deny');
      expect(await failureShown(page)).toBe('denied');
      expect(await signedIn(context)).toBe(false);
    });

    for (const [what, mutate] of [
      ['a wrong audience', (claims: Record<string, unknown>) => ({ ...claims, aud: 'someone-else' })],
      [
        'an expiry in the past',
        (claims: Record<string, unknown>) => ({ ...claims, exp: Math.floor(Date.now() / 1000) - 3600 }),
      ],
    ] as const) {
      it(`an ID token with ${what} is refused, signed out`, async () => {
        h.idp.tamperNextIdToken(mutate);
        const { context, page } = await technicianSignIn('jo.park@qdesk-msp.example');
        expect(await failureShown(page)).toBe('rejected');
        expect(await signedIn(context)).toBe(false);
      });
    }

    it('a replayed callback (its state and flow cookie captured) signs nobody in', async () => {
      const context = await newContext();
      const page = await context.newPage();
      await page.goto(`${h.base}/login`);
      let callback = '';
      page.on('request', (request) => {
        if (request.url().startsWith(`${h.base}/auth/callback`)) callback = request.url();
      });
      await page.getByRole('link', { name: 'Sign in with MSP Login' }).click();
      await page.locator('#login input[name="login"]').waitFor();
      const flow = (await context.cookies(h.base)).find((c) => c.name === '__Host-qd_flow')!;
      expect(flow).toBeDefined();
      await atIdentityProvider(page, 'jo.park@qdesk-msp.example');
      await page.waitForURL(`${h.base}/`);
      expect(await signedIn(context)).toBe(true);
      // Someone holding both the callback URL and the flow cookie tries them in a browser of their own.
      const attacker = await newContext();
      await attacker.addCookies([flow]);
      const replay = await attacker.newPage();
      await replay.goto(callback);
      expect(await failureShown(replay)).toBe('replayed');
      expect(await signedIn(attacker)).toBe(false);
    });

    it("refuses an end-user the provider vouches for but the customer's directory does not hold, every time", async () => {
      const context = await newContext();
      const page = await context.newPage();
      await page.goto(`${h.base}/self-serve`);
      await page.getByRole('link', { name: 'Sign in with Northwind' }).click();
      await atIdentityProvider(page, 'eva.schmidt@fabrikam.example');
      expect(await failureShown(page)).toBe('no_account');
      await page.goto(`${h.base}/self-serve`);
      await page.getByRole('link', { name: 'Sign in with Northwind' }).click();
      // The provider remembers Eva and answers at once: refused again.
      await page.waitForURL((url) => url.origin === h.base);
      expect(await failureShown(page)).toBe('no_account');
      expect(await signedIn(context)).toBe(false);
    });

    it('an end-user who denies consent is not signed in', async () => {
      const context = await newContext();
      const page = await context.newPage();
      await page.goto(`${h.base}/self-serve`);
      await page.getByRole('link', { name: 'Sign in with Northwind' }).click();
      await atIdentityProvider(page, 'ben.okafor@northwind.example', 'Deny');
      expect(await failureShown(page)).toBe('denied');
      expect(await signedIn(context)).toBe(false);
    });
  },
);
