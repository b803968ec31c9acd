import type { Page } from 'playwright-core';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  axeViolations,
  endUserPage,
  type Harness,
  hasChromium,
  horizontalOverflow,
  shot,
  tabTo,
  useHarness,
} from './harness.js';

// The end-user's phone page (390 x 844) against a technician: the technician's browser context sends, cancels and
// checks through the app's technician API (what the Insight page calls), the phone answers in its own context. Each
// state the phone can show is scanned with axe and must fit 390 and 320 px without sideways scrolling.

/** Bounded waits: a poll is 1.5 s, so 10 s is several polls and still well inside the test's time. */
const WAIT = { timeout: 10_000 };
const MINUTE = 60_000;

const WRONG_NUMBER =
  'That number did not match the one your helpdesk read out. Nothing was approved; ask them to send a new request.';

interface Sent {
  id: string;
  expiresAt: number;
  matchNumber?: string;
}

/** The technician's side: the demo technician's own browser context, calling the API the Insight page calls. */
async function technicianApi(h: Harness) {
  const api = h.technician.request;
  // The demo signs a first visitor in as its technician; the Insight page carries the CSRF token for that sign-in.
  await api.get(`${h.base}/`);
  const insightHtml = await (await api.get(`${h.base}/insight?ticketId=1001`)).text();
  const csrf = /name="csrf-token" content="([^"]+)"/.exec(insightHtml)![1]!;
  // biome-ignore lint/suspicious/noExplicitAny: the test reads whatever the route answered
  const post = async (path: string, data?: unknown): Promise<any> => {
    const res = await api.post(`${h.base}${path}`, {
      headers: { 'x-csrf-token': csrf, origin: h.base },
      ...(data === undefined ? {} : { data }),
    });
    if (!res.ok()) throw new Error(`${path}: ${res.status()} ${await res.text()}`);
    return res.json();
  };
  return {
    /** Sends a request to the ticket's end-user, replacing the ticket's one in progress. */
    async send(ticketId: string, method: string): Promise<Sent> {
      const body = await post('/api/verifications', { ticketId, method, ifActive: 'supersede' });
      return {
        id: body.session.id,
        expiresAt: body.session.expiresAt,
        matchNumber: body.display.matchNumber,
      };
    },
    /** A technician check (reverse verification) for an end-user, with no ticket. */
    async reverse(endUserId: string): Promise<Sent> {
      const body = await post('/api/reverse', { endUserId });
      return {
        id: body.session.id,
        expiresAt: body.session.expiresAt,
        matchNumber: body.display.matchNumber,
      };
    },
    cancel: (id: string) => post(`/api/verifications/${id}/cancel`),
    check: (id: string, code: string) => post(`/api/verifications/${id}/check`, { code }),
  };
}

/** Records every sentence the polite live region says, from now on (the page sets it after clearing it). */
async function listen(page: Page) {
  await page.evaluate(`(() => {
    const node = document.getElementById('announcer');
    globalThis.announced = [];
    new MutationObserver(() => {
      if (node.textContent) globalThis.announced.push(node.textContent);
    }).observe(node, { childList: true, characterData: true, subtree: true });
  })()`);
}
const announced = (page: Page) => page.evaluate<string[]>('globalThis.announced');
/** Waits (bounded) until the live region has said `words`. */
const heard = (page: Page, words: string) =>
  expect
    .poll(async () => (await announced(page)).some((a) => a.includes(words)), { ...WAIT, interval: 100 })
    .toBe(true);
const nextPoll = (page: Page) =>
  page.waitForResponse((r) => r.url().endsWith('/api/self-serve/pending'), WAIT);
const focusedId = (page: Page) => page.evaluate<string>('document.activeElement?.id ?? ""');

/** No sideways scrolling at the phone's 390 px and at 320 px; axe finds nothing at either. */
async function fitsAndPasses(page: Page) {
  for (const width of [390, 320]) {
    await page.setViewportSize({ width, height: 844 });
    expect(await horizontalOverflow(page), `overflow at ${width} px`).toBe(0);
    expect(await axeViolations(page), `axe at ${width} px`).toEqual([]);
  }
  await page.setViewportSize({ width: 390, height: 844 });
}

describe.skipIf(!hasChromium)('the self-serve phone page in Chromium', () => {
  const h = useHarness();
  let tech: Awaited<ReturnType<typeof technicianApi>>;
  beforeAll(async () => {
    tech = await technicianApi(h);
  }, 60_000);
  // Each test starts in a fresh push window (5 pushes per end-user per 10 minutes), with every older request closed.
  beforeEach(() => {
    h.clock.advance(11 * MINUTE);
  });

  it('shows a new request live with its expiry, and announces it once', async () => {
    const phone = await endUserPage(h, 'Dev Patel', { notifications: 'denied' });
    await phone.getByText('Nothing waiting.').waitFor(WAIT);
    await listen(phone);
    const sent = await tech.send('1004', 'push');
    const request = phone.locator('.challenge');
    await request.waitFor(WAIT);
    expect(await request.locator('.who').textContent()).toBe(
      'Sam Rivera · ticket T20261124.0004 · Contoso Dental LLC',
    );
    expect(await request.locator('.countdown').textContent()).toMatch(/^Expires in (1:00|0:[0-5]\d)$/);
    // The clock time as well as the countdown: the moment it expires, in the phone's own time zone.
    const time = request.locator('.expires time');
    expect(await time.getAttribute('datetime')).toBe(new Date(sent.expiresAt).toISOString());
    expect(await time.textContent()).toMatch(/\d{1,2}:\d{2}/);
    const arrival = 'New request from your helpdesk: Sam Rivera is asking you to confirm it is you.';
    await heard(phone, arrival);
    await shot(phone, 'self-serve-request', { readme: true });
    await fitsAndPasses(phone);
    // Two more polls list the same request: it is not announced again.
    await nextPoll(phone);
    await nextPoll(phone);
    expect((await announced(phone)).filter((a) => a.includes(arrival))).toHaveLength(1);
    await phone.close();
  });

  it('a wrong number says plainly that it did not match, never just "Denied", and focus moves to it', async () => {
    const phone = await endUserPage(h, 'Ana Silva', { notifications: 'denied' });
    const sent = await tech.send('1001', 'number_match');
    const wrong = sent.matchNumber!.replace(/\d$/, (d) => String((Number(d) + 1) % 10));
    await phone.getByLabel('Number the technician reads to you').fill(wrong);
    await phone.getByRole('button', { name: 'Submit' }).click();
    const result = phone.locator('#answer [data-status="denied"]');
    await result.waitFor(WAIT);
    expect(await result.textContent()).toBe(WRONG_NUMBER);
    expect(await phone.locator('#answer').textContent()).not.toMatch(/denied/i);
    expect(await focusedId(phone)).toBe('answer');
    expect(await phone.locator('.challenge').count()).toBe(0);
    await shot(phone, 'self-serve-wrong-number', { readme: true });
    await fitsAndPasses(phone);
    await phone.close();
  });

  it('push + code: the code shows after Approve, and goes once the technician has checked it', async () => {
    const phone = await endUserPage(h, 'Ana Silva', { notifications: 'denied' });
    const sent = await tech.send('1001', 'push_code');
    await phone.locator('.challenge').getByRole('button', { name: 'Approve' }).click();
    const code = (await phone.locator('#device-code').textContent(WAIT))!;
    expect(code).toMatch(/^\d{6}$/);
    expect(await phone.locator('#answer').textContent()).toContain(
      'Read this code to Sam Rivera on the phone.',
    );
    expect(await focusedId(phone)).toBe('answer');
    await shot(phone, 'self-serve-push-code', { readme: true });
    await fitsAndPasses(phone);
    await listen(phone);
    expect((await tech.check(sent.id, code)).session.status).toBe('approved');
    await phone.locator('#device-code').waitFor({ state: 'detached', ...WAIT });
    const done = 'Sam Rivera checked your code: you are verified. Nothing more to do.';
    expect(await phone.locator('#answer').textContent()).toBe(done);
    await heard(phone, done);
    expect(await phone.content()).not.toContain(code);
    await shot(phone, 'self-serve-code-checked');
    await fitsAndPasses(phone);
    await phone.close();
  });

  it('push + code: a newer request takes the code off the screen, so it never stands next to it', async () => {
    const phone = await endUserPage(h, 'Ana Silva', { notifications: 'denied' });
    const first = await tech.send('1001', 'push_code');
    await phone.locator('.challenge').getByRole('button', { name: 'Approve' }).click();
    const code = (await phone.locator('#device-code').textContent(WAIT))!;
    const second = await tech.send('1001', 'push_code');
    await phone.locator(`.challenge[data-challenge="${second.id}"]`).waitFor(WAIT);
    expect(await phone.locator('#device-code').count()).toBe(0);
    expect(await phone.locator('.challenge').count()).toBe(1);
    expect(await phone.content()).not.toContain(code);
    expect(second.id).not.toBe(first.id);
    await shot(phone, 'self-serve-code-replaced');
    await fitsAndPasses(phone);
    await phone.close();
  });

  it('counts down on the app clock, warns at 30 s and 10 s, and takes an expired request away saying so', async () => {
    const phone = await endUserPage(h, 'Dev Patel', { notifications: 'denied' });
    await listen(phone);
    await tech.send('1004', 'push');
    const countdown = phone.locator('.challenge .countdown');
    await countdown.waitFor(WAIT);
    h.clock.advance(35_000);
    await heard(phone, 'The request from Sam Rivera expires in 30 seconds.');
    expect(await countdown.textContent()).toMatch(/^Expires in 0:(2\d|30)$/);
    h.clock.advance(17_000);
    await heard(phone, 'The request from Sam Rivera expires in 10 seconds.');
    await shot(phone, 'self-serve-expiring');
    h.clock.advance(10_000);
    const expired = 'The request from Sam Rivera expired before it was answered. Nothing was approved.';
    await heard(phone, expired);
    expect(await phone.locator('.challenge').count()).toBe(0);
    expect(await phone.locator('#answer').textContent()).toBe(expired);
    expect(await phone.getByText('Nothing waiting.').isVisible()).toBe(true);
    // Each threshold was said once, though the countdown kept running between polls.
    const said = await announced(phone);
    expect(said.filter((a) => a.includes('30 seconds'))).toHaveLength(1);
    expect(said.filter((a) => a.includes('10 seconds'))).toHaveLength(1);
    await shot(phone, 'self-serve-expired');
    await fitsAndPasses(phone);
    await phone.close();
  });

  it('says so when the technician cancels a request or replaces it with a newer one', async () => {
    const phone = await endUserPage(h, 'Dev Patel', { notifications: 'denied' });
    await listen(phone);
    const first = await tech.send('1004', 'push');
    await phone.locator('.challenge').waitFor(WAIT);
    await tech.cancel(first.id);
    const cancelled = 'Sam Rivera cancelled the request. Nothing was approved.';
    await phone.locator('#answer', { hasText: cancelled }).waitFor(WAIT);
    await heard(phone, cancelled);
    expect(await phone.locator('.challenge').count()).toBe(0);
    await shot(phone, 'self-serve-cancelled');
    await fitsAndPasses(phone);

    const older = await tech.send('1004', 'push');
    await phone.locator(`.challenge[data-challenge="${older.id}"]`).waitFor(WAIT);
    const newer = await tech.send('1004', 'push');
    await phone.locator(`.challenge[data-challenge="${newer.id}"]`).waitFor(WAIT);
    await phone
      .locator('#answer', { hasText: 'Sam Rivera replaced the request with a newer one.' })
      .waitFor(WAIT);
    expect(await phone.locator('.challenge').count()).toBe(1);
    await fitsAndPasses(phone);
    await phone.close();
  });

  it('signs out from the phone back to the sign-in page', async () => {
    const phone = await endUserPage(h, 'Ana Silva', { notifications: 'denied' });
    // Only the end-user's own links: the brand back to this page, and the sign-out.
    const links = await phone.evaluate<string[]>(
      '[...document.querySelectorAll("a[href]")].map((a) => a.getAttribute("href"))',
    );
    expect(links).toEqual(['/self-serve']);
    await phone.getByRole('button', { name: 'Sign out' }).click();
    await phone.getByRole('heading', { name: 'Self-serve sign-in' }).waitFor(WAIT);
    const status = await phone.evaluate<number>(`fetch('/api/self-serve/pending').then((r) => r.status)`);
    expect(status).toBe(401);
    await shot(phone, 'self-serve-signed-out');
    await fitsAndPasses(phone);
    await phone.close();
  });

  it('answers by keyboard alone: Tab to Approve and Enter; Tab to the number, type it and Enter', async () => {
    const dev = await endUserPage(h, 'Dev Patel', { notifications: 'denied' });
    await tech.send('1004', 'push');
    await dev.locator('.challenge').waitFor(WAIT);
    await tabTo(dev, 'Approve');
    await dev.keyboard.press('Enter');
    await dev.locator('#answer [data-status="approved"]').waitFor(WAIT);
    expect(await dev.locator('#answer').textContent()).toBe(
      'Approved. Tell Sam Rivera you have approved it: your helpdesk sees it on their screen now.',
    );
    expect(await focusedId(dev)).toBe('answer');
    await shot(dev, 'self-serve-approved');
    await fitsAndPasses(dev);
    await dev.close();

    const ana = await endUserPage(h, 'Ana Silva', { notifications: 'denied' });
    const sent = await tech.send('1001', 'number_match');
    await ana.locator('.challenge').waitFor(WAIT);
    await tabTo(ana, 'Number the technician reads to you');
    await ana.keyboard.type(sent.matchNumber!);
    await ana.keyboard.press('Enter');
    await ana.locator('#answer [data-status="approved"]').waitFor(WAIT);
    expect(await focusedId(ana)).toBe('answer');
    await ana.close();
  });

  it('gives Approve, Deny, the number, Submit, Sign out and Allow notifications 44 px at 390 and 320 px; Deny says what it did', async () => {
    const phone = await endUserPage(h, 'Dev Patel', { notifications: 'default' });
    await tech.send('1004', 'push');
    await tech.reverse('eu-dev');
    await phone.locator('.challenge[data-purpose="reverse"]').waitFor(WAIT);
    await phone.locator('.challenge[data-method="push"]').waitFor(WAIT);
    const targets = [
      phone.getByRole('button', { name: 'Approve' }),
      phone.getByRole('button', { name: 'Deny' }),
      phone.getByLabel('Number the technician reads to you'),
      phone.getByRole('button', { name: 'Submit' }),
      phone.getByRole('button', { name: 'I do not trust this call' }),
      phone.getByRole('button', { name: 'Sign out' }),
      phone.getByRole('button', { name: 'Allow notifications' }),
    ];
    for (const width of [390, 320]) {
      await phone.setViewportSize({ width, height: 844 });
      for (const target of targets) {
        const box = (await target.boundingBox())!;
        expect(box.height, `${target} at ${width} px`).toBeGreaterThanOrEqual(44);
        expect(box.width, `${target} at ${width} px`).toBeGreaterThanOrEqual(44);
      }
    }
    await shot(phone, 'self-serve-two-requests-320');
    await fitsAndPasses(phone);
    // Deny on the push: focus moves to what it did, and the technician check stays to be answered.
    await phone.getByRole('button', { name: 'Deny' }).click();
    await phone.locator('#answer [data-status="denied"]').waitFor(WAIT);
    expect(await phone.locator('#answer').textContent()).toBe(
      'You denied the request. Nothing was approved. If you did not ask your helpdesk for help, tell your IT team.',
    );
    expect(await focusedId(phone)).toBe('answer');
    expect(await phone.locator('.challenge').count()).toBe(1);
    await shot(phone, 'self-serve-denied');
    await fitsAndPasses(phone);
    await phone.close();
  });

  it('explains each notification state in plain words, with Allow only where the browser can still ask', async () => {
    const devDenied = await endUserPage(h, 'Dev Patel', { notifications: 'denied' });
    const deniedText = devDenied.locator('#device-status [data-state="denied"]');
    expect(await deniedText.isVisible()).toBe(true);
    // Dev has no mobile phone on file: nothing about a text message.
    expect(await devDenied.locator('#device-status').textContent()).not.toMatch(/\btext/i);
    expect(await deniedText.textContent()).toContain('Keep this page open while you are on the phone');
    expect(await devDenied.getByRole('button', { name: 'Allow notifications' }).count()).toBe(0);
    await shot(devDenied, 'self-serve-notifications-blocked');
    await fitsAndPasses(devDenied);
    await devDenied.close();

    const anaDenied = await endUserPage(h, 'Ana Silva', { notifications: 'denied' });
    expect(await anaDenied.locator('#device-status [data-state="denied"]').textContent()).toContain(
      'Your helpdesk can text a code to your mobile phone instead.',
    );
    await anaDenied.close();

    const asking = await endUserPage(h, 'Dev Patel', { notifications: 'default' });
    expect(await asking.locator('#device-status [data-state="default"]').isVisible()).toBe(true);
    expect(await asking.getByRole('button', { name: 'Allow notifications' }).isVisible()).toBe(true);
    await fitsAndPasses(asking);
    await asking.close();

    const allowed = await endUserPage(h, 'Ana Silva');
    await allowed.context().grantPermissions(['notifications'], { origin: h.base });
    await allowed.reload();
    await allowed.locator('#device-status[data-permission="granted"]').waitFor(WAIT);
    expect(await allowed.locator('#device-status [data-state="granted"]').isVisible()).toBe(true);
    expect(await allowed.getByRole('button', { name: 'Allow notifications' }).count()).toBe(0);
    await fitsAndPasses(allowed);
    await allowed.close();
  });
});
