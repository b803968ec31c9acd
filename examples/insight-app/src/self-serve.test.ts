import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ICON_SIZES, iconFile, renderIcon, scanlines } from '../dev/icons.js';
import { deviceLabelOf } from './self-serve-api.js';
import { APP_ICON_SIZES, selfServeSignedOut } from './self-serve-page.js';
import {
  auditTrail,
  type Browser,
  json,
  ORIGIN,
  startTestApp,
  type TestApp,
} from './test-app.test-helpers.js';

// The end-user's self-serve page and API over HTTP: its header, its sign-out, what it says about notifications, how
// a closed request reads to the end-user whose request it was, their devices (listed, removed, a new one announced),
// and what makes the page an installable app.

let t: TestApp;
let sam: Browser;
beforeAll(async () => {
  t = await startTestApp();
  sam = await t.staff('tech-demo');
});
afterAll(() => t.close());

const page = async (as: Browser | null) => (await t.request('/self-serve', { as })).text();
const hrefsOf = (html: string) => [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
const signOut = (headers: Record<string, string>) =>
  t.app.request(`${ORIGIN}/self-serve/sign-out`, { method: 'POST', headers });

/** Sam sends a request to the ticket's end-user, replacing any before it; returns its id and what Sam's screen shows. */
async function send(ticketId: string, method: string) {
  const res = await t.request('/api/verifications', {
    method: 'POST',
    json: { ticketId, method, ifActive: 'supersede' },
    as: sam,
  });
  expect(res.status).toBe(201);
  const body = await json(res);
  return { id: body.session.id as string, display: body.display as { matchNumber?: string } };
}

async function pendingFor(as: Browser) {
  const res = await t.request('/api/self-serve/pending', { as });
  expect(res.status).toBe(200);
  return (await json(res)) as {
    now: number;
    challenges: { challengeId: string; token: string; expiresAt: number }[];
  };
}

async function tokenFor(as: Browser, id: string) {
  const challenge = (await pendingFor(as)).challenges.find((c) => c.challengeId === id);
  expect(challenge, `request ${id} is listed`).toBeDefined();
  return challenge!.token;
}

const answer = async (as: Browser, body: Record<string, string>) =>
  json(await t.request('/api/self-serve/answer', { method: 'POST', json: body, as }));

describe('self-serve sign-out', () => {
  it('clears the end-user cookie only, and leads back to the sign-in page', async () => {
    const ana = await t.endUser('eu-ana');
    const res = await signOut({
      origin: ORIGIN,
      'content-type': 'application/x-www-form-urlencoded',
      cookie: `${ana.cookie}; ${sam.cookie}`,
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/self-serve');
    const cleared = res.headers.getSetCookie();
    expect(cleared).toHaveLength(1);
    expect(cleared[0]).toMatch(/^qd_eu=;.*Max-Age=0/);
    // What the browser keeps after that response: no end-user cookie, so the sign-in page again.
    const after = await page({ cookie: sam.cookie, csrf: '' });
    expect(after).toContain('Self-serve sign-in');
    expect(after).not.toContain('/self-serve/sign-out');
    expect((await t.request('/api/self-serve/pending', { headers: { cookie: 'qd_eu=' } })).status).toBe(401);
    // The technician signed in beside it still is.
    expect((await t.request('/insight?ticketId=1001', { as: sam })).status).toBe(200);
  });

  it('ends the sign-in on the server: the old cookie, kept or copied, no longer signs anyone in', async () => {
    const ana = await t.endUser('eu-ana');
    expect((await t.request('/api/self-serve/pending', { as: ana })).status).toBe(200);
    await signOut({
      origin: ORIGIN,
      'content-type': 'application/x-www-form-urlencoded',
      cookie: ana.cookie,
    });
    expect((await t.request('/api/self-serve/pending', { as: ana })).status).toBe(401);
    const jo = await t.staff('tech-jo');
    const out = await t.request('/sign-out', {
      method: 'POST',
      as: jo,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(out.status).toBe(303);
    expect((await t.request('/api/verifications/vs_any', { as: jo })).status).toBe(401);
  });

  it('refuses a sign-out that does not come from this origin, with a form body or none', async () => {
    const ana = await t.endUser('eu-ana');
    const crossSite: Record<string, string>[] = [
      { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
      { origin: 'https://evil.example' },
      { origin: 'null', 'content-type': 'text/plain' },
      { 'sec-fetch-site': 'cross-site' },
      {},
    ];
    for (const headers of crossSite) {
      const res = await signOut({ ...headers, cookie: ana.cookie });
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(res.headers.getSetCookie(), JSON.stringify(headers)).toEqual([]);
    }
    // Chrome sends `Origin: null` from a page with `Referrer-Policy: no-referrer`; Sec-Fetch-Site still says same-origin.
    const fromPage = {
      origin: 'null',
      'sec-fetch-site': 'same-origin',
      'content-type': 'application/x-www-form-urlencoded',
    };
    expect((await signOut({ ...fromPage, cookie: ana.cookie })).status).toBe(303);
  });
});

describe('the phone page', () => {
  it('links to nothing but the self-serve page: no history, admin or outbox, and no staff sign-out', async () => {
    const ana = await t.endUser('eu-ana');
    for (const html of [await page(ana), await page(null)]) {
      const allowed = [
        '/self-serve',
        '/self-serve/enrol',
        '/manifest.webmanifest',
        '/static/app.css',
        '/static/self-serve.css',
      ];
      expect(
        hrefsOf(html).every((h) => allowed.includes(h!)),
        hrefsOf(html).join(' '),
      ).toBe(true);
      expect(html).toContain('<link rel="manifest" href="/manifest.webmanifest" />');
      expect(html).not.toMatch(/\/(history|admin|outbox)\b/);
      expect(html).not.toContain('action="/sign-out"');
    }
    expect(await page(ana)).toContain('<form method="post" action="/self-serve/sign-out"');
  });

  it("signed out, offers each customer's identity provider and a sign-in link, names escaped", async () => {
    const html = String(
      await selfServeSignedOut([
        { customerId: 'cust-northwind', name: 'Northwind' },
        { customerId: 'cust x&y', name: '<b>Fabrikam</b>' },
      ]),
    );
    expect(html).toContain(
      '<a href="/self-serve/auth/start?customer=cust-northwind">Sign in with Northwind</a>',
    );
    expect(html).toContain(
      'href="/self-serve/auth/start?customer=cust%20x%26y">Sign in with &lt;b&gt;Fabrikam',
    );
    expect(html).toContain('<a href="/self-serve/enrol">Get a sign-in link</a>');
    expect(String(await selfServeSignedOut())).not.toContain('/self-serve/auth/start');
  });

  it('never tells an end-user with no phone on file that the helpdesk will text them', async () => {
    const dev = await page(await t.endUser('eu-dev'));
    const ana = await page(await t.endUser('eu-ana'));
    expect(dev).toContain('Hi Dev Patel');
    // Every notification state's sentence is on the page; not one of Dev's mentions a text message.
    for (const state of ['granted', 'default', 'denied', 'unsupported', 'unregistered'])
      expect(dev).toContain(`data-state="${state}"`);
    expect(dev).not.toMatch(/\btext(s|ed)?\b/i);
    expect(dev).toContain('Keep this page open while you are on the phone with your helpdesk.');
    expect(ana).toContain('Your helpdesk can text a code to your mobile phone instead.');
    // Whether a phone is on file is all the page knows: never the number.
    for (const html of [dev, ana]) expect(html).not.toMatch(/\+1555|0100001/);
    // The wording lives in the page, where the phone on file is known; the script must not bring back its own.
    const script = await (await t.request('/static/self-serve.js')).text();
    expect(script).not.toMatch(/\btext (you|a code)|will text/i);
  });
});

describe('what a closed request reads as, to its own end-user only', () => {
  it('lists requests with the server clock, so the phone counts down in server time', async () => {
    const dev = await t.endUser('eu-dev');
    const { id } = await send('1004', 'push');
    const pending = await pendingFor(dev);
    expect(pending.now).toBe(t.clock.now());
    expect(pending.challenges.find((c) => c.challengeId === id)?.expiresAt).toBe(t.clock.now() + 60_000);
  });

  it('says cancelled, replaced by a newer one, or expired; answers 404 alike for an unknown id and another end-user', async () => {
    const dev = await t.endUser('eu-dev');
    const ana = await t.endUser('eu-ana');
    const state = async (id: string, as: Browser | null = dev) =>
      t.request(`/api/self-serve/requests/${id}`, { as });

    const first = await send('1004', 'push');
    const second = await send('1004', 'push');
    expect(await json(await state(first.id))).toEqual({
      challengeId: first.id,
      status: 'cancelled',
      reason: 'superseded',
    });
    expect(await json(await state(second.id))).toMatchObject({ status: 'awaiting_push', reason: null });
    const cancel = await t.request(`/api/verifications/${second.id}/cancel`, { method: 'POST', as: sam });
    expect(cancel.status).toBe(200);
    expect(await json(await state(second.id))).toMatchObject({ status: 'cancelled', reason: 'cancelled' });

    const third = await send('1004', 'push');
    t.clock.advance(60_000);
    expect(await json(await state(third.id))).toMatchObject({ status: 'expired', reason: 'expired' });

    const notYours = await state(third.id, ana);
    const unknown = await state('vs_doesnotexist', ana);
    expect(notYours.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(await json(notYours)).toEqual(await json(unknown));
    expect((await state(third.id, null)).status).toBe(401);
    expect((await state('%3Cx%3E')).status).toBe(400);
  });

  it('answers a wrong number as wrong_number, a tap on Deny as end_user_denied, push + code with its code', async () => {
    const ana = await t.endUser('eu-ana');
    const match = await send('1001', 'number_match');
    const typed = match.display.matchNumber!.replace(/\d$/, (d) => String((Number(d) + 1) % 10));
    const token = await tokenFor(ana, match.id);
    expect(await answer(ana, { sessionId: match.id, token, answer: 'number', number: typed })).toEqual({
      status: 'denied',
      reason: 'wrong_number',
    });

    const push = await send('1001', 'number_match');
    const denied = await answer(ana, {
      sessionId: push.id,
      token: await tokenFor(ana, push.id),
      answer: 'deny',
    });
    expect(denied).toEqual({ status: 'denied', reason: 'end_user_denied' });

    const code = await send('1001', 'push_code');
    const approved = await answer(ana, {
      sessionId: code.id,
      token: await tokenFor(ana, code.id),
      answer: 'approve',
    });
    expect(approved).toEqual({
      status: 'awaiting_code',
      code: expect.stringMatching(/^\d{6}$/),
      reason: null,
    });
  });
});

describe('hostile input on the self-serve routes', () => {
  it('never answers 500 to garbage on the request-state and sign-out routes', async () => {
    const dev = await t.endUser('eu-dev');
    for (const id of ['x'.repeat(500), '..%2F..%2Fetc', '%00', 'vs_%22%3E%3Cscript%3E'])
      expect((await t.request(`/api/self-serve/requests/${id}`, { as: dev })).status, id).toBeLessThan(500);
    for (const body of ['', '{', 'endUserId=eu-ana', 'x'.repeat(60_000), 'x'.repeat(100_000)]) {
      const res = await t.request('/self-serve/sign-out', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: dev.cookie },
        body,
      });
      // Anything is a sign-out, but a body past the app's cap is refused before it is read.
      expect(res.status, `${body.length} bytes`).toBe(body.length > 64 * 1024 ? 413 : 303);
    }
  });
});

const UA = {
  chromeAndroid:
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
  safariIphone:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  chromeIphone:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1',
  firefoxWindows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0',
  edgeWindows:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.70',
  samsung:
    'Mozilla/5.0 (Linux; Android 14; SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36',
  safariMac:
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  headless:
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36',
};

describe('device labels', () => {
  it('names the browser and the system, without versions', () => {
    expect(deviceLabelOf(UA.chromeAndroid)).toBe('Chrome on Android');
    expect(deviceLabelOf(UA.safariIphone)).toBe('Safari on iPhone');
    expect(deviceLabelOf(UA.chromeIphone)).toBe('Chrome on iPhone');
    expect(deviceLabelOf(UA.firefoxWindows)).toBe('Firefox on Windows');
    expect(deviceLabelOf(UA.edgeWindows)).toBe('Edge on Windows');
    expect(deviceLabelOf(UA.samsung)).toBe('Samsung Internet on Android');
    expect(deviceLabelOf(UA.safariMac)).toBe('Safari on Mac');
    expect(deviceLabelOf(UA.headless)).toBe('Chrome on Linux');
    expect(deviceLabelOf('curl/8.5.0')).toBe('Web browser');
    expect(deviceLabelOf(undefined)).toBe('Web browser');
    expect(deviceLabelOf(`${'x'.repeat(100_000)} Android`)).toBe('Web browser');
  });
});

describe('your devices', () => {
  const register = (as: Browser, deviceId: string, userAgent = UA.chromeAndroid) =>
    t.request('/api/self-serve/device', {
      method: 'POST',
      as,
      headers: { 'user-agent': userAgent },
      json: { deviceId, permission: 'granted' },
    });
  const list = async (as: Browser, current?: string) =>
    (await json(await t.request(`/api/self-serve/devices${current ? `?current=${current}` : ''}`, { as })))
      .devices as { id: string; label: string; current: boolean; [k: string]: unknown }[];
  const remove = (as: Browser, deviceId: string) =>
    t.request(`/api/self-serve/devices/${deviceId}`, { method: 'DELETE', as });
  /** Device notices sent since `since` (index into each outbox), as route and address. */
  const noticesSince = (since: [number, number]) =>
    [t.services.outbox!.sms, t.services.outbox!.email].flatMap((o, i) =>
      o
        .messages()
        .slice(since[i])
        .flatMap(({ message: m }) =>
          m.route !== 'push' && 'kind' in m.context && m.context.kind === 'device_enrolled'
            ? [{ route: m.route, to: m.to, text: m.text }]
            : [],
        ),
    );
  const mark = (): [number, number] => [
    t.services.outbox!.sms.messages().length,
    t.services.outbox!.email.messages().length,
  ];

  it('announces a new device to the phone and email on file and audits it; the same device again, nothing', async () => {
    const ana = await t.endUser('eu-ana');
    const since = mark();
    expect((await register(ana, 'web-ana-new')).status).toBe(200);
    const notices = noticesSince(since);
    expect(notices.map(({ route, to }) => ({ route, to }))).toEqual([
      { route: 'sms', to: '+15550100001' },
      { route: 'email', to: 'ana.silva@northwind.example' },
    ]);
    for (const n of notices) expect(n.text).toContain('Chrome on Android');
    const trail = await auditTrail(t.services);
    expect(trail.filter((r) => r.action === 'device_enrolled').pop()).toMatchObject({
      endUserId: 'eu-ana',
      actor: { type: 'device', id: 'eu-ana' },
      detail: { deviceId: 'web-ana-new', label: 'Chrome on Android', platform: 'web' },
    });
    const enrolled = trail.filter((r) => r.action === 'device_enrolled').length;
    // The page reports again on every visit and permission change: the same device is no news.
    expect((await register(ana, 'web-ana-new', UA.safariIphone)).status).toBe(200);
    expect(noticesSince(since)).toHaveLength(2);
    expect((await auditTrail(t.services)).filter((r) => r.action === 'device_enrolled')).toHaveLength(
      enrolled,
    );
  });

  it('announces a device once when its first reports race, and again after it was removed and enrolled anew', async () => {
    const chloe = await t.endUser('eu-chloe');
    const since = mark();
    // Every report reads the directory before any writes, as on a busy database.
    const { directory } = t.services;
    const getById = directory.getById.bind(directory);
    directory.getById = async (...args) => {
      const user = await getById(...args);
      await new Promise((resolve) => setTimeout(resolve, 20));
      return user;
    };
    const racing = await Promise.all(
      Array.from({ length: 5 }, () => register(chloe, 'web-chloe-racing')),
    ).finally(() => {
      directory.getById = getById;
    });
    expect(racing.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(noticesSince(since).filter((n) => n.route === 'sms')).toHaveLength(1);
    expect((await remove(chloe, 'web-chloe-racing')).status).toBe(200);
    expect((await register(chloe, 'web-chloe-racing')).status).toBe(200);
    expect(noticesSince(since).filter((n) => n.route === 'sms')).toHaveLength(2);
  });

  it('tells an end-user with no phone by email only, and enrols even when the notice fails (audited)', async () => {
    const dev = await t.endUser('eu-dev');
    const since = mark();
    t.services.outbox!.email.failFor('dev.patel@contoso-dental.example', {
      status: 'transient_failure',
      reason: 'mail server busy (simulated)',
    });
    expect((await register(dev, 'web-dev-new')).status).toBe(200);
    expect(noticesSince(since)).toEqual([]);
    expect((await list(dev)).map((d) => d.id)).toContain('web-dev-new');
    expect(
      (await auditTrail(t.services)).filter((r) => r.action === 'account_notice_failed').pop(),
    ).toMatchObject({
      endUserId: 'eu-dev',
      result: 'transient_failure',
      detail: { kind: 'device_enrolled', route: 'email', reason: 'mail server busy (simulated)' },
    });
  });

  it("lists only the end-user's own devices, this one first and marked, never a push address", async () => {
    const ben = await t.endUser('eu-ben');
    await register(ben, 'web-ben-1', UA.safariIphone);
    const devices = await list(ben, 'web-ben-1');
    expect(devices[0]).toEqual({
      id: 'web-ben-1',
      label: 'Safari on iPhone',
      platform: 'web',
      notificationPermission: 'granted',
      lastSeenAt: t.clock.now(),
      current: true,
    });
    // Ben's demo phone has no label: it is named by its platform.
    expect(devices.slice(1)).toEqual([
      expect.objectContaining({ id: 'dev-ben-phone', label: 'Android app', current: false }),
    ]);
    expect(JSON.stringify(devices)).not.toContain('demo-fcm-token-ben');
    expect((await t.request('/api/self-serve/devices')).status).toBe(401);
  });

  it("removes an own device (audited) and answers 404 alike for a missing one and someone else's", async () => {
    const eva = await t.endUser('eu-eva');
    const ana = await t.endUser('eu-ana');
    await register(eva, 'web-eva-1', UA.firefoxWindows);
    const theirs = await remove(ana, 'web-eva-1');
    const missing = await remove(ana, 'web-nobody');
    expect([theirs.status, missing.status]).toEqual([404, 404]);
    expect(await json(theirs)).toEqual(await json(missing));
    expect((await list(eva)).map((d) => d.id)).toEqual(['web-eva-1']);

    // A cross-site DELETE needs no body, so the app's form check does not see it: the route refuses it itself.
    const crossSiteHeaders: Record<string, string>[] = [
      { origin: 'https://evil.example' },
      { 'sec-fetch-site': 'cross-site' },
      {},
    ];
    for (const headers of crossSiteHeaders) {
      const crossSite = await t.app.request(`${ORIGIN}/api/self-serve/devices/web-eva-1`, {
        method: 'DELETE',
        headers: { ...headers, cookie: eva.cookie },
      });
      expect(crossSite.status, JSON.stringify(headers)).toBe(403);
    }
    expect((await remove(eva, 'web-eva-1')).status).toBe(200);
    expect(await list(eva)).toEqual([]);
    expect((await auditTrail(t.services)).filter((r) => r.action === 'device_removed').pop()).toMatchObject({
      endUserId: 'eu-eva',
      actor: { type: 'device', id: 'eu-eva', name: 'Eva Schmidt' },
      detail: { deviceId: 'web-eva-1', label: 'Firefox on Windows', platform: 'web' },
    });
    expect((await remove(eva, '..%2Fx')).status).toBe(400);
  });

  it('has a "Your devices" section on the page', async () => {
    const html = await page(await t.endUser('eu-ana'));
    expect(html).toContain('<h2 id="devices-h" tabindex="-1">Your devices</h2>');
    expect(html).toContain('id="devices"');
  });
});

describe('the installable app', () => {
  it("serves a manifest with the page's colours, standalone from /self-serve, with 192 and 512 px icons", async () => {
    const res = await t.request('/manifest.webmanifest');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/manifest+json');
    const manifest = await json(res);
    expect(manifest).toMatchObject({
      name: 'QDesk self-serve',
      short_name: 'QDesk',
      start_url: '/self-serve',
      scope: '/',
      display: 'standalone',
      theme_color: '#1d2330',
      background_color: '#f6f7f9',
    });
    const css = readFileSync(new URL('../static/self-serve.css', import.meta.url), 'utf8');
    expect(css).toContain(`--install-theme: ${manifest.theme_color};`);
    expect(css).toContain(`--install-background: ${manifest.background_color};`);
    expect(manifest.icons.map((i: { sizes: string; purpose: string }) => `${i.sizes} ${i.purpose}`)).toEqual([
      '192x192 any',
      '192x192 maskable',
      '512x512 any',
      '512x512 maskable',
    ]);
    for (const icon of manifest.icons as { src: string; sizes: string; type: string }[]) {
      const png = await t.request(icon.src);
      expect(png.status).toBe(200);
      expect(png.headers.get('content-type')).toBe(icon.type);
      const bytes = Buffer.from(await png.arrayBuffer());
      expect(bytes.subarray(1, 4).toString('ascii')).toBe('PNG');
      expect(`${bytes.readUInt32BE(16)}x${bytes.readUInt32BE(20)}`).toBe(icon.sizes);
    }
    expect((await t.request('/icons/nope.png')).status).toBe(404);
  });

  it('serves icons whose pixels are what dev/icons.ts draws', () => {
    expect([...APP_ICON_SIZES]).toEqual([...ICON_SIZES]);
    for (const size of ICON_SIZES) {
      const png = readFileSync(iconFile(size));
      // One IDAT chunk right after the 13-byte IHDR: signature 8 + IHDR 25 = 33.
      expect(png.subarray(37, 41).toString('ascii')).toBe('IDAT');
      const idat = png.subarray(41, 41 + png.readUInt32BE(33));
      expect(inflateSync(idat).equals(scanlines(size, renderIcon(size))), `icon-${size}.png`).toBe(true);
    }
  });
});
