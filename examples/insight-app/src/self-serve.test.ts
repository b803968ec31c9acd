import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, json, ORIGIN, startTestApp, type TestApp } from './test-app.test-helpers.js';

// The end-user's self-serve page and API over HTTP: its header, its sign-out, what it says about notifications, and
// how a closed request reads to the end-user whose request it was.

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
      expect(
        hrefsOf(html).every((h) => ['/self-serve', '/static/app.css', '/static/self-serve.css'].includes(h!)),
        hrefsOf(html).join(' '),
      ).toBe(true);
      expect(html).not.toMatch(/\/(history|admin|outbox)\b/);
      expect(html).not.toContain('action="/sign-out"');
    }
    expect(await page(ana)).toContain('<form method="post" action="/self-serve/sign-out"');
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
